import BriefdTestSupport
import Foundation
import Synchronization
import Testing

/// `briefd send campaign` on the built binary against a listmonk stand-in (`ListmonkStandIn`, after listmonk's API
/// documentation): one campaign per issue across runs, updated while it is a draft or scheduled and refused once it is
/// sending; the test through the service and its known-subscribers rule; the schedule; the gate (a link broken now, an
/// altered quote, an email check) with `--force` recorded; the token nowhere but in the Authorization header.
@Suite("briefd send campaign, with listmonk and Buttondown", .serialized, .timeLimit(.minutes(3)))
struct SendCampaignTests {
    static let excerpt = LocalSiteWorkspace.excerpt
    static func page(_ text: String) -> String { LocalSiteWorkspace.page(text) }
    static let user = "briefd-api"
    static let token = "LM-TOKEN-7d1e55c0a9"

    func workspace(site: String, service: String, paths: [String]) throws -> String {
        try LocalSiteWorkspace.make(
            site: site, paths: paths,
            extraConfig: """
                archive: {capture: false}
                delivery:
                  from: newsletter@zgbriefs.test
                  service: listmonk
                  listmonk: {url: "\(service)", lists: [3]}
                """, linksRetries: false)
    }

    var keys: [String: String] { ["BRIEFD_LISTMONK_USER": Self.user, "BRIEFD_LISTMONK_TOKEN": Self.token] }

    func send(_ folder: String, _ extra: [String] = []) async throws -> Briefd.Run {
        try await Briefd.run(["send", "campaign", "--config", folder + "/briefd.yml"] + extra, environment: keys)
    }

