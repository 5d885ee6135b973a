public import BriefdCore
public import Foundation
@preconcurrency import Glibc
public import Logging
import Metrics
public import ServiceLifecycle
import Synchronization
public import UnixSignals

/// The current workspace (config and registry), replaced as a whole on SIGHUP, and how the last reload went.
public final class WorkspaceHolder: Sendable {
    private let current: Mutex<Workspace>
    private let lastReload = Mutex<(at: Date, outcome: ReloadOutcome)?>(nil)

    /// How a reload ended: applied whole, refused (naming the settings only a restart applies), or failed.
    public enum ReloadOutcome: Sendable, Equatable {
        case applied
        case refused(settings: [String])
        case failed(reason: String)
    }

    public init(_ workspace: Workspace) { current = Mutex(workspace) }
    public var workspace: Workspace { current.withLock { $0 } }
    public func replace(_ workspace: Workspace) { current.withLock { $0 = workspace } }

    /// The last reload's time and outcome, for `/healthz` and the desk; nil when none happened.
    public var reload: (at: Date, outcome: ReloadOutcome)? { lastReload.withLock { $0 } }
    func noteReload(_ outcome: ReloadOutcome) { lastReload.withLock { $0 = (Date(), outcome) } }
}

/// Feeds the watcher's events to the desk; a draft is checked once it has been quiet for the settle time,
/// so a burst of writes gives one check.
public struct WatchService: Service {
    let watcher: DraftWatcher
    let desk: DraftDesk
    let settle: Duration
    let logger: Logger

    public init(watcher: DraftWatcher, desk: DraftDesk, settle: Duration, logger: Logger) {
        self.watcher = watcher
        self.desk = desk
        self.settle = settle
        self.logger = logger
    }

    public func run() async throws {
        let settler = Settler()
        // The settle timers are children of this service: none outlives it.
        await withDiscardingTaskGroup { group in
            for await event in watcher.events.cancelOnGracefulShutdown() {
                await handle(event, settler: settler, group: &group)
            }
        }
        watcher.stop()
    }

    private func handle(_ event: WatchEvent, settler: Settler, group: inout DiscardingTaskGroup) async {
        switch event {
        case .changed(let path):
            let generation = await settler.arm(path)
            let (desk, settle) = (self.desk, self.settle)
            group.addTask {
                // Cancelled (a stop): the draft is checked at the next start-up scan instead.
                guard (try? await Task.sleep(for: settle)) != nil else { return }
                if await settler.fire(path, generation) { await desk.changed(path) }
            }
        case .removed(let path):
            await settler.disarm(path)
            await desk.removed(path)
        case .folderAppeared(let folder):
            await desk.scanAll(reason: "new folder \(folder)")
        case .folderRemoved(let folder):
            await desk.folderRemoved(folder)
        case .rescan(let reason):
            logger.notice("rescanning the drafts folder", metadata: ["reason": "\(reason)"])
            await desk.scanAll(reason: reason)
        case .rootGone:
            logger.warning("the drafts folder disappeared; reports are kept until it comes back")
        case .folderNotWatched(let folder, let reason):
            logger.warning(
                "a drafts subfolder cannot be watched; its drafts are checked only at each rescan (docs/deploy.md)",
                metadata: ["folder": "\(folder)", "reason": "\(reason)"])
        }
    }
}

/// Per-path generations: only the last event of a burst leads to a check.
actor Settler {
    private var generations: [String: Int] = [:]

    func arm(_ path: String) -> Int {
        let next = (generations[path] ?? 0) + 1
        generations[path] = next
        return next
    }

    func fire(_ path: String, _ generation: Int) -> Bool {
        guard generations[path] == generation else { return false }
        generations[path] = nil
        return true
    }

    func disarm(_ path: String) { generations[path] = nil }
}

/// Saves state and rewrites the index a few times a second when something changed, compares the whole
/// folder with the database every `rescan` minutes, and keeps systemd's STATUS line current.
public struct UpkeepService: Service {
    let desk: DraftDesk
    let rescan: Duration
    let notifier: SystemdNotifier
    let status: @Sendable () async -> String
    let releaseMemory: @Sendable () -> Void

