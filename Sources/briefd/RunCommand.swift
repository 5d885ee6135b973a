import ArgumentParser
import BriefdCore
import BriefdIO
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct RunCommand: ParsableCommand {
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

    func run() throws {
        let workspace = try options.loadWorkspace()
        let environment = ProcessInfo.processInfo.environment
        let level = Logger.Level(rawValue: logLevel ?? workspace.config.daemon.logLevel) ?? .info
        let underJournal = environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, level: level, underJournal: underJournal) }
        let logger = Logger(label: "briefd")
        let config = workspace.config

        let lock: InstanceLock
        let state: StateDatabase
        do {
            try AtomicOutput.makeFolders((config.paths.state as NSString).deletingLastPathComponent)
            lock = try InstanceLock(statePath: config.paths.state)
            state = try StateDatabase(path: config.paths.state)
            try AtomicOutput.makeFolders(config.paths.drafts)
            try AtomicOutput.makeFolders(config.paths.reports)
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
        let store = DaemonStore(state)
        let holder = WorkspaceHolder(workspace)
        let notifier = SystemdNotifier(environment: environment)
        let offline = self.offline
        let configPath = options.config
        let context = Context(
            workspace: workspace, store: store, holder: holder, notifier: notifier, logger: logger, offline: offline,
            configPath: configPath)
        let outcome = try blocking { try await RunCommand.serve(context) }
        withExtendedLifetime(lock) {}
        if outcome != 0 { throw ExitCode(outcome) }
    }

    /// The link and quote findings of a draft with the current config, for the desk's reports.
    static func networkChecker(_ holder: WorkspaceHolder) -> @Sendable (Draft) async -> [Finding] {
        { draft in
            let current = holder.workspace
            let links = LinkExtractor.links(in: draft)
            var results: [String: LinkResult] = [:]
            if !links.isEmpty {
                let run = LinkRun(config: current.config, registry: current.registry)
                for entry in (try? await run.check(links, useCache: true, version: Briefd.version))?.entries ?? [] {
                    results[entry.link.url] = entry.result
                }
            }
            let failed = QuoteRun.unreadable(results)
            let snapshots = (try? await QuoteRun(config: current.config).snapshots(
                for: [draft], refresh: false, fetch: true, version: Briefd.version, skipping: failed)) ?? [:]
            return LinkFindings.findings(path: draft.path, links: links, results: results)
                + (QuoteRun.findings([draft], snapshots: snapshots, registry: current.registry)[draft.path] ?? [])
        }
    }

    /// What the daemon needs, gathered on the main thread.
    struct Context: Sendable {
        var workspace: Workspace
        var store: DaemonStore
        var holder: WorkspaceHolder
        var notifier: SystemdNotifier
        var logger: Logger
        var offline: Bool
        var configPath: String?
    }

    /// Scans, watches, says READY, then runs the services until a graceful stop; returns the exit status.
    static func serve(_ context: Context) async throws -> Int32 {
        let (workspace, store, holder, notifier, logger, offline, configPath) = (
            context.workspace, context.store, context.holder, context.notifier, context.logger, context.offline,
            context.configPath
        )
        let config = workspace.config
        let networkCheck = offline ? nil : RunCommand.networkChecker(holder)
        let desk = try DraftDesk(workspace: workspace, store: store, logger: logger, networkCheck: networkCheck)
        // Watches first, then the scan, so that nothing written meanwhile is missed.
        let watcher: DraftWatcher
        do {
            watcher = try DraftWatcher(root: config.paths.drafts)
        } catch {
            logger.critical("cannot watch the drafts folder", metadata: ["error": "\(error)"])
            return 2
        }
        await desk.scanAll(reason: "start-up")
        // SIGHUP is trapped before READY=1: until then it would still kill the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let status: @Sendable () async -> String = {
            let counts = await desk.counts
            var line = "watching \(counts.ready + counts.needsWork + counts.unreadable) drafts: \(counts.ready) ready, "
            line += "\(counts.needsWork) need work, \(counts.unreadable) unreadable"
            if let next = BuildScheduler.nextDue(holder.workspace.config, store: store) { line += "; next build \(next)" }
            return line
        }
        notifier.send("READY=1", "STATUS=" + (await status()))
        logger.notice(
            "briefd is running", metadata: [
                "drafts": "\(config.paths.drafts)", "reports": "\(config.paths.reports)",
                "schedule": "\(config.daemon.build)", "offline": "\(offline)",
            ])
        var services: [any Service] = [
            WatchService(watcher: watcher, desk: desk, settle: .milliseconds(config.daemon.settleMilliseconds), logger: logger),
            UpkeepService(desk: desk, rescan: .seconds(config.daemon.rescanMinutes * 60), notifier: notifier, status: status),
            BuildScheduler(holder: holder, store: store, logger: logger),
            ReloadService(signals: hangups, configPath: configPath, holder: holder, desk: desk, notifier: notifier, logger: logger),
            WatchdogService(notifier: notifier),
            ShutdownNoticeService(notifier: notifier, logger: logger),
        ]
        // The link-rot monitor needs the network; --offline leaves it out.
        if !offline {
            services.append(RotService(holder: holder, interval: .seconds(600), logger: logger, environment: ProcessInfo.processInfo.environment))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
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
