import BriefdTestSupport
import Foundation
import Testing

/// `briefd run` as systemd starts it: online. Three publishers on 127.0.0.2–4 record what they see (requests in
/// flight, the gap between request starts, every request); the daemon reviews hundreds of drafts citing them.
/// The politeness settings are measured at the servers, not trusted.
@Suite("briefd run online, measured at the publishers", .serialized, .timeLimit(.minutes(5)))
struct OnlineDaemonTests {
    static let perHost = 2
    static let intervalMilliseconds = 25
    /// The servers time each request by the kernel's receive stamp of its first bytes (every connection has the
    /// option from the listener), which on loopback is the sender's write: no scheduling noise to allow for, only
    /// the stamps' rounding.
    static let tolerance = 0.0002

    /// Three publishers: `/a/N` are articles (their page holds every excerpt the drafts quote), `/gone/N` 404,
    /// `/moved/N` 301 to `/a/moved-N`, `/slow/N` answers after a second. 127.0.0.3 is a slow site (200 ms per
    /// answer): where requests pile up, a client that hands them over too early sends them in a bunch.
    final class Publishers {
        let servers: [TestHTTPServer]

        init() throws {
            servers = try ["127.0.0.2", "127.0.0.3", "127.0.0.4"].map { host in
                try TestHTTPServer(host: host) { request in
                    let path = request.path
                    if path.hasPrefix("/gone/") { return .respond(status: 404, body: "<title>Not found</title>") }
                    if path.hasPrefix("/moved/") {
                        return .respond(
                            status: 301, headers: ["Location": "/a/moved-" + path.dropFirst("/moved/".count)])
                    }
                    let delay = path.hasPrefix("/slow/") ? 1.0 : host == "127.0.0.3" ? 0.2 : 0.01
                    return .respond(status: 200, body: OnlineDaemonTests.page, delay: delay)
                }
            }
        }

        func url(_ host: Int, _ path: String) -> String { servers[host % servers.count].url + path }

        var requests: [TestHTTPServer.Request] { servers.flatMap(\.requests) }

        func stop() { servers.forEach { $0.stop() } }
    }

    static let excerpt = """
        Officials in the province said the new rules would take effect next month and apply to every county, \
        although the details of how they will be enforced have not yet been published.
        """

    static let page = """
        <html><head><title>Provincial rules</title></head><body><nav>Home</nav><article><h1>Provincial rules</h1>
        <p>\(excerpt)</p><p>See also the earlier report and the follow-up.</p></article></body></html>
        """

    /// Draft `index`: a brief whose page is its own article, citing a shared article and a follow-up: every
    /// tenth a 404, every seventh a permanent redirect, the others another shared article.
    static func draft(_ index: Int, _ publishers: Publishers) -> String {
        let followUp =
            index % 10 == 0
            ? publishers.url(index + 2, "/gone/\(index % 30)")
            : index % 7 == 0
                ? publishers.url(index, "/moved/\(index)") : publishers.url(index + 2, "/a/shared-b\(index % 15)")
        return """
            ---
            title: Provincial Rules \(index)
            url: \(publishers.url(index, "/a/\(index)"))
            source: The Wire China
            published: 2026-11-20
            section: Government / Politics / Foreign Affairs
            ---
            \(excerpt)

            See also the earlier [report](\(publishers.url(index + 1, "/a/shared-\(index % 20)"))) and the [follow-up](\(followUp)).
            """
    }

