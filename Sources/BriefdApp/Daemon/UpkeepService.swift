public import BriefdIO
import BriefdCore
import Foundation
@preconcurrency import Glibc
public import ServiceLifecycle

/// Saves state and rewrites the index a few times a second when something changed, compares the whole
/// folder with the database every `rescan` minutes, and keeps systemd's STATUS line current.
public struct UpkeepService: Service {
    let desk: DraftLedger
    let rescan: Duration
    let notifier: SystemdNotifier
    let status: @Sendable () async -> String
    let releaseMemory: @Sendable () -> Void

    /// - Parameter releaseMemory: hands back caches that only a burst needs (called once a burst is over).
    public init(
        desk: DraftLedger, rescan: Duration, notifier: SystemdNotifier, status: @escaping @Sendable () async -> String,
        releaseMemory: @escaping @Sendable () -> Void = {}
    ) {
        self.desk = desk
        self.rescan = rescan
        self.notifier = notifier
        self.status = status
        self.releaseMemory = releaseMemory
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var nextRescan = clock.now.advanced(by: rescan)
        var lastStatus = ""
        var trimmedAfter = Date.distantPast
        let issues = IssueStore(desk.state)
        var publication = try? await issues.publicationStamp()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(200)) }
            // An issue published by `briefd build` (another process) reaches the account within a tick.
            if let now = try? await issues.publicationStamp(), now != publication {
                publication = now
                await desk.publishedChanged()
            }
            if clock.now >= nextRescan {
                await desk.scanAll(reason: "periodic check")
                nextRescan = clock.now.advanced(by: rescan)
            }
            await desk.flush(force: false)
            let line = await status()
            if line != lastStatus {
                notifier.send("STATUS=" + line)
                lastStatus = line
            }
            // Once a burst is over (nothing changed for 2 s, no review awaited), the heap it grew is handed back
            // to the system: an idle daemon should hold what it needs when idle, not its peak.
            let (lastChange, awaited) = (await desk.lastChangeAt, await desk.reviewsAwaited)
            if lastChange > trimmedAfter && awaited == 0 && Date().timeIntervalSince(lastChange) >= 2 {
                releaseMemory()
                _ = malloc_trim(0)  // 1 when memory was released; nothing to do either way
                trimmedAfter = lastChange
            }
        }
        await desk.flush()
    }
}

/// glibc's `malloc_trim` (from `<malloc.h>`, which the Glibc module does not include): returns free heap pages
/// to the system. A plain C function of one `size_t`, so it can be named directly.
@_silgen_name("malloc_trim")
private func malloc_trim(_ pad: Int) -> Int32
