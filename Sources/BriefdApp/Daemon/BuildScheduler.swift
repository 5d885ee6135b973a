public import BriefdIO
public import BriefdCore
public import Foundation
public import Logging
public import ServiceLifecycle

/// Builds the issue when the schedule falls due; a build missed while the daemon was down runs once at
/// start-up, and an issue already built is not built again.
public struct BuildScheduler: Service {
    let holder: WorkspaceHolder
    let state: StateDatabase
    let store: DaemonStore
    /// Publishes, as the desk does: the account's ready drafts, the workspace's lock, the account told.
    let newsroom: Newsroom
    let logger: Logger
    public static let scheduleName = "build"

    public init(holder: WorkspaceHolder, state: StateDatabase, newsroom: Newsroom, logger: Logger) {
        self.holder = holder
        self.state = state
        self.store = DaemonStore(state)
        self.newsroom = newsroom
        self.logger = logger
    }

    /// The scheduled build that makes the coming issue: the first due time whose issue (the issue weekday on or
    /// after its day) is not out yet. A due time whose issue is already out builds nothing, so it is never shown
    /// as "the next build" beside an issue it will not make. Nil when the schedule never falls due.
    public static func nextBuild(
        _ config: Config, store: DaemonStore, coming: Day, now: Date = Date()
    ) async -> (due: Date, issue: Day)? {
        // A schedule state that cannot be read counts as nothing handled: the time shown is then the schedule's.
        let handled = (try? await store.lastHandledDue(scheduleName)) ?? nil
        guard var due = nextDue(config, handled: handled, now: now) else { return nil }
        // At most two years of weekly builds; a schedule that reaches no later issue shows its next time.
        for _ in 0..<104 {
            if let day = config.daemon.build.localDay(of: due) {
                let issue = config.digest.issueWeekday.next(onOrAfter: day)
                if issue >= coming { return (due, issue) }
            }
            guard let later = config.daemon.build.next(after: due) else { break }
            due = later
        }
        return nextDue(config, handled: handled, now: now).map { due in
            (
                due,
                config.daemon.build.localDay(of: due).map { config.digest.issueWeekday.next(onOrAfter: $0) } ?? coming
            )
        }
    }

    private static func nextDue(_ config: Config, handled: Double?, now: Date) -> Date? {
        let handled = handled.map { Date(timeIntervalSince1970: $0) }
        return config.daemon.build.next(after: max(now, handled ?? now))
    }