    /// Polls `condition` every 10 ms for up to `seconds`, without holding a thread of the concurrency pool (a
    /// blocked pool thread would slow every other suite running meanwhile).
    static func waitFor(_ what: String, seconds: Double = 10, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw DaemonTests.WaitFailure(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    static func workspace() throws -> DaemonTests.Workspace {
        try DaemonTests.Workspace(
            extraConfig: """
                links: {allow_networks: [127.0.0.0/8], per_host_concurrency: \(perHost), per_host_interval_ms: \(intervalMilliseconds), retries: 0, timeout_s: 10}
                rot: {recheck_hours: 1}
                """)
    }

    static func index(_ workspace: DaemonTests.Workspace) -> [String: Any]? {
        (try? Data(contentsOf: URL(fileURLWithPath: workspace.reports + "/INDEX.json")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any]
    }

    static func summary(_ workspace: DaemonTests.Workspace) -> [String: Int] {
        (index(workspace)?["summary"] as? [String: Int]) ?? [:]
    }

    /// Status by draft path, from INDEX.json.
    static func statuses(_ workspace: DaemonTests.Workspace) -> [String: String] {
        var statuses: [String: String] = [:]
        for entry in (index(workspace)?["drafts"] as? [[String: Any]]) ?? [] {
            if let path = entry["path"] as? String, let status = entry["status"] as? String { statuses[path] = status }
        }
        return statuses
    }

    static func rules(_ workspace: DaemonTests.Workspace, _ stem: String) -> [String] {
        let data = try? Data(contentsOf: URL(fileURLWithPath: workspace.reports + "/" + stem + ".report.json"))
        let report = data.flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any]
        return ((report?["findings"] as? [[String: Any]]) ?? []).compactMap { $0["rule"] as? String }
    }

    /// Every limit, at every server: concurrency, the gap between starts, one request per URL and method.
    static func expectPoliteness(_ publishers: Publishers, sourceLocation: SourceLocation = #_sourceLocation) {
        for server in publishers.servers {
            #expect(
                server.maxInFlight <= perHost, "\(server.host): \(server.maxInFlight) at once",
                sourceLocation: sourceLocation)
            let starts = server.requests.map(\.receivedAt).sorted()
            let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }
            let least = gaps.min() ?? 1
            #expect(
                least >= Double(intervalMilliseconds) / 1000 - tolerance,
                "\(server.host): two requests \(Int(least * 1000)) ms apart", sourceLocation: sourceLocation)
        }
        var seen: [String: Int] = [:]
        for request in publishers.requests {
            seen[request.method + " " + request.headers["host", default: ""] + request.path, default: 0] += 1
        }
        let twice = seen.filter { $0.value > 1 }
        #expect(
            twice.isEmpty, "requested more than once: \(twice.keys.sorted().prefix(5))", sourceLocation: sourceLocation)
    }

    /// Every draft's final report carries its link findings.
    static func expectFinalReports(
        _ workspace: DaemonTests.Workspace, count: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for index in 0..<count {
            let rules = Self.rules(workspace, "d\(index)")
            if index % 10 == 0 {
                #expect(rules.contains("link.broken"), "d\(index): \(rules)", sourceLocation: sourceLocation)
            }
            if index % 7 == 0 && index % 10 != 0 {
                #expect(rules.contains("link.redirected"), "d\(index): \(rules)", sourceLocation: sourceLocation)
            }
            #expect(!rules.contains("quote.not-found"), "d\(index): \(rules)", sourceLocation: sourceLocation)
        }
    }

    @Test func aBurstOfThreeHundredDraftsKeepsEveryLimitAtThePublishers() async throws {
        let publishers = try Publishers()
        defer { publishers.stop() }
        let workspace = try Self.workspace()
        // A hundred drafts wait in the folder (the start-up scan and the first link-rot pass take them on
        // together), two hundred arrive at once while the daemon runs.
        for index in 0..<100 { try workspace.write("d\(index).md", Self.draft(index, publishers)) }
        let daemon = try await DaemonTests.Daemon(workspace, offline: false)
        for index in 100..<300 { try workspace.write("d\(index).md", Self.draft(index, publishers)) }
        try await Self.waitFor("every report to be final", seconds: 90) {
            let summary = Self.summary(workspace)
            return summary["drafts"] == 300 && summary["checking"] == 0
        }
        #expect(!Self.statuses(workspace).values.contains("checking"))
        Self.expectFinalReports(workspace, count: 300)
        Self.expectPoliteness(publishers)
        // The link-rot monitor's first pass ran during the burst, through the same limits.
        await #expect(daemon.stop() == 0, "\(daemon.logText.suffix(3000))")
    }

    @Test func sighupInTheMiddleOfABurstRechecksWithoutAskingAgain() async throws {
        let publishers = try Publishers()
        defer { publishers.stop() }
        let workspace = try Self.workspace()
        let daemon = try await DaemonTests.Daemon(workspace, offline: false)
        for index in 0..<150 { try workspace.write("d\(index).md", Self.draft(index, publishers)) }
        try await Self.waitFor("some reports to be final") {
            Self.statuses(workspace).values.contains("needs-work") && Self.summary(workspace)["checking"] ?? 0 > 0
        }
        daemon.signal(SIGHUP)
        try await Self.waitFor("the reload") { daemon.logText.contains("reloaded the config") }
        try await Self.waitFor("every report to be final", seconds: 90) {
            let summary = Self.summary(workspace)
            return summary["drafts"] == 150 && summary["checking"] == 0
        }
        Self.expectFinalReports(workspace, count: 150)
        Self.expectPoliteness(publishers)
        await #expect(daemon.stop() == 0, "\(daemon.logText.suffix(3000))")
    }

    @Test func sigtermInTheMiddleOfABurstStopsAtOnceAndLeavesNoHalfReport() async throws {
        let publishers = try Publishers()
        defer { publishers.stop() }
        let workspace = try Self.workspace()
        var daemon: DaemonTests.Daemon? = try await DaemonTests.Daemon(workspace, offline: false)
        for index in 0..<200 { try workspace.write("d\(index).md", Self.draft(index, publishers)) }
        try await Self.waitFor("the burst to be under way") {
            Self.summary(workspace)["drafts"] == 200 && Self.summary(workspace)["checking"] ?? 0 > 50
        }
        let started = Date()
        await #expect(daemon?.stop() == 0)
        // The contract is the unit's TimeoutStopSec (read from the unit), not a guessed speed; transfers in flight
        // are ended rather than waited for, which the reports below show (some still `checking`, none half-written).
        #expect(Date().timeIntervalSince(started) < DaemonTests.timeoutStopSeconds)
        daemon = nil
        let statuses = Self.statuses(workspace)
        #expect(statuses.values.contains("checking"))
        // A report that says it is final has its link findings; the others say they are still being checked.
        for index in 0..<200 where statuses["d\(index).md"] != "checking" && index % 10 == 0 {
            #expect(
                Self.rules(workspace, "d\(index)").contains("link.broken"),
                "d\(index) was reported final without its links")
        }
        // Started again, it finishes the reviews it had to leave.
        daemon = try await DaemonTests.Daemon(workspace, offline: false)
        try await Self.waitFor("every report to be final", seconds: 90) { Self.summary(workspace)["checking"] == 0 }
        Self.expectFinalReports(workspace, count: 200)
        await #expect(daemon?.stop() == 0)
    }

    @Test func aDraftEditedWhileItsLinksAreCheckedEndsWithTheReportOfItsLatestContent() async throws {
        let publishers = try Publishers()
        defer { publishers.stop() }
        let workspace = try Self.workspace()
        let daemon = try await DaemonTests.Daemon(workspace, offline: false)
        let first = Self.draft(1, publishers).replacingOccurrences(of: "/a/shared-1)", with: "/slow/1)")
        try workspace.write("edited.md", first)
        try await Self.waitFor("the slow review to start") { publishers.requests.contains { $0.path == "/slow/1" } }
        try await Self.waitFor("the index to say checking") { Self.statuses(workspace)["edited.md"] == "checking" }
        try workspace.write("edited.md", Self.draft(10, publishers))  // Now cites a dead link.
        try await Self.waitFor("the report of the new content") {
            Self.rules(workspace, "edited").contains("link.broken")
        }
        // The slow answer for the old content arrives later and must not replace it.
        try await Self.waitFor("the old content's review to end", seconds: 5) {
            publishers.servers.allSatisfy { $0.inFlight == 0 }
        }
        try await Self.waitFor("the index to settle") { Self.statuses(workspace)["edited.md"] == "needs-work" }
        #expect(Self.rules(workspace, "edited").contains("link.broken"))
        await #expect(daemon.stop() == 0, "\(daemon.logText.suffix(3000))")
    }
}

