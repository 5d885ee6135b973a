public import BriefdIO
import BriefdCore
import Foundation
@preconcurrency import Glibc
public import Logging
public import ServiceLifecycle

/// Saves state and rewrites the index when something changed (the ledger rings; a burst at most ten times a
/// second), compares the whole folder with the database every `rescan` minutes, reads the record of published
/// issues once a second for builds made by other processes, and keeps systemd's STATUS line current.
public struct UpkeepService: Service {
    /// The shortest time between two rounds of upkeep: a burst of changes is saved and indexed ten times a second.
    static let burstGap = Duration.milliseconds(100)
    /// How often the record of published issues is read for a build made by another process (`briefd build`).
    static let publicationCheck = Duration.seconds(1)
    let desk: DraftLedger
    let rescan: Duration
    let notifier: SystemdNotifier
    let status: @Sendable () async -> String
    let releaseMemory: @Sendable () -> Void
    let logger: Logger

    /// - Parameter releaseMemory: hands back caches that only a burst needs (called once a burst is over).
    public init(
        desk: DraftLedger, rescan: Duration, notifier: SystemdNotifier, status: @escaping @Sendable () async -> String,
        releaseMemory: @escaping @Sendable () -> Void = {}, logger: Logger = Logger(label: "briefd.upkeep")
    ) {
        self.logger = logger
        self.desk = desk
        self.rescan = rescan
        self.notifier = notifier
        self.status = status
        self.releaseMemory = releaseMemory
    }

    /// The record of published issues' stamp; nil (and said in the log) when it cannot be read, so that an
    /// unreadable database never passes for "nothing published".
    private func publicationStamp(_ issues: IssueStore) async -> String? {
        do {
            return try await issues.publicationStamp()
        } catch {
            logger.warning("cannot read the record of published issues", metadata: ["error": "\(error)"])
            return nil
        }
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var nextRescan = clock.now.advanced(by: rescan)
        var lastStatus = ""
        var trimmedAfter = Date.distantPast
        let issues = IssueStore(desk.state)
        var publication = await publicationStamp(issues)
        var nextPublicationCheck = clock.now
        var wait = Duration.zero
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // Asleep until the ledger rings (a change to save, write or show) or a timed duty falls due: the
            // periodic rescan, the look at issues other processes publish, the trim after a burst.
            let started = clock.now
            let limit = wait
            _ = await cancelWhenGracefulShutdown { await desk.changes.wait(upTo: limit) }
            // A burst rings many times: its work is done at most ten times a second.
            let woke = clock.now
            if woke - started < Self.burstGap {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.burstGap - (woke - started)) }
            }
            // An issue published by `briefd build` (another process, whose writes ring nothing here) reaches the
            // account within `publicationCheck`.
            if clock.now >= nextPublicationCheck {
                nextPublicationCheck = clock.now.advanced(by: Self.publicationCheck)
                if let now = await publicationStamp(issues), now != publication {
                    publication = now
                    await desk.publishedChanged()
                }
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
            var next = min(nextRescan, nextPublicationCheck)
            if await desk.hasUpkeepPending {
                // Soon, or when the backoff after failures lets the next try happen.
                let backoff = max(0, await desk.nextUpkeepAttempt.timeIntervalSinceNow)
                next = min(next, clock.now.advanced(by: max(Self.burstGap, .milliseconds(Int(backoff * 1000)))))
            }
            if lastChange > trimmedAfter && awaited == 0 {
                next = min(next, clock.now.advanced(by: .seconds(max(0, 2 - Date().timeIntervalSince(lastChange)))))
            }
            wait = max(.zero, next - clock.now)
        }
        await desk.flush()
    }
}

/// glibc's `malloc_trim` (from `<malloc.h>`, which the Glibc module does not include): returns free heap pages
/// to the system. A plain C function of one `size_t`, so it can be named directly.
@_silgen_name("malloc_trim")
private func malloc_trim(_ pad: Int) -> Int32
