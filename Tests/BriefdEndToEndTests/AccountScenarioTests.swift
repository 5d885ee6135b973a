import BriefdTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One account of every draft, asked of every surface at the same moment, over the built binary as systemd runs it
/// (online, the desk on): no host name resolves (the resolver's probes are `.invalid` names), a local page answers
/// 404, drafts are meant for a past and a later issue; then a build from the command line, a second build without
/// and with `--replace`, and a restart. At each step the desk's JSON, `/healthz`, `briefd status --format json` and
/// `briefd build --dry-run --format json` agree, and `ready` is exactly the set the build takes.
@Suite("one account, every surface", .serialized, .timeLimit(.minutes(5)))
struct AccountScenarioTests {
    static func brief(_ title: String, body: String = "", issue: String? = nil) -> String {
        """
        ---
        title: \(title)
        url: https://www.sixthtone.com/news/\(title.lowercased().replacingOccurrences(of: " ", with: "-"))
        source: Sixth Tone
        published: 2026-11-20
        section: Religion
        \(issue.map { "issue: \($0)\n" } ?? "")---
        The rules do not ban anything outright. They make every activity conditional on a licence that the
        regulators can withdraw at any time, which is a different thing from a ban. \(body)
        """
    }

    struct Surfaces {
        var api: [String: Any]
        var next: [String: Any]
        var health: [String: Any]
        var status: [String: Any]
        var dryRun: [String: Any]

        var statusesFromAPI: [String: String] { Self.statuses(api["drafts"]) }
        var statusesFromCommand: [String: String] { Self.statuses(status["drafts"]) }
        var readyFromAPI: Set<String> { Set(statusesFromAPI.filter { $0.value == "ready" }.keys) }
        static func items(_ plan: [String: Any]) -> Set<String> {
            Set(((plan["items"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String })
        }
        static func statuses(_ list: Any?) -> [String: String] {
            var found: [String: String] = [:]
            for entry in (list as? [[String: Any]]) ?? [] {
                if let path = entry["path"] as? String, let status = entry["status"] as? String { found[path] = status }
            }
            return found
        }
    }

    static func get(_ url: String) async throws -> [String: Any] {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(url)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func json(_ run: Briefd.Run) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
            "\(run.stdout)\(run.stderr)")
    }

    /// Every surface, asked one after the other with nothing changing in between.
    static func ask(_ desk: String, _ config: String) async throws -> Surfaces {
        Surfaces(
            api: try await get(desk + "/api/drafts"), next: try await get(desk + "/api/issues/next"),
            health: try await get(desk + "/healthz"),
            status: try json(try await Briefd.run(["status", "--format", "json", "--config", config])),
            dryRun: try json(try await Briefd.run(["build", "--dry-run", "--format", "json", "--config", config])))
    }