/// Reports stay true across restarts: what changed while the daemon was down is seen at start-up.
@Suite("briefd run restarts", .serialized, .timeLimit(.minutes(5)))
struct DaemonRestartTests {
    static func waitFor(_ what: String, seconds: Double = 10, _ condition: () -> Bool) async throws {
        try await OnlineDaemonTests.waitFor(what, seconds: seconds, condition)
    }

    @Test func aRegistryChangedWhileDownRechecksTheDrafts() async throws {
        let workspace = try DaemonTests.Workspace()
        var daemon: DaemonTests.Daemon? = try await DaemonTests.Daemon(workspace)
        try workspace.write("a.md", DaemonTests.cleanBrief)
        try await Self.waitFor("a's clean report") { workspace.report("a")?.contains("0 errors") == true }
        await #expect(daemon?.stop() == 0)
        daemon = nil
        let registry = try String(contentsOfFile: workspace.folder + "/sources.yml", encoding: .utf8)
        try registry.replacingOccurrences(of: "domains: [thewirechina.com]", with: "domains: [wirechina.example]")
            .write(toFile: workspace.folder + "/sources.yml", atomically: true, encoding: .utf8)
        daemon = try await DaemonTests.Daemon(workspace)
        try await Self.waitFor("the stale report to be replaced") {
            workspace.report("a")?.contains("brief.url-domain") == true
        }
        await #expect(daemon?.stop() == 0)
    }

    @Test func aReportsFolderDeletedWhileDownIsWrittenAgain() async throws {
        let workspace = try DaemonTests.Workspace()
        var daemon: DaemonTests.Daemon? = try await DaemonTests.Daemon(workspace)
        for name in ["a", "b", "c"] { try workspace.write("\(name).md", DaemonTests.cleanBrief) }
        try await Self.waitFor("three reports") { ["a", "b", "c"].allSatisfy { workspace.report($0) != nil } }
        await #expect(daemon?.stop() == 0)
        daemon = nil
        try FileManager.default.removeItem(atPath: workspace.reports)
        daemon = try await DaemonTests.Daemon(workspace)
        try await Self.waitFor("the reports again") {
            ["a", "b", "c"].allSatisfy { workspace.report($0) != nil }
                && FileManager.default.fileExists(atPath: workspace.reports + "/INDEX.md")
        }
        await #expect(daemon?.stop() == 0)
    }
}
