import BriefdIO
import BriefdCore
import Foundation
public import Logging
public import ServiceLifecycle

/// Feeds the watcher's events to the desk; a draft is checked once it has been quiet for the settle time,
/// so a burst of writes gives one check. When a reload moves the drafts folder, it goes on with the new watcher.
public struct WatchService: Service {
    let folder: WatchedFolder
    let desk: DraftLedger
    let settle: Duration
    let logger: Logger

    public init(folder: WatchedFolder, desk: DraftLedger, settle: Duration, logger: Logger) {
        self.folder = folder
        self.desk = desk
        self.settle = settle
        self.logger = logger
    }

    public func run() async throws {
        let settler = Settler()
        // The settle timers are children of this service: none outlives it.
        await withDiscardingTaskGroup { group in
            var watcher = folder.watcher
            while true {
                for await event in watcher.events.cancelOnGracefulShutdown() {
                    await handle(event, settler: settler, group: &group)
                }
                // The events end at a stop, or because a reload put a new watcher in place.
                let next = folder.watcher
                guard next !== watcher else { break }
                watcher = next
            }
        }
        folder.stop()
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

/// The settle timers' state (`SettleTimers`, Core) shared by the timers this service runs.
actor Settler {
    private var timers = SettleTimers()

    func arm(_ path: String) -> Int { timers.changed(path) }

    func fire(_ path: String, _ generation: Int) -> Bool { timers.timerRanOut(path, generation: generation) }

    func disarm(_ path: String) { timers.removed(path) }
}