    /// The surfaces agree with each other.
    static func expectAgreement(_ seen: Surfaces, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(seen.statusesFromAPI == seen.statusesFromCommand, "desk vs status", sourceLocation: sourceLocation)
        #expect(
            Surfaces.items(seen.next) == seen.readyFromAPI, "ready vs the preview's items",
            sourceLocation: sourceLocation)
        #expect(
            Surfaces.items(seen.dryRun) == seen.readyFromAPI, "ready vs build --dry-run", sourceLocation: sourceLocation
        )
        #expect(
            seen.next["date"] as? String == (seen.api["next_issue"] as? [String: Any])?["date"] as? String,
            sourceLocation: sourceLocation)
        #expect(seen.dryRun["date"] as? String == seen.next["date"] as? String, sourceLocation: sourceLocation)
        let leftOut = Set(((seen.next["left_out"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String })
        #expect(
            leftOut.union(Surfaces.items(seen.next)) == Set(seen.statusesFromAPI.keys), "every draft accounted for",
            sourceLocation: sourceLocation)
        let byStatus = (seen.health["by_status"] as? [String: Int]) ?? [:]
        #expect(byStatus["ready"] == seen.readyFromAPI.count, sourceLocation: sourceLocation)
        #expect(seen.health["drafts"] as? Int == seen.statusesFromAPI.count, sourceLocation: sourceLocation)
    }

    static func freePort() throws -> Int {
        let probe = try TestHTTPServer { _ in .close }
        defer { probe.stop() }
        return probe.port
    }

    /// Without network (no name resolves: the outside link is unverified, its draft ready) and with it (names
    /// resolve, so the same name that does not is broken and its draft needs work): the surfaces agree either way.
    @Test(.timeLimit(.minutes(3)), arguments: [false, true])
    func everySurfaceGivesTheSameAccountOnlineAcrossBuildsAndARestart(namesResolve: Bool) async throws {
        let publisher = try TestHTTPServer { request in
            request.path == "/gone"
                ? .respond(status: 404, body: "not found") : .respond(status: 200, body: "<p>fine</p>")
        }
        defer { publisher.stop() }
        let port = try Self.freePort()
        let workspace = try DaemonTests.Workspace(
            extraConfig: """
                links: {allow_networks: [127.0.0.0/8], resolver_probes: [\(namesResolve ? "localhost" : "briefd-probe.invalid")], per_host_interval_ms: 0, retries: 0,
                        exclude: ['sixthtone\\.com']}
                web: {listen: "127.0.0.1:\(port)"}
                """)
        let config = workspace.folder + "/briefd.yml"
        let desk = "http://127.0.0.1:\(port)"
        var daemon = try await DaemonTests.Daemon(workspace, offline: false)
        try await DaemonTests.waitFor("the desk to listen") { daemon.logText.contains("the desk is listening") }
        // The coming issue, as the daemon sees it, dates the drafts for a past and a later issue.
        let first = try await Self.get(desk + "/api/drafts")
        let nextDate = try #require((first["next_issue"] as? [String: Any])?["date"] as? String)
        let next = try #require(ISO8601DateFormatter.day(nextDate))
        let past = ISO8601DateFormatter.string(next.addingTimeInterval(-7 * 86_400))
        let later = ISO8601DateFormatter.string(next.addingTimeInterval(7 * 86_400))
        // The briefs' own addresses are excluded (skipped): no request leaves the machine. The outside link is a name
        // under a top-level domain that does not exist.
        try workspace.write(
            "remote.md", Self.brief("Remote Only", body: "See [more](http://news.briefd-nowhere.zzz/a)."))
        try workspace.write("dead.md", Self.brief("Dead Link", body: "See [the notice](\(publisher.url)/gone)."))
        try workspace.write("past.md", Self.brief("For The Past", issue: past))
        try workspace.write("later.md", Self.brief("For Later", issue: later))
        try await DaemonTests.waitFor("every draft's account to be final", seconds: 60) {
            let statuses =
                (try? Data(contentsOf: URL(fileURLWithPath: workspace.reports + "/INDEX.json")))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
                .map { Surfaces.statuses($0["drafts"]) } ?? [:]
            return statuses.count == 4 && !statuses.values.contains("checking")
        }
        var seen = try await Self.ask(desk, config)
        Self.expectAgreement(seen)
        if !namesResolve {
            // No name resolves: the outside link is unverified, not broken, and its draft is ready; the local 404 is broken.
            #expect(
                seen.statusesFromAPI == [
                    "remote.md": "ready", "dead.md": "needs-work", "past.md": "held", "later.md": "held",
                ])
            let remote = try #require(
                (seen.api["drafts"] as? [[String: Any]])?.first { $0["path"] as? String == "remote.md" })
            #expect((remote["reasons"] as? [String])?.contains("1 link not verified") == true, "\(remote)")
            #expect(workspace.report("remote")?.contains("link.unverified") == true)
            #expect(workspace.report("remote")?.contains("link.broken") == false)
            #expect(seen.dryRun["unverified_links"] as? Int == 1)
        } else {
            // Names resolve: a name that does not is broken, and its draft needs work.
            #expect(
                seen.statusesFromAPI == [
                    "remote.md": "needs-work", "dead.md": "needs-work", "past.md": "held", "later.md": "held",
                ])
            #expect(workspace.report("remote")?.contains("link.broken") == true)
            #expect(seen.dryRun["unverified_links"] as? Int == 0)
        }
        #expect(workspace.report("dead")?.contains("link.broken") == true)
        if namesResolve {
            // Nothing is ready: the rest of the scenario (builds, restart) is the case without network.
            await #expect(daemon.stop() == 0, "\(daemon.logText.suffix(3000))")
            return
        }

        // A build from the command line, while the daemon runs: every surface follows at once.
        let built = try await Briefd.run(["build", "--config", config])
        #expect(built.status == 0, "\(built.stdout)\(built.stderr)")
        try await DaemonTests.waitFor("the desk to see the published issue", seconds: 10) {
            (try? Data(contentsOf: URL(fileURLWithPath: workspace.reports + "/INDEX.json")))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
                .map { Surfaces.statuses($0["drafts"])["remote.md"] == "published" } ?? false
        }
        seen = try await Self.ask(desk, config)
        Self.expectAgreement(seen)
        #expect(seen.statusesFromAPI["remote.md"] == "published")
        #expect(seen.next["date"] as? String == ISO8601DateFormatter.string(next.addingTimeInterval(7 * 86_400)))
        // The draft for the later issue is now the coming issue's.
        #expect(seen.statusesFromAPI["later.md"] == "ready")
        #expect((seen.health["last_build"] as? [String: Any])?["issue"] as? String == nextDate)
        #expect((seen.status["last_build"] as? [String: Any])?["issue"] as? String == nextDate)

        // Publishing is deliberate: the same issue again is refused, --replace keeps the earlier version.
        let again = try await Briefd.run(["build", "--issue", nextDate, "--config", config])
        #expect(again.status == 1)
        #expect(again.stderr.contains("--replace"))
        let replaced = try await Briefd.run(["build", "--issue", nextDate, "--replace", "--config", config])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let issues = try Self.json(try await Briefd.run(["issues", "--format", "json", "--config", config]))
        let listed = try #require((issues["issues"] as? [[String: Any]])?.first { $0["date"] as? String == nextDate })
        #expect(listed["version"] as? Int == 2)
        #expect((listed["versions"] as? [[String: Any]])?.count == 2)
        let api = try await Self.get(desk + "/api/issues")
        #expect(
            ((api["issues"] as? [[String: Any]])?.first { $0["date"] as? String == nextDate })?["version"] as? Int == 2)
        let restored = try await Briefd.run(["issues", "restore", nextDate, "1", "--config", config])
        #expect(restored.status == 0, "\(restored.stderr)")

        // A restart keeps the account.
        let before = try await Self.ask(desk, config)
        await #expect(daemon.stop() == 0, "\(daemon.logText.suffix(3000))")
        daemon = try await DaemonTests.Daemon(workspace, offline: false)
        try await DaemonTests.waitFor("the desk to listen again", seconds: 20) {
            daemon.logText.contains("the desk is listening")
        }
        seen = try await Self.ask(desk, config)
        Self.expectAgreement(seen)
        #expect(seen.statusesFromAPI == before.statusesFromAPI)
        await #expect(daemon.stop() == 0, "\(daemon.logText.suffix(3000))")
    }
}

extension ISO8601DateFormatter {
    static func day(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }

    static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
