import BriefdCore
import BriefdTestSupport
import Foundation
import Testing

/// The message audit (issue 31): every command an editor runs in a week, over a site with a working page, a dead
/// one and an `https://` address served in plain HTTP, and what it prints is read as an editor would: no raw
/// libcurl or OpenSSL text, no time without its zone, and counts that agree with each other and with the JSON.
/// (The rules' suggestions: `RuleTests.everySuggestionSaysWhereItComesFrom`; JSON keys and shapes:
/// `JSONSchemaTests`; the desk's pages: `DeskTests.everyPageReadsAsAnEditorWould`.)
@Suite("The message audit", .timeLimit(.minutes(5)))
struct MessageAuditTests {
    @Test func everyCommandsOutputIsInTheEditorsWordsWithZonesAndAgreeingCounts() async throws {
        let site = try TestHTTPServer { request in
            request.path == "/gone" ? .respond(status: 404) : .respond(status: 200, body: LocalSiteWorkspace.page())
        }
        defer { site.stop() }
        // The delivery services: a mail relay and a listmonk stand-in, so that `send test` and `send campaign` speak.
        let relay = try TestSMTPServer()
        defer { relay.stop() }
        let listmonk = try ListmonkStandIn(user: "briefd-api", token: "LM-AUDIT-1", subscribers: [])
        defer { listmonk.stop() }
        let folder = try LocalSiteWorkspace.make(
            site: site.url, paths: ["/a", "/gone"],
            extraConfig: """
                schedule: {build: "0 10 * * 4", timezone: Asia/Shanghai}
                archive: {capture: false}
                delivery:
                  from: ZGBriefs <newsletter@zgbriefs.test>
                  test_to: [editors@zgbriefs.test]
                  smtp: {url: "smtp://127.0.0.1:\(relay.port)"}
                  service: listmonk
                  listmonk: {url: "\(listmonk.url)", lists: [3]}
                """,
            linksRetries: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A brief whose https:// address is served in plain HTTP: OpenSSL's "wrong version number" underneath.
        let plain = site.url.replacingOccurrences(of: "http://", with: "https://")
        try """
        ---
        title: Village Schools Close, part 3
        url: \(plain)/tls
        source: Local Times
        published: 2026-11-18
        section: Education / Language
        ---
        \(LocalSiteWorkspace.excerpt)

        """.write(toFile: folder + "/drafts/d2.md", atomically: true, encoding: .utf8)
        let config = folder + "/briefd.yml"
        var problems: [String] = []
        // Every process is waited for off the concurrency pool: two cores' pool threads are not held for the run.
        func audited(_ arguments: [String], environment: [String: String] = [:]) async throws -> Briefd.Run {
            let run = try await Briefd.run(arguments, environment: environment)
            let name = "briefd " + arguments.prefix(2).joined(separator: " ")
            problems += MessageAudit.problems(in: run.stdout, source: name + " (stdout)")
            problems += MessageAudit.problems(in: run.stderr, source: name + " (stderr)")
            return run
        }

        let check = try await audited(["check", "--config", config, folder + "/drafts"])
        #expect(check.stdout.contains("the server does not speak HTTPS at this address"), "\(check.stdout)")
        #expect(check.stdout.contains("not found (404)"), "\(check.stdout)")
        let checkJSON = try await Briefd.run([
            "check", "--cached", "--format", "json", "--config", config, folder + "/drafts",
        ])
        let summary = try #require(
            (try JSONSerialization.jsonObject(with: Data(checkJSON.stdout.utf8)) as? [String: Any])?["summary"]
                as? [String: Int])
        // The text summary and the JSON count the same drafts the same way (the cached run reads what the online
        // one found).
        let cachedText = try await audited(["check", "--cached", "--config", config, folder + "/drafts"])
        let last = String(cachedText.stdout.split(separator: "\n").last ?? "")
        #expect(
            last
                == "\(summary["drafts"] ?? -1) drafts checked: \(summary["errors"] ?? -1) error\(summary["errors"] == 1 ? "" : "s"), "
                + "\(summary["warnings"] ?? -1) warning\(summary["warnings"] == 1 ? "" : "s"), \(summary["clean"] ?? -1) clean",
            "\(last) against \(summary)")

