import BriefdCore
import BriefdIO
import BriefdApp
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// The build scheduler is a long-running service: it returns only on shutdown. A database held by another writer
/// past the busy timeout is retried, never the end of the daemon.
@Suite("The scheduler's lifecycle", .serialized, .timeLimit(.minutes(5)))
struct SchedulerLifecycleTests {
    @Test(.timeLimit(.minutes(1)))
    func aBusyDatabaseIsRetriedNotFatal() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-busy-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = Config.defaults(at: folder + "/briefd.yml")
        config.paths.state = folder + "/briefd.sqlite"
        let state = try StateDatabase(path: config.paths.state)
        let workspace = WorkspaceHolder(Workspace(config: config, registry: .empty, fingerprint: "busy"))
        let ledger = try await DraftLedger(
            workspace: workspace.workspace, store: DaemonStore(state), logger: Logger(label: "test"), reviews: nil,
            version: "test")
        let newsroom = Newsroom(
            holder: workspace, drafts: ledger, feed: DeskFeed(), state: state, links: nil, logger: Logger(label: "test")
        )
        // Another process holds the database's write lock for longer than briefd's busy timeout (5 s).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(7); c.execute('COMMIT')
            """, config.paths.state,
        ]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        _ = output.fileHandleForReading.availableData  // "locked"
        let scheduler = BuildScheduler(
            holder: workspace, state: state, newsroom: newsroom, logger: Logger(label: "test"))
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await scheduler.run() }
            // The first start records the schedule's state: blocked, then busy, then retried until it goes through.
            let store = DaemonStore(state)
            while (try? await store.lastHandledDue(BuildScheduler.scheduleName)) == nil {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(
                Date().timeIntervalSince(started) >= 5, "the lock was released too early for the test to mean anything")
            group.cancelAll()
        }
        holder.waitUntilExit()
    }
}
