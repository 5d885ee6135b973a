import BriefdCore
import BriefdIO
import BriefdApp
import Foundation
import Logging
import Synchronization
import Testing

/// The daemon's account of drafts, driven in process: a review that fails leaves its draft `checking` with the
/// reason and is tried again later, never read as clean; the account, INDEX.json and the saved state agree.
@Suite("The daemon's account in process", .timeLimit(.minutes(5)))
struct DraftAccountInProcessTests {
    @Test(.timeLimit(.minutes(1)))
    func aFailedReviewIsCheckingWithItsReasonAndIsTriedAgain() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "briefd-account-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        var config = Config.defaults(at: folder + "/briefd.yml")
        config.paths.drafts = folder + "/drafts"
        config.paths.reports = folder + "/reports"
        config.paths.state = folder + "/briefd.sqlite"
        try """
        ---
        title: Notes
        kind: post
        author: Someone
        date: 2026-11-20
        ---
        See [the story](https://example.net/story) for more.
        """.write(toFile: folder + "/drafts/a.md", atomically: true, encoding: .utf8)
        let state = try StateDatabase(path: config.paths.state)
        let reviews = ReviewQueue()
        let desk = try await DraftLedger(
            workspace: Workspace(config: config, registry: .empty, fingerprint: "account"), store: DaemonStore(state),
            logger: Logger(label: "test"), reviews: reviews, version: "test")
        await desk.scanAll(reason: "test")
        #expect(await desk.entry(of: "a.md")?.standing.status == .checking)
        let job = try #require(await reviews.next())

