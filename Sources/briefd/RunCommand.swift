import ArgumentParser
import BriefdCore
import BriefdDesk
import BriefdIO
import BriefdApp
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: watch the drafts folder, report on every draft, build issues on schedule.",
        discussion: """
            Reports go to paths.reports (DRAFT.report.txt, DRAFT.report.json, INDEX.md, INDEX.json). SIGHUP \
            reloads the config and the registry; SIGTERM or SIGINT stops gracefully. Under systemd it speaks \
            sd_notify (Type=notify, watchdog). Exit status: 0 after a graceful stop, 2 for config problems, an \
            unusable state database, or a second instance on the same state database.
            """
    )

    @OptionGroup var options: ConfigOption

    @Flag(help: "Only the checks that need no network (no link checks).")
    var offline = false

    @Option(help: "trace, debug, info, notice, warning, error or critical (default: log_level from the config).")
    var logLevel: String?

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let environment = ProcessInfo.processInfo.environment
        let level = Logger.Level(rawValue: logLevel ?? workspace.config.daemon.logLevel) ?? .info
        let underJournal = environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, level: level, underJournal: underJournal) }
        let logger = Logger(label: "briefd")
        let config = workspace.config
        if let problem = DeskSecurity.startupProblem(config.web, environment: environment) {
            FileHandleOutput.write("briefd: \(workspace.config.path): \(problem)\n", to: .standardError)
            throw ExitCode(2)
        }
        // One metrics registry for the process; the desk serves it at /metrics.
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))

        // A drafts folder that is not there is a mistake in the config (or a missing mount), not an empty desk: the
        // daemon would watch nothing and say all is well.
        if let problem = Workspace.draftsFolderProblem(config) {
            FileHandleOutput.write("briefd: \(workspace.config.path): \(problem)\n", to: .standardError)
            throw ExitCode(2)
        }
        let lock: InstanceLock
        let state: StateDatabase
        do {
            try AtomicOutput.makeFolders((config.paths.state as NSString).deletingLastPathComponent)
            lock = try InstanceLock(statePath: config.paths.state)
            // The one database pool of the process, handed to every store and service.
            state = try StateDatabase(path: config.paths.state)
            try AtomicOutput.makeFolders(config.paths.reports)
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
        await recordMissingBuildTimes(config, state: state)
        let context = Context(
            workspace: workspace, state: state, holder: WorkspaceHolder(workspace),
            notifier: SystemdNotifier(environment: environment), logger: logger, offline: offline,
            configPath: options.config,
            metrics: metrics, environment: environment)
        let outcome = try await RunCommand.serve(context)
        withExtendedLifetime(lock) {}
        if outcome != 0 { throw ExitCode(outcome) }
    }

    /// What the daemon needs, gathered before it starts.
    struct Context: Sendable {
        var workspace: Workspace
        var state: StateDatabase
        var holder: WorkspaceHolder
        var notifier: SystemdNotifier
        var logger: Logger
        var offline: Bool
        var configPath: String?
        var metrics: PrometheusCollectorRegistry
        var environment: [String: String]
    }

    /// Scans, watches, says READY, then runs the services until a graceful stop; returns the exit status.
    static func serve(_ context: Context) async throws -> Int32 {
        let (workspace, state, holder, notifier, logger, offline) = (
            context.workspace, context.state, context.holder, context.notifier, context.logger, context.offline
        )
        let config = workspace.config
        let store = DaemonStore(state)
        // The one link service of the process: every draft's review and the link-rot monitor share its limits.
        let links =
            offline
            ? nil
            : LinkService(settings: config.links, registry: workspace.registry, state: state, version: Briefd.version)
        let reviews = offline ? nil : ReviewQueue()
        let feed = DeskFeed()
        let desk = try await DraftLedger(
            workspace: workspace, store: store, logger: logger, reviews: reviews, version: Briefd.version, feed: feed)
        // Watches first, then the scan, so that nothing written meanwhile is missed.
        let folder: WatchedFolder
        do {
            folder = WatchedFolder(try DraftWatcher(root: config.paths.drafts))
        } catch {
            logger.critical("cannot watch the drafts folder", metadata: ["error": "\(error)"])
            await links?.shutdown()
            return 2
        }
        // Signals are trapped before the start-up scan: a SIGTERM during a long scan stops the daemon gracefully
        // as soon as its services run, instead of killing it; SIGHUP before READY=1 would kill it too.
        let stops = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await desk.scanAll(reason: "start-up")
        let status: @Sendable () async -> String = {
            var line = "watching " + DraftIndex.summaryLine(await desk.account.counts)
            let config = holder.workspace.config
            if let next = await BuildScheduler.nextBuild(config, store: store, coming: await desk.account.nextIssue) {
                line += "; next build \(ZonedTime.text(next.due, in: config.daemon.build.timeZone)) "
                line += "for the issue of \(next.issue)"
            }
            return line
        }
        notifier.send("READY=1", "STATUS=" + (await status()))
        logger.notice(
            "briefd is running",
            metadata: [
                "drafts": "\(config.paths.drafts)", "reports": "\(config.paths.reports)",
                "schedule": "\(config.daemon.build)", "offline": "\(offline)",
            ])
        // A graceful stop runs from the last service to the first: STOPPING=1, then the link service (so that
        // transfers in flight end at once), the rot monitor, ..., the reviews, the watcher, and last the upkeep,
        // whose final flush saves what the others left.
        let newsroom = Newsroom(holder: holder, drafts: desk, feed: feed, state: state, links: links, logger: logger)
        var services: [any Service] = [
            UpkeepService(
                desk: desk, rescan: .seconds(config.daemon.rescanMinutes * 60), notifier: notifier, status: status,
                releaseMemory: {
                    links?.checker.forgetRecentResults()
                    state.releaseMemory()
                }, logger: logger),
            WatchService(
                folder: folder, desk: desk, settle: .milliseconds(config.daemon.settleMilliseconds), logger: logger),
        ]
        if let links, let reviews {
            services.append(ReviewService(queue: reviews, desk: desk, holder: holder, links: links, logger: logger))
            services.append(NetworkReturnService(desk: desk, links: links, logger: logger))
        }
        services += [
            BuildScheduler(holder: holder, state: state, newsroom: newsroom, logger: logger),
            ReloadService(
                signals: hangups, configPath: context.configPath, holder: holder, desk: desk, folder: folder,
                links: links, notifier: notifier,
                logger: logger),
            WatchdogService(notifier: notifier),
        ]
        if let links {
            services.append(
                RotService(
                    holder: holder, account: desk, links: links, interval: .seconds(600), logger: logger,
                    environment: ProcessInfo.processInfo.environment))
            services.append(
                PreservationService(
                    holder: holder, links: links, publications: desk.publications, logger: logger,
                    environment: ProcessInfo.processInfo.environment))
            services.append(LinkServiceOwner(links: links))
        }
        // The desk stops early in a graceful stop (services stop from the last to the first): its live pages end
        // before the services they show.
        if let address = config.web.address, config.web.isEnabled {
            let token = config.web.tokenEnv.flatMap { context.environment[$0] }
            let app = DeskApp(
                newsroom: newsroom,
                security: DeskSecurity(token: token, publicURL: config.web.publicURL, listen: config.web),
                metrics: context.metrics, logger: logger)
            services.append(DeskService(app: app, host: address.host, port: address.port))
        }
        services.append(ShutdownNoticeService(notifier: notifier, logger: logger))
        services.append(StopSignalService(signals: stops, logger: logger))
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map {
                .init(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            logger.error("stopped after an error", metadata: ["error": "\(error)"])
            return 1
        }
        logger.notice("stopped")
        return 0
    }
}
