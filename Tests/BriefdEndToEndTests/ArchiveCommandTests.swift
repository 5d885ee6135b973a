import BriefdTestSupport
import Foundation
import Synchronization
import Testing

/// `briefd build` and `briefd archive` on the built binary, online, against a local site and a stand-in of Save
/// Page Now (`SavePageNowStandIn`, after the SPN2 documentation): the issue's WARC written at publish, one
/// submission per page and issue, the pace measured at the service, a session limit and a 429 answered with
/// "later", a job ending in an error recorded as final, and the keys nowhere but in the Authorization header.
@Suite("briefd archive, with Save Page Now", .serialized, .timeLimit(.minutes(3)))
struct ArchiveCommandTests {
    static let excerpt = LocalSiteWorkspace.excerpt
    static let page = LocalSiteWorkspace.page()
    static let accessKey = "spn-access-4f1c"
    static let secretKey = "spn-SECRET-d9b27e0a55"

    func workspace(site: String, endpoint: String, paths: [String]) throws -> String {
        try LocalSiteWorkspace.make(
            site: site, paths: paths,
            extraConfig: """
                archive:
                  save_page_now: {endpoint: "\(endpoint)", per_minute: 30, retry_base_s: 1, poll_s: 1}
                """)
    }

    @Test func everyPageIsSubmittedOnceAtThePaceAndTheKeysStaySecret() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: Self.page) }
        defer { site.stop() }
        let service = try SavePageNowStandIn(
            accessKey: Self.accessKey, secretKey: Self.secretKey, snapshotBody: Self.page)
        defer { service.stop() }
        let paths = ["/ok", "/session-limit", "/rate-limited", "/not-found"]
        let folder = try workspace(site: site.url, endpoint: service.url, paths: paths)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let keys = ["BRIEFD_SPN_ACCESS_KEY": Self.accessKey, "BRIEFD_SPN_SECRET_KEY": Self.secretKey]

        let build = try await Briefd.run(
            ["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-03"], environment: keys)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("Captured 4 cited pages"), "\(build.stderr)")
        #expect(service.submissions.isEmpty)  // The build captures; Save Page Now is the queue's work.

        let run = try await Briefd.run(
            ["archive", "--config", folder + "/briefd.yml", "--wait", "--format", "json"], environment: keys)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(document["issue"] as? String == "2026-12-03")
        #expect((document["warc"] as? String)?.hasSuffix("/out/2026-12-03/archive.warc.gz") == true)
        let links = try #require(document["links"] as? [[String: Any]])
        #expect(links.count == 4)
        for link in links {
            // Every key is present; absent values are null.
            #expect(
                Set(link.keys) == ["url", "captured", "status", "excerpt_found", "reason", "copy", "save_page_now"])
            #expect(link["excerpt_found"] as? Bool == true)
            let spn = try #require(link["save_page_now"] as? [String: Any])
            #expect(
                Set(spn.keys) == ["status", "job_id", "snapshot", "status_ext", "next_try", "snapshot_excerpt_found"])
            let url = link["url"] as? String ?? ""
            if url.hasSuffix("/not-found") {
                #expect(spn["status"] as? String == "error")
                #expect(spn["status_ext"] as? String == "error:not-found")
            } else {
                #expect(spn["status"] as? String == "success", "\(url): \(spn)")
                #expect(spn["snapshot"] as? String == service.url + "/web/20261203101500/" + url)
                #expect(spn["next_try"] is String)  // The snapshot's own check, a day later.
            }
        }

        // At the service: one accepted submission per page, with the documented options.
        let submissions = service.submissions
        let accepted = submissions.filter(\.accepted)
        #expect(accepted.map(\.url).sorted() == paths.map { site.url + $0 }.sorted())
        #expect(
            accepted.allSatisfy { $0.form["if_not_archived_within"] == "30d" && $0.form["skip_first_archive"] == "1" })
        #expect(submissions.filter { !$0.accepted }.count == 2)  // The session limit and the 429, each once.
        // The pace: 30 a minute is one every 2 s, measured at the service (kernel receive times).
        let times = submissions.map(\.at).sorted()
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later - earlier >= 1.9, "submissions \(later - earlier) s apart")
        }
        // The 429's Retry-After (2 s) was honoured before the page went again.
        let limited = submissions.filter { $0.url.hasSuffix("/rate-limited") }.map(\.at)
        #expect(limited.count == 2)
        if limited.count == 2 { #expect(limited[1] - limited[0] >= 1.9) }
        #expect(service.authorizations == ["LOW \(Self.accessKey):\(Self.secretKey)"])

        // A second --wait submits nothing again.
        let again = try await Briefd.run(["archive", "--config", folder + "/briefd.yml", "--wait"], environment: keys)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(service.submissions.count == submissions.count)
        #expect(again.stdout.contains("Save Page Now: success " + service.url + "/web/20261203101500/"))

        // The secret is in no output and no file (the state database, its journal, the WARC, the reports).
        for output in [build.stdout, build.stderr, run.stdout, run.stderr, again.stdout, again.stderr] {
            #expect(!output.contains(Self.secretKey))
        }
        let files = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
        for file in files {
            guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
            #expect(data.range(of: Data(Self.secretKey.utf8)) == nil, "the secret is in \(file)")
            #expect(data.range(of: Data(Self.accessKey.utf8)) == nil, "the access key is in \(file)")
        }
    }

    @Test func missingKeysAreSaidNotIgnored() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: Self.page) }
        defer { site.stop() }
        let service = try SavePageNowStandIn(
            accessKey: Self.accessKey, secretKey: Self.secretKey, snapshotBody: Self.page)
        defer { service.stop() }
        let folder = try workspace(site: site.url, endpoint: service.url, paths: ["/ok"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            try await Briefd.run(["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-03"]).status == 0)
        let run = try await Briefd.run(["archive", "--config", folder + "/briefd.yml", "--wait"])
        #expect(run.status == 0)  // The own copy is there; Save Page Now waits for its keys.
        #expect(run.stdout.contains("Save Page Now's keys are not set (BRIEFD_SPN_ACCESS_KEY, BRIEFD_SPN_SECRET_KEY)"))
        #expect(service.submissions.isEmpty)
    }

    /// The daemon as systemd runs it (online) captures an issue published while it runs, and tries again a page
    /// that answered 503: the capture queue is worked by the daemon, not by the build.
    @Test func theOnlineDaemonCapturesAPublishedIssueAndRetriesAFailure() async throws {
        let troubled = Mutex(false)
        let site = try TestHTTPServer { request in
            if request.path.hasSuffix("/flaky")
                && troubled.withLock({ was in
                    defer { was = false }; return was
                })
            {
                return .respond(status: 503, body: "busy")
            }
            return .respond(status: 200, body: Self.page)
        }
        defer { site.stop() }
        let workspace = try DaemonTests.Workspace(
            extraConfig: """
                links: {allow_networks: [127.0.0.0/8], per_host_interval_ms: 0, retries: 0}
                archive: {capture_retry_s: 1, capture_attempts: 3}
                """)
        try "publications:\n  - name: Local Times\n    domains: [127.0.0.1]\n".write(
            toFile: workspace.folder + "/sources.yml", atomically: true, encoding: .utf8)
        for (index, path) in ["/steady", "/flaky"].enumerated() {
            try workspace.write(
                "d\(index).md",
                """
                ---
                title: Provincial Rules \(index)
                url: \(site.url)\(path)
                source: Local Times
                published: 2026-11-20
                section: Government / Politics / Foreign Affairs
                ---
                \(Self.excerpt)

                """)
        }
        let daemon = try await DaemonTests.Daemon(workspace, offline: false)
        defer { daemon.stopBlocking() }
        try await OnlineDaemonTests.waitFor("both drafts reviewed", seconds: 30) {
            OnlineDaemonTests.summary(workspace)["drafts"] == 2 && OnlineDaemonTests.summary(workspace)["checking"] == 0
        }
        // From now on the flaky page answers its next request with a 503 (the reviews have read it already).
        troubled.withLock { $0 = true }
        let before = site.requests.count
        let build = try await Briefd.run([
            "build", "--config", workspace.folder + "/briefd.yml", "--issue", "2026-12-03",
        ])
        #expect(build.status == 0, "\(build.stdout)\(build.stderr)")
        #expect(build.stderr.contains("The running daemon captures the cited pages"), "\(build.stderr)")
        var links: [[String: Any]] = []
        try await OnlineDaemonTests.waitFor("the daemon's captures", seconds: 30) {
            let run = try? Briefd.runBlocking([
                "archive", "--config", workspace.folder + "/briefd.yml", "--format", "json",
            ])
            let document =
                run.flatMap { try? JSONSerialization.jsonObject(with: Data($0.stdout.utf8)) } as? [String: Any]
            links = document?["links"] as? [[String: Any]] ?? []
            return links.count == 2 && links.allSatisfy { $0["captured"] as? Bool == true }
        }
        #expect(links.allSatisfy { $0["excerpt_found"] as? Bool == true }, "\(links)")
        let captures = site.requests.dropFirst(before)
        #expect(captures.filter { $0.path.hasSuffix("/flaky") }.count == 2)  // The 503, then the capture.
        #expect(captures.filter { $0.path.hasSuffix("/steady") }.count == 1)
        #expect(daemon.logText.contains("captured cited pages"))
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = [
            "python3", "-c", "import sys; from warcio.cli import main; sys.exit(main())", "check",
            workspace.folder + "/digests/2026-12-03/archive.warc.gz",
        ]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0)
    }
}