    /// Returns only on shutdown: a failure to read or write the schedule's state (a busy or locked database) is
    /// logged and tried again, never the end of the daemon.
    public func run() async throws {
        await retrying("the schedule's catch-up") { try await catchUp() }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let schedule = holder.workspace.config.daemon.build
            guard
                let handledDue = await retrying(
                    "the schedule's state", { try await store.lastHandledDue(Self.scheduleName) })
            else {
                continue  // shutting down
            }
            let handled = handledDue.map { Date(timeIntervalSince1970: $0) } ?? Date()
            guard let due = schedule.next(after: max(handled, Date().addingTimeInterval(-1))) else {
                // Refused at load; should one slip through, the daemon goes on without scheduled builds, and says so.
                logger.error(
                    "the build schedule never falls due; no issue will be built on schedule",
                    metadata: ["schedule": "\(schedule)"])
                try? await gracefulShutdown()
                return
            }
            // Wake at least every 30 s: a wall-clock change or a reload moves the due time.
            while Date() < due && !Task.isShuttingDownGracefully && !Task.isCancelled {
                let wait = min(30, due.timeIntervalSinceNow)
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(Int(max(wait, 0.01) * 1000)))
                }
                if holder.workspace.config.daemon.build != schedule { break }
            }
            guard !Task.isShuttingDownGracefully, Date() >= due, holder.workspace.config.daemon.build == schedule else {
                continue
            }
            await buildUntilDone(due: due)
        }
    }

    /// The first wait before a failed scheduled build is tried again; it doubles up to `longestRetry`.
    static let firstRetry: Double = 10
    static let longestRetry: Double = 30 * 60

    /// Builds the issue of `due`, and while that fails tries again, 10 s after, then 20, 40 … up to 30 min apart,
    /// until it is built or the next build falls due (which then builds the coming issue). The due time is marked
    /// handled only then: a busy database, a full disk or a template typo at 3 a.m. does not lose the week's issue.
    private func buildUntilDone(due: Date) async {
        var wait = Self.firstRetry
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if await build(due: due) { return }
            let config = holder.workspace.config
            guard let next = config.daemon.build.next(after: due), Date().addingTimeInterval(wait) < next else {
                logger.error(
                    "the scheduled build failed and the next one is due before another try; giving up on this one",
                    metadata: ["due": "\(due)"])
                await markHandled(due)
                return
            }
            logger.notice(
                "the scheduled build will be tried again", metadata: ["due": "\(due)", "retry_in_s": "\(Int(wait))"])
            let seconds = wait
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(seconds)) }  // shutdown ends it
            wait = min(wait * 2, Self.longestRetry)
        }
    }

    private func markHandled(_ due: Date) async {
        do {
            try await store.setLastHandledDue(Self.scheduleName, due.timeIntervalSince1970)
        } catch {
            logger.error("cannot record the build as handled", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `body` until it succeeds or the daemon stops, waiting 1 s, then 2, 4 … up to 60 s between tries; nil when
    /// the daemon stopped first.
    @discardableResult
    func retrying<T>(_ what: String, _ body: () async throws -> T) async -> T? {
        var wait = 1.0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                return try await body()
            } catch {
                logger.error(
                    "\(what) cannot be read or written; trying again",
                    metadata: ["error": "\(error)", "retry_in_s": "\(Int(wait))"])
                let seconds = wait
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(seconds)) }
                wait = min(wait * 2, 60)
            }
        }
        return nil
    }

    /// At start-up: the last due time before now, if it was not handled, is built now (once).
    private func catchUp() async throws {
        let now = Date()
        let schedule = holder.workspace.config.daemon.build
        guard let handled = try await store.lastHandledDue(Self.scheduleName) else {
            // First start: nothing was missed; from now on every due time counts.
            try await store.setLastHandledDue(Self.scheduleName, now.timeIntervalSince1970)
            return
        }
        if let previous = schedule.previous(atOrBefore: now), previous.timeIntervalSince1970 > handled {
            logger.notice(
                "a scheduled build fell due while briefd was down; building it now", metadata: ["due": "\(previous)"])
            await buildUntilDone(due: previous)
        } else {
            logger.info(
                "the schedule is up to date: nothing fell due while briefd was down",
                metadata: ["next": "\(schedule.next(after: now).map { "\($0)" } ?? "none")"])
        }
    }

    /// One try at the build of `due`, recorded with its outcome; true when it is done (built, empty or already out),
    /// false when it failed.
    private func build(due: Date) async -> Bool {
        let workspace = holder.workspace
        let config = workspace.config
        guard let day = config.daemon.build.localDay(of: due) else { return true }
        let issue = config.digest.issueWeekday.next(onOrAfter: day)
        var outcome: DaemonStore.BuildOutcome
        do {
            if try await IssueStore(state).issues().contains(where: { $0.date == issue.description }) {
                // The schedule never replaces a published issue: that is an editor's decision (`build --replace`).
                outcome = .alreadyBuilt
                logger.notice(
                    "the issue is already out; the schedule does not replace it", metadata: ["issue": "\(issue)"])
            } else {
                switch await newsroom.publish(issue, trigger: .scheduled) {
                case .done(let result, _, _):
                    // Logged and counted by the publish path, as every build is.
                    outcome = result.isEmpty ? .empty : .built
                case .failed(let refusal, _) where refusal.step == .published:
                    // Published by another build (the desk, a terminal) while this one waited for the workspace's
                    // lock.
                    outcome = .alreadyBuilt
                    logger.notice(
                        "the issue was published by another build meanwhile; the schedule does not replace it",
                        metadata: ["issue": "\(issue)"])
                case .failed(let failure, _):
                    outcome = .failed("\(failure)")
                case .busy:
                    // The desk is publishing in this process: tried again, and then refused by name if it was this issue.
                    outcome = .failed("another build from this daemon was running")
                }
            }
        } catch {
            outcome = .failed("\(error)")
            logger.error("scheduled build failed", metadata: ["issue": "\(issue)", "error": "\(error)"])
        }
        do {
            try await store.recordBuild(
                due: due.timeIntervalSince1970, issueDate: issue.description, finishedAt: Date().timeIntervalSince1970,
                outcome: outcome)
        } catch {
            logger.error("cannot record the build", metadata: ["error": "\(error)"])
        }
        if case .failed = outcome { return false }
        await markHandled(due)
        return true
    }
}