    @Test func oneCampaignPerIssueUpdatedTestedScheduledAndLeftAloneOnceSending() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: Self.page(Self.excerpt)) }
        defer { site.stop() }
        let service = try ListmonkStandIn(user: Self.user, token: Self.token, subscribers: ["editor@zgbriefs.test"])
        defer { service.stop() }
        let folder = try workspace(site: site.url, service: service.url, paths: ["/a", "/b"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let build = try await Briefd.run(["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-03"])
        #expect(build.status == 0, "\(build.stderr)")

        let first = try await send(folder, ["--format", "json"])
        #expect(first.status == 0, "\(first.stderr)")
        let outcome = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(
            Set(outcome.keys) == [
                "issue", "version", "service", "campaign_id", "status", "send_at", "created", "tested", "forced_past",
                "forced_reason", "unchecked_links",
            ])
        #expect(outcome["created"] as? Bool == true)
        #expect(outcome["status"] as? String == "draft")
        #expect(service.campaigns.count == 1)
        let campaign = try #require(service.campaigns.first)
        #expect(campaign.lists == [3])
        #expect(campaign.fields["subject"] == "ZGBriefs | December 3, 2026")
        #expect(campaign.fields["content_type"] == "html" && campaign.fields["type"] == "regular")
        #expect(
            campaign.fields["body"]
                == (try String(contentsOfFile: folder + "/out/2026-12-03/email.html", encoding: .utf8)))
        #expect(
            campaign.fields["altbody"]
                == (try String(contentsOfFile: folder + "/out/2026-12-03/digest.txt", encoding: .utf8)))

        // Again, with a test and a time: the same campaign, updated, tested, scheduled.
        let second = try await send(folder, ["--test", "editor@zgbriefs.test", "--at", "2026-12-03T08:00:00Z"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("Updated listmonk campaign \(campaign.id)"))
        #expect(second.stdout.contains("scheduled, sends at 2026-12-03T08:00:00Z"))
        #expect(service.campaigns.count == 1)
        #expect(service.campaigns.first?.status == "scheduled")
        #expect(service.tests.map(\.to) == [["editor@zgbriefs.test"]])

        // A test to someone who is not a subscriber: listmonk's own message.
        let stranger = try await send(folder, ["--test", "stranger@zgbriefs.test"])
        #expect(stranger.status == 1)
        #expect(stranger.stderr.contains("test e-mails go only to existing subscribers"), "\(stranger.stderr)")
        #expect(service.campaigns.count == 1)

        // A replaced issue: its campaign follows the new version at once (it has not gone out), the same campaign.
        let before = service.campaigns.first?.updates ?? 0
        let replaced = try await Briefd.run(
            ["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-03", "--replace"], environment: keys)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(
            replaced.stdout.contains(
                "Updated listmonk campaign \(campaign.id) with version 2 of the issue (scheduled)"),
            "\(replaced.stdout)")
        #expect(service.campaigns.count == 1)
        #expect(service.campaigns.first?.updates == before + 1)

        // A restore, like a replacement, takes the campaign along: version 1 again, at the service too.
        let restored = try await Briefd.run(
            ["issues", "restore", "--config", folder + "/briefd.yml", "2026-12-03", "1"], environment: keys)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(
            restored.stdout.contains(
                "Updated listmonk campaign \(campaign.id) with version 1 of the issue (scheduled)"),
            "\(restored.stdout)")
        #expect(service.campaigns.count == 1)
        #expect(service.campaigns.first?.updates == before + 2)

        // Once the service sends it, briefd changes nothing and says so.
        service.startSending(campaign.id)
        let updates = service.campaigns.first?.updates
        let late = try await send(folder)
        #expect(late.status == 1)
        #expect(late.stderr.contains("is running at listmonk: it has started sending"), "\(late.stderr)")
        #expect(service.campaigns.first?.updates == updates)
        #expect(service.campaigns.count == 1)

        // The token: only in the Authorization header, nowhere on disk or in output.
        #expect(service.authorizations == ["token \(Self.user):\(Self.token)"])
        for run in [first, second, stranger, late] {
            #expect(!(run.stdout + run.stderr).contains(Self.token))
        }
        for file in FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [] {
            guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
            #expect(data.range(of: Data(Self.token.utf8)) == nil, "the token is in \(file)")
        }
    }

    @Test func theGateHoldsBackABrokenLinkAnAlteredQuoteAndAFailedEmailCheckUnlessForced() async throws {
        let alive = Mutex(true)
        // After the build, /a's page has a word changed (the excerpt no longer matches it); /b dies. An altered
        // quote found before the build keeps its draft out of the issue (DraftAccountTests), so the gate meets one
        // only when the page changed after it.
        let site = try TestHTTPServer { request in
            if request.path == "/a", !alive.withLock({ $0 }) {
                return .respond(
                    status: 200, body: Self.page(Self.excerpt.replacingOccurrences(of: "families", with: "parents")))
            }
            // /b's page has the excerpt's last line too, so that its quote matches.
            return alive.withLock { $0 }
                ? .respond(status: 200, body: Self.page(Self.excerpt + "</p><p>More here.")) : .respond(status: 404)
        }
        defer { site.stop() }
        let service = try ListmonkStandIn(user: Self.user, token: Self.token, subscribers: [])
        defer { service.stop() }
        let folder = try workspace(site: site.url, service: service.url, paths: ["/a", "/b"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // An excerpt with a link whose text says nothing: the email check finds it.
        let draft = folder + "/drafts/d1.md"
        try (try String(contentsOfFile: draft, encoding: .utf8) + "More [here](https://example.org/more).\n").write(
            toFile: draft, atomically: true, encoding: .utf8)
        // The quote check reads the pages once (online), then the build takes the account as checked.
        _ = try await Briefd.run(["check", "--config", folder + "/briefd.yml", folder + "/drafts"])
        let build = try await Briefd.run(["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-03"])
        #expect(build.status == 0, "\(build.stdout)\(build.stderr)")
        #expect(build.stdout.contains("2 items"), "\(build.stdout)")
        alive.withLock { $0 = false }
        // The quote check reads /a again and finds it altered now.
        _ = try await Briefd.run(["check", "--refresh", "--config", folder + "/briefd.yml", folder + "/drafts"])

        let refused = try await send(folder)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the issue is not sent (--force REASON sends it anyway)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("the link \(site.url)/b is broken now: not found (404)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("an altered quote: d0.md:"), "\(refused.stderr)")
        #expect(refused.stderr.contains("the email fails email.link-text"), "\(refused.stderr)")
        #expect(service.campaigns.isEmpty)

        // USER unset (a systemd unit, cron): the name comes from the user database, never "uid 0".
        let forced = try await Briefd.run(
            [
                "send", "campaign", "--config", folder + "/briefd.yml", "--force",
                "the editor checked the dead link by hand",
                "--format", "json",
            ],
            environment: keys.merging(["USER": "", "LOGNAME": "", "SUDO_USER": ""]) { $1 })
        #expect(forced.status == 0, "\(forced.stderr)")
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        // What happened, as it happened: nothing was sent; the campaign was made as a draft.
        #expect(
            forced.stderr.contains(
                "briefd: the gate was passed over by \(me) (the editor checked the dead link by hand): listmonk campaign 1 was made; it is a draft: nothing is sent until someone starts or schedules it at listmonk. The gate had held it back for:"
            ), "\(forced.stderr)")
        #expect(!forced.stderr.contains("sent past the gate"))
        let outcome = try JSONSerialization.jsonObject(with: Data(forced.stdout.utf8)) as? [String: Any]
        #expect(outcome?["forced_reason"] as? String == "the editor checked the dead link by hand")
        // The dead link, the quote altered after the build, the email check.
        #expect((outcome?["forced_past"] as? [String])?.count == 3, "\(outcome?["forced_past"] ?? "")")
        #expect(service.campaigns.count == 1)
        // Recorded in the state database with the campaign.
        let reason = try await Self.sqlite(folder + "/state/briefd.sqlite", "SELECT forced_reason FROM campaign")
        #expect(reason == "the editor checked the dead link by hand")
        let who = try await Self.sqlite(folder + "/state/briefd.sqlite", "SELECT forced_by FROM campaign")
        #expect(!who.isEmpty && who != "None")
    }

    /// One value from the database, read by Python's sqlite3 on a thread of its own (off the concurrency pool).
    static func sqlite(_ path: String, _ query: String) async throws -> String {
        try await offThePool { try sqliteBlocking(path, query) }
    }

    private static func sqliteBlocking(_ path: String, _ query: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])",
            path, query,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The same hand-off to Buttondown (a stand-in after its API docs): one email per issue, a draft, its test through
    /// send-draft, the schedule with its publish date, and nothing changed once it is sent.
    @Test func buttondownGetsOneEmailPerIssue() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: Self.page(Self.excerpt)) }
        defer { site.stop() }
        let key = "BD-KEY-0c44b7e2"
        let service = try ButtondownStandIn(key: key)
        defer { service.stop() }
        let folder = try LocalSiteWorkspace.make(
            site: site.url, paths: ["/a"],
            extraConfig: """
                archive: {capture: false}
                delivery:
                  from: newsletter@zgbriefs.test
                  service: buttondown
                  buttondown: {endpoint: "\(service.url)"}
                """, linksRetries: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let env = ["BRIEFD_BUTTONDOWN_TOKEN": key]
        #expect(
            try await Briefd.run(["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-03"]).status == 0)
        let first = try await Briefd.run(["send", "campaign", "--config", folder + "/briefd.yml"], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Made Buttondown campaign"))
        #expect(service.emails.map(\.status) == ["draft"])
        #expect(service.emails.first?.subject == "ZGBriefs | December 3, 2026")
        let id = try #require(service.emails.first?.id)
        let second = try await Briefd.run(
            [
                "send", "campaign", "--config", folder + "/briefd.yml", "--test", "editor@zgbriefs.test", "--at",
                "2026-12-03T08:00:00Z",
            ], environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("Updated Buttondown campaign \(id)"))
        #expect(service.emails.count == 1)
        #expect(service.emails.first?.status == "scheduled")
        #expect(service.emails.first?.publishDate == "2026-12-03T08:00:00Z")
        #expect(service.tests.map(\.to) == [["editor@zgbriefs.test"]])
        // A new time for an email scheduled already moves it.
        let moved = try await Briefd.run(
            ["send", "campaign", "--config", folder + "/briefd.yml", "--at", "2026-12-03T09:30:00Z"], environment: env)
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(service.emails.first?.publishDate == "2026-12-03T09:30:00Z")
        #expect(service.emails.first?.status == "scheduled")
        service.send(id)
        let late = try await Briefd.run(["send", "campaign", "--config", folder + "/briefd.yml"], environment: env)
        #expect(late.status == 1)
        #expect(late.stderr.contains("is sent at Buttondown: it has started sending"), "\(late.stderr)")
        #expect(service.emails.count == 1)
        #expect(service.authorizations == ["Token \(key)"])
        for run in [first, second, late] { #expect(!(run.stdout + run.stderr).contains(key)) }
        for file in FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [] {
            guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
            #expect(data.range(of: Data(key.utf8)) == nil, "the key is in \(file)")
        }
        let missing = try await Briefd.run(["send", "campaign", "--config", folder + "/briefd.yml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("Buttondown's key is not set (BRIEFD_BUTTONDOWN_TOKEN)"))
    }
}
