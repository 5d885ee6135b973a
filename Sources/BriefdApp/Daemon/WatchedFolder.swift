public import BriefdIO
import Synchronization

/// The drafts folder's watcher, replaced when a reload moves `paths.drafts`. The new watcher is made (and watches)
/// before the new folder is scanned and before the old watcher stops, so nothing written in the new folder
/// meanwhile is missed; `WatchService` then goes on with the new watcher's events.
public final class WatchedFolder: Sendable {
    private let current: Mutex<DraftWatcher>

    public init(_ watcher: DraftWatcher) { current = Mutex(watcher) }

    /// The watcher in use now.
    public var watcher: DraftWatcher { current.withLock { $0 } }

    /// Puts `watcher` in place and stops the old one, whose events then end.
    public func replace(with watcher: DraftWatcher) {
        let old = current.withLock { current in
            let old = current
            current = watcher
            return old
        }
        old.stop()
    }

    func stop() { watcher.stop() }
}