        let wait = await desk.reviewFailed(job, reason: "the link history is locked")
        #expect(wait == .seconds(30))
        let failed = try #require(await desk.entry(of: "a.md"))
        #expect(failed.standing.status == .checking)
        #expect(failed.standing.reasons.first?.contains("failed (the link history is locked)") == true)
        await desk.flush()
        let index = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: config.paths.reports + "/INDEX.json"))) as? [String: Any])
        #expect((index["drafts"] as? [[String: Any]])?.first?["status"] as? String == "checking")
        #expect(try await DaemonStore(state).drafts()[folder + "/drafts/a.md"]?.status == .checking)

        // Not before its wait; then queued again, and its review's findings make it final.
        await desk.retryFailedReviews(now: Date())
        #expect(await desk.entry(of: "a.md")?.standing.reasons.first?.contains("failed") == true)
        await desk.retryFailedReviews(now: Date().addingTimeInterval(31))
        #expect(await desk.entry(of: "a.md")?.standing.reasons.first == "its links and quotes are being checked")
        let again = try #require(await reviews.next())
        #expect(again.path == job.path)
        await desk.reviewed(again, findings: [])
        #expect(await desk.entry(of: "a.md")?.standing.status == .held)  // a blog post: posts are not digest items
    }

    /// The account in memory, the one a command reads back from the saved state, and what a build takes are the
    /// same: `ready` is exactly the set of items, every other draft left out with its own status and reason.
    @Test(.timeLimit(.minutes(1)))
    func theDaemonsAccountTheSavedOneAndTheBuildAgree() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-agree-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        var config = Config.defaults(at: folder + "/briefd.yml")
        config.paths.drafts = folder + "/drafts"
        config.paths.reports = folder + "/reports"
        config.paths.state = folder + "/briefd.sqlite"
        config.paths.digests = folder + "/digests"
        config.paths.templates =
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path + "/templates"
        let registry = try RegistryParser.parse(
            "publications:\n  - {name: Sixth Tone, domains: [sixthtone.com]}\n", path: "sources.yml")
        func brief(_ name: String, _ extra: String = "") -> String {
            """
            ---
            title: \(name)
            url: https://www.sixthtone.com/news/\(name)
            source: Sixth Tone
            published: 2026-11-20
            section: \(config.newsletter.sections[0])
            \(extra)---
            The rules do not ban anything outright. They make every activity conditional on a licence that the
            regulators can withdraw at any time, which is a different thing from a ban.
            """
        }
        let today = LocalCalendar.today()
        let next = DraftAccount.nextIssue(weekday: config.digest.issueWeekday, today: today, published: [])
        try brief("ready").write(toFile: folder + "/drafts/ready.md", atomically: true, encoding: .utf8)
        try brief("later", "issue: \(next.adding(days: 7))\n").write(
            toFile: folder + "/drafts/later.md", atomically: true, encoding: .utf8)
        try brief("past", "issue: \(next.adding(days: -7))\n").write(
            toFile: folder + "/drafts/past.md", atomically: true, encoding: .utf8)
        try brief("broken").replacingOccurrences(of: "Sixth Tone", with: "Sixth Tome")
            .write(toFile: folder + "/drafts/broken.md", atomically: true, encoding: .utf8)
        try "---\ntitle: [unclosed\n---\n".write(
            toFile: folder + "/drafts/unreadable.md", atomically: true, encoding: .utf8)
        let state = try StateDatabase(path: config.paths.state)
        let desk = try await DraftLedger(
            workspace: Workspace(config: config, registry: registry, fingerprint: "agree"), store: DaemonStore(state),
            logger: Logger(label: "test"), reviews: nil, version: "test")
        await desk.scanAll(reason: "test")
        let account = await desk.account
        let statuses = Dictionary(uniqueKeysWithValues: account.drafts.map { ($0.path, $0.standing.status) })
        #expect(
            statuses == [
                "ready.md": .ready, "later.md": .held, "past.md": .held, "broken.md": .needsWork,
                "unreadable.md": .unreadable,
            ])

        // What a command reads while the daemon runs: the saved account, the same standings.
        await desk.flush()
        let (saved, source) = try await SavedAccount.drafts(
            config: config, registry: registry, state: state, daemonRuns: true, today: today)
        #expect(source == .daemon)
        let fromSaved = SavedAccount.standings(saved, config: config, published: PublishedIssues(), target: next)
        #expect(Dictionary(uniqueKeysWithValues: fromSaved.map { ($0.path, $0.status) }) == statuses)
        #expect(fromSaved.map(\.reasons) == account.drafts.map(\.standing.reasons))

        // The build takes exactly the ready drafts, and lists every other one with its status.
        let outcome = try await DigestBuild(config: config, registry: registry, state: state)
            .run(
                date: next, root: config.paths.digests, dryRun: false, account: await desk.draftsForBuild(),
                trigger: .desk)
        #expect(outcome.report.included.map(\.path) == ["ready.md"])
        #expect(
            Dictionary(uniqueKeysWithValues: outcome.report.leftOut.map { ($0.path, $0.status) })
                == statuses.filter { $0.value != .ready })
        await desk.publishedChanged()
        let after = await desk.account
        #expect(after.nextIssue == next.adding(days: 7))
        #expect(after.drafts.first { $0.path == "ready.md" }?.standing.status == .published)
        #expect(after.drafts.first { $0.path == "later.md" }?.standing.status == .ready)
    }

    /// Counts the error lines a logger receives.
    final class ErrorCount: LogHandler, @unchecked Sendable {
        let lines = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            if event.level >= .error { lines.withLock { $0.append("\(event.message)") } }
        }
    }

    /// A database that stays broken (its table gone under the daemon) is tried again at a doubling interval and
    /// said once, not ten times a second; the state that could not be saved is kept for the next try.
    @Test(.timeLimit(.minutes(1)))
    func aLastingDatabaseFailureIsRetriedWithBackoffAndSaidOnce() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "briefd-backoff-\(UUID().uuidString)"
        )
        .path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        var config = Config.defaults(at: folder + "/briefd.yml")
        config.paths.drafts = folder + "/drafts"
        config.paths.reports = folder + "/reports"
        config.paths.state = folder + "/briefd.sqlite"
        let state = try StateDatabase(path: config.paths.state)
        let errors = ErrorCount()
        let desk = try await DraftLedger(
            workspace: Workspace(config: config, registry: .empty, fingerprint: "backoff"), store: DaemonStore(state),
            logger: Logger(label: "test", factory: { _ in errors }), reviews: nil, version: "test")
        // Another connection drops the table the ledger saves into.
        let drop = Process()
        drop.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        drop.arguments = [
            "python3", "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('DROP TABLE draft_state'); c.commit()",
            config.paths.state,
        ]
        try drop.run()
        drop.waitUntilExit()
        #expect(drop.terminationStatus == 0)
        try "---\ntitle: A\nkind: post\nauthor: B\ndate: 2026-11-20\n---\nText.\n".write(
            toFile: folder + "/drafts/a.md", atomically: true, encoding: .utf8)
        await desk.scanAll(reason: "test")
        // The upkeep would call flush ten times a second: 30 calls over 3 s (longer on a loaded machine).
        let started = Date()
        for _ in 0..<30 {
            await desk.flush(force: false)
            try await Task.sleep(for: .milliseconds(100))
        }
        let elapsed = Date().timeIntervalSince(started)
        let said = errors.lines.withLock { $0 }.filter { $0.contains("cannot save draft state") }
        #expect(said.count == 1, "\(said)")
        // After n failures the waits add up to 0.1 s x (2^n - 1): n is at most log2(elapsed / 0.1 + 1) + 1, where
        // without the backoff it would be 30.
        let failures = await desk.upkeepFailuresInARow
        let bound = Int(log2(elapsed / 0.1 + 1)) + 2
        #expect(failures >= 3 && failures <= bound, "\(failures) tries in \(elapsed) s (at most \(bound))")
        #expect(await desk.nextUpkeepAttempt > started)  // a next try is set (it may have passed on a slow machine)
        #expect(await desk.hasUpkeepPending)  // nothing was dropped: the state waits for the next try
    }
}
