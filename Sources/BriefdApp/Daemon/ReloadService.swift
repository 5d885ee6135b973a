public import BriefdIO
import BriefdCore
import Foundation
public import Logging
public import ServiceLifecycle
public import UnixSignals

/// SIGHUP: reload the config and the registry; a broken new config is logged and the old one kept; every
/// draft is then checked against the new ones. A new drafts folder is watched before it is scanned, and the old
/// one's watcher stops after: nothing written in the new folder meanwhile is missed.
public struct ReloadService: Service {
    let signals: UnixSignalsSequence
    let configPath: String?
    let holder: WorkspaceHolder
    let desk: DraftLedger
    let folder: WatchedFolder
    let links: LinkService?
    let notifier: SystemdNotifier
    let logger: Logger

    public init(
        signals: UnixSignalsSequence, configPath: String?, holder: WorkspaceHolder, desk: DraftLedger,
        folder: WatchedFolder, links: LinkService?, notifier: SystemdNotifier, logger: Logger
    ) {
        self.signals = signals
        self.configPath = configPath
        self.holder = holder
        self.desk = desk
        self.folder = folder
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
                let (oldFolder, newFolder) = (before.config.paths.drafts, workspace.config.paths.drafts)
                let movedWatcher = oldFolder == newFolder ? nil : try watcher(of: newFolder)
                holder.replace(workspace)
                holder.noteReload(.applied)
                var metadata: Logger.Metadata = ["config": "\(workspace.config.path)"]
                if movedWatcher != nil { metadata["drafts"] = "\(oldFolder) -> \(newFolder)" }
                logger.notice("reloaded the config and the registry", metadata: metadata)
                links?.checker.use(workspace.registry)
                // Scanned with the new watcher already watching; the old folder's drafts and reports are forgotten.
                await desk.reload(workspace)
                if let movedWatcher { folder.replace(with: movedWatcher) }
            } catch {
                holder.noteReload(.failed(reason: "\(error)"))
                logger.error(
                    "the new config or registry is broken; keeping the old one", metadata: ["error": "\(error)"])
            }
            notifier.send("READY=1")
        }
    }

    /// A watcher of the new drafts folder; one that cannot be made refuses the reload (the old config stays).
    private func watcher(of folder: String) throws -> DraftWatcher {
        do {
            return try DraftWatcher(root: folder)
        } catch {
            throw WatchedFolderError(description: "the new drafts folder \(folder) cannot be watched: \(error)")
        }
    }
}

struct WatchedFolderError: Error, CustomStringConvertible {
    var description: String
}