    /// - Parameter releaseMemory: hands back caches that only a burst needs (called once a burst is over).
    public init(
        desk: DraftDesk, rescan: Duration, notifier: SystemdNotifier, status: @escaping @Sendable () async -> String,
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

/// SIGTERM or SIGINT: a graceful stop of the whole group (this service returns, and the group's configuration
/// turns that into a graceful shutdown). The signals are trapped before the start-up scan, so one that came
/// during the scan waits here instead of killing the process.
public struct StopSignalService: Service {
    let signals: UnixSignalsSequence
    let logger: Logger

    public init(signals: UnixSignalsSequence, logger: Logger) {
        self.signals = signals
        self.logger = logger
    }

    public func run() async throws {
        for await signal in signals.cancelOnGracefulShutdown() {
            logger.notice("stopping", metadata: ["signal": "\(signal)"])
            return
        }
    }
}

/// Sends `STOPPING=1` as soon as a graceful shutdown begins.
public struct ShutdownNoticeService: Service {
    let notifier: SystemdNotifier
    let logger: Logger

    public init(notifier: SystemdNotifier, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        logger.notice("shutting down")
        notifier.send("STOPPING=1")
    }
}

/// `WATCHDOG=1` every half `WATCHDOG_USEC`, while the process is responsive.
public struct WatchdogService: Service {
    let notifier: SystemdNotifier

    public init(notifier: SystemdNotifier) { self.notifier = notifier }

    public func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            notifier.send("WATCHDOG=1")
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

/// SIGHUP: reload the config and the registry; a broken new config is logged and the old one kept; every
/// draft is then checked against the new ones.
public struct ReloadService: Service {
    let signals: UnixSignalsSequence
    let configPath: String?
    let holder: WorkspaceHolder
    let desk: DraftDesk
    let links: LinkService?
    let notifier: SystemdNotifier
    let logger: Logger

    public init(
        signals: UnixSignalsSequence, configPath: String?, holder: WorkspaceHolder, desk: DraftDesk,
        links: LinkService?,
        notifier: SystemdNotifier, logger: Logger
    ) {
        self.signals = signals
        self.configPath = configPath
        self.holder = holder
        self.desk = desk
        self.links = links
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            notifier.send("RELOADING=1", "MONOTONIC_USEC=\(Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1000)")
            do {
                let workspace = try Workspace.load(configPath: configPath)
                let before = holder.workspace
                // Applied whole or not at all: settings set up at start are named, and the old config stays.
                let needRestart = ReloadCheck.settingsNeedingRestart(old: before.config, new: workspace.config)
                guard needRestart.isEmpty else {
                    holder.noteReload(.refused(settings: needRestart))
                    logger.error(
                        "the new config was not applied: these settings change only when briefd is restarted; the old config stays",
                        metadata: [
                            "settings": "\(needRestart.joined(separator: ", "))", "config": "\(workspace.config.path)",
                        ])
                    notifier.send("READY=1")
                    continue
                }
                holder.replace(workspace)
                holder.noteReload(.applied)
                logger.notice("reloaded the config and the registry", metadata: ["config": "\(workspace.config.path)"])
                links?.checker.use(workspace.registry)
                await desk.reload(workspace)
            } catch {
                holder.noteReload(.failed(reason: "\(error)"))
                logger.error(
                    "the new config or registry is broken; keeping the old one", metadata: ["error": "\(error)"])
            }
            notifier.send("READY=1")
        }
    }
}

/// Builds the issue when the schedule falls due; a build missed while the daemon was down runs once at
/// start-up, and an issue already built is not built again.
public struct BuildScheduler: Service {
    let holder: WorkspaceHolder
    let state: StateDatabase
    let store: DaemonStore
    /// The account the build takes its drafts from; told when the issue is published.
    let desk: DraftDesk?
    let logger: Logger
    public static let scheduleName = "build"

    public init(holder: WorkspaceHolder, state: StateDatabase, desk: DraftDesk? = nil, logger: Logger) {
        self.holder = holder
        self.state = state
        self.store = DaemonStore(state)
        self.desk = desk
        self.logger = logger
    }

    /// When the next build is due, for `briefd status` and the STATUS line.
    public static func nextDue(_ config: Config, store: DaemonStore, now: Date = Date()) -> Date? {
        nextDue(config, handled: (try? store.lastHandledDue(scheduleName)) ?? nil, now: now)
    }

    /// The same from async code, without blocking a thread of the concurrency pool on the database.
    public static func nextDue(_ config: Config, store: DaemonStore, now: Date = Date()) async -> Date? {
        nextDue(config, handled: (try? await store.lastHandledDueOffThePool(scheduleName)) ?? nil, now: now)
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
                let handledDue = await retrying("the schedule's state", { try store.lastHandledDue(Self.scheduleName) })
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
            await build(due: due)
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
        guard let handled = try store.lastHandledDue(Self.scheduleName) else {
            // First start: nothing was missed; from now on every due time counts.
            try store.setLastHandledDue(Self.scheduleName, now.timeIntervalSince1970)
            return
        }
        if let previous = schedule.previous(atOrBefore: now), previous.timeIntervalSince1970 > handled {
            logger.notice(
                "a scheduled build fell due while briefd was down; building it now", metadata: ["due": "\(previous)"])
            await build(due: previous)
        } else {
            logger.info(
                "the schedule is up to date: nothing fell due while briefd was down",
                metadata: ["next": "\(schedule.next(after: now).map { "\($0)" } ?? "none")"])
        }
    }

    private func build(due: Date) async {
        let workspace = holder.workspace
        let config = workspace.config
        guard let day = config.daemon.build.localDay(of: due) else { return }
        let issue = config.digest.issueWeekday.next(onOrAfter: day)
        var outcome: DaemonStore.BuildOutcome
        let began = DispatchTime.now()
        defer {
            Timer(label: "briefd_build_seconds").recordInterval(since: began)
            Counter(label: "briefd_builds_total", dimensions: [("outcome", outcome.kind)]).increment()
        }
        do {
            if try IssueStore(state).issues().contains(where: { $0.date == issue.description }) {
                // The schedule never replaces a published issue: that is an editor's decision (`build --replace`).
                outcome = .alreadyBuilt
                logger.notice(
                    "the issue is already out; the schedule does not replace it", metadata: ["issue": "\(issue)"])
            } else {
                let account = await desk?.draftsForBuild(target: issue)
                let result = try await DigestBuild(config: config, registry: workspace.registry, state: state)
                    .run(date: issue, root: config.paths.digests, dryRun: false, account: account, trigger: .scheduled)
                await desk?.publishedChanged()
                outcome = result.isEmpty ? .empty : .built
                let report = result.report
                logger.notice(
                    "scheduled build",
                    metadata: [
                        "issue": "\(issue)", "outcome": "\(outcome)", "items": "\(report.included.count)",
                        "left_out": "\(report.leftOut.count)",
                    ])
            }
        } catch {
            outcome = .failed("\(error)")
            let failure = error as? DigestBuild.BuildError
            logger.error(
                failure?.isDiskFull == true ? "scheduled build failed: the disk is full" : "scheduled build failed",
                metadata: ["issue": "\(issue)", "step": "\(failure?.step.rawValue ?? "unknown")", "error": "\(error)"])
        }
        do {
            try store.recordBuild(
                due: due.timeIntervalSince1970, issueDate: issue.description, finishedAt: Date().timeIntervalSince1970,
                outcome: outcome)
            try store.setLastHandledDue(Self.scheduleName, due.timeIntervalSince1970)
        } catch {
            logger.error("cannot record the build", metadata: ["error": "\(error)"])
        }
    }
}

/// The link-rot monitor in the daemon: a pass every `interval` checks the links that are due (each published
/// link every `rot.recheck_hours`, spread over that interval) and delivers alerts, retrying failed sinks. Its
/// checks go through the daemon's one link service, within the same politeness limits as the drafts' reviews.
public struct RotService: Service {
    let holder: WorkspaceHolder
    let links: LinkService
    let interval: Duration
    let logger: Logger
    let environment: [String: String]

    public init(
        holder: WorkspaceHolder, links: LinkService, interval: Duration, logger: Logger, environment: [String: String]
    ) {
        self.holder = holder
        self.links = links
        self.interval = interval
        self.logger = logger
        self.environment = environment
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let workspace = holder.workspace
            let config = workspace.config
            do {
                let seconds = Double(interval.components.seconds)
                let pass = try await RotMonitor(config: config, registry: workspace.registry)
                    .pass(now: Date().timeIntervalSince1970, everything: false, passInterval: seconds, links: links)
                for alert in pass.alerts {
                    logger.warning("link rot", metadata: ["kind": "\(alert.kind.rawValue)", "url": "\(alert.url)"])
                }
                let delivery = await AlertDispatcher(
                    settings: config.alerts, newsletter: config.newsletter.name, environment: environment
                )
                .deliver(RotStore(links.state), now: Date().timeIntervalSince1970)
                for (sink, error) in delivery.errors {
                    logger.error(
                        "alerts not delivered; will retry", metadata: ["sink": "\(sink.rawValue)", "error": "\(error)"])
                }
            } catch {
                logger.error("link-rot pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

/// The link and quote reviews of changed drafts: a fixed number of workers take drafts from the queue and
/// review each through the daemon's one link service, so a burst of drafts queues work instead of starting
/// a task per draft, and the politeness limits hold across all of them.
public struct ReviewService: Service {
    let queue: ReviewQueue
    let desk: DraftDesk
    let holder: WorkspaceHolder
    let links: LinkService
    let workers: Int
    let logger: Logger

    /// - Parameter workers: drafts reviewed at once: enough to keep every host's queue in the link service
    ///   busy; the service's limits, not this, bound what publishers see.
    public init(
        queue: ReviewQueue, desk: DraftDesk, holder: WorkspaceHolder, links: LinkService, workers: Int = 32,
        logger: Logger
    ) {
        self.queue = queue
        self.desk = desk
        self.holder = holder
        self.links = links
        self.workers = max(1, workers)
        self.logger = logger
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<workers { group.addTask { await self.work() } }
            group.addTask {
                // A stop closes the queue: the workers finish the review in hand (the link service, stopped
                // before this service, answers at once) and return.
                try? await gracefulShutdown()
                queue.close()
            }
        }
    }

    private func work() async {
        while let job = await queue.next() {
            guard let draft = await desk.draftForReview(job) else { continue }  // Changed: a newer job follows.
            let workspace = holder.workspace
            let review = RunContext(
                config: workspace.config, registry: workspace.registry, state: links.state, links: links)
            do {
                let outcome = try await review.review([draft], mode: .online(refreshPages: false))
                // Cut short by a stop: no report from half the answers; the next start reviews it again.
                guard outcome.complete else { continue }
                await desk.reviewed(job, findings: outcome.findings[draft.path] ?? [])
            } catch {
                // Never read as clean: the draft stays `checking`, with the reason, and is reviewed again later.
                let wait = await desk.reviewFailed(job, reason: "\(error)")
                logger.error(
                    "cannot review a draft's links and quotes; it stays 'checking' and is tried again",
                    metadata: [
                        "draft": "\(draft.path)", "error": "\(error)", "retry_in": "\(wait.map { "\($0)" } ?? "-")",
                    ])
            }
        }
    }
}

/// Reviews a draft again when its turn comes: after a failed review's backoff, and once host names resolve again
/// for drafts whose links could not be checked because the network was down.
public struct NetworkReturnService: Service {
    let desk: DraftDesk
    let links: LinkService
    let logger: Logger

    public init(desk: DraftDesk, links: LinkService, logger: Logger) {
        self.desk = desk
        self.links = links
        self.logger = logger
    }

    public func run() async throws {
        var lastProbe = ContinuousClock.now - .seconds(3600)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(5)) }
            await desk.retryFailedReviews(now: Date())
            // Probing the resolver once a minute at most, and only while some draft waits for it.
            guard ContinuousClock.now - lastProbe >= .seconds(60) else { continue }
            let waiting = await desk.draftsWithUnverifiedLinks
            guard !waiting.isEmpty else { continue }
            lastProbe = ContinuousClock.now
            guard await links.checker.resolver.namesResolve(fresh: true) else { continue }
            logger.notice(
                "host names resolve again; checking the links that could not be checked",
                metadata: ["drafts": "\(waiting.count)"])
            for (path, hash) in waiting { await desk.reviewAgain(path: path, hash: hash) }
        }
    }
}

/// Holds the daemon's link service for the life of the service group and stops it first on a graceful
/// shutdown (it is the last service in the group), so that transfers in flight end at once instead of
/// running into `TimeoutStopSec`.
public struct LinkServiceOwner: Service {
    let links: LinkService

    public init(links: LinkService) { self.links = links }

    public func run() async throws {
        try? await gracefulShutdown()
        await links.shutdown()
    }
}

/// glibc's `malloc_trim` (from `<malloc.h>`, which the Glibc module does not include): returns free heap pages
/// to the system. A plain C function of one `size_t`, so it can be named directly.
@_silgen_name("malloc_trim")
private func malloc_trim(_ pad: Int) -> Int32