        _ = try await audited(["links", "--config", config, folder + "/drafts"])
        let status = try await audited(["status", "--config", config])
        #expect(status.stdout.contains("next build: "), "\(status.stdout)")
        let build = try await audited(["build", "--config", config, "--issue", "2026-12-03", "--no-capture"])
        #expect(build.status == 0, "\(build.stdout)\(build.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: folder + "/out/2026-12-03/build.json"))) as? [String: Any])
        let included = (report["included"] as? [Any])?.count ?? -1
        let leftOut = (report["left_out"] as? [Any])?.count ?? -1
        // The build's words, build.json and `briefd issues` count the same items.
        #expect(
            build.stdout.hasPrefix("Issue 2026-12-03: \(DraftAccount.counted(included, "item"))"), "\(build.stdout)")
        #expect(build.stdout.contains("\(DraftAccount.counted(leftOut, "draft")) left out"), "\(build.stdout)")
        let issues = try await audited(["issues", "--config", config])
        #expect(
            issues.stdout.hasPrefix("2026-12-03  \(DraftAccount.counted(included, "item"))  built "), "\(issues.stdout)"
        )
        let rot = try await audited(["rot", "--check-now", "--config", config])
        #expect(rot.stdout.contains(" links watched: "), "\(rot.stdout)")
        _ = try await audited(["config", "check", "--config", config])
        // Clipping the dead page and the plain-HTTP one: why there is no draft, in words.
        let clipped = try await audited(["clip", "--print", "--config", config, plain + "/tls"])
        #expect(clipped.stderr.contains("the server does not speak HTTPS at this address"), "\(clipped.stderr)")
        _ = try await audited(["clip", "--print", "--config", config, site.url + "/gone"])
        // The issue sent as a test and handed to listmonk, then handed again (the campaign updated); a page saved
        // from a browser kept as a snapshot.
        let test = try await audited(["send", "test", "--config", config])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
        let keys = ["BRIEFD_LISTMONK_USER": "briefd-api", "BRIEFD_LISTMONK_TOKEN": "LM-AUDIT-1"]
        let handed = try await audited(["send", "campaign", "--config", config], environment: keys)
        #expect(handed.status == 0, "\(handed.stdout)\(handed.stderr)")
        _ = try await audited(["send", "campaign", "--config", config], environment: keys)
        // A second version of the issue, and the first restored.
        _ = try await audited(["build", "--config", config, "--issue", "2026-12-03", "--no-capture", "--replace"])
        _ = try await audited(["issues", "restore", "2026-12-03", "1", "--config", config])
        _ = try await audited(["issues", "--config", config])
        try LocalSiteWorkspace.page().write(toFile: folder + "/saved.html", atomically: true, encoding: .utf8)
        _ = try await audited(["snapshot", "--config", config, site.url + "/a", folder + "/saved.html"])
        // Importing a page at the plain-HTTP address: why it was not read, in words.
        _ = try await audited(["import", "--config", config, plain + "/tls"])
        // The cited pages captured now: the dead one's reason in words.
        _ = try await audited(["archive", "--capture", "--config", config, "--issue", "2026-12-03"])
        _ = try await audited(["archive", "--config", config, "--issue", "2026-12-03"])
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// The audit is not vacuous: it finds what it looks for.
    @Test func theAuditFindsRawLibraryTextsAndUnzonedTimes() {
        #expect(!MessageAudit.problems(in: "x is broken: OpenSSL/3.0.19: error:0A00010B", source: "t").isEmpty)
        #expect(MessageAudit.problems(in: "next build: 2026-12-10 10:00:00 +0000", source: "t").isEmpty)
        #expect(!MessageAudit.problems(in: "last build: finished 2026-12-10 10:00", source: "t").isEmpty)
        #expect(MessageAudit.problems(in: "next build: 2026-12-10 10:00 +08:00", source: "t").isEmpty)
        #expect(MessageAudit.problems(in: "raised 2026-12-10T02:00:00Z", source: "t").isEmpty)
        #expect(MessageAudit.problems(in: "drafts/a.md:12:34: warning", source: "t").isEmpty)
    }
}
