/// When a changed draft is checked: once it has been quiet for the settle time, so that an editor's burst of
/// writes (an editor's save is often several: truncate, write, rename) gives one check, of the last text.
///
/// The watcher arms a timer for each change; only the timer of the last change of a burst fires the check. The
/// state is per path and pure: the daemon's `WatchService` keeps one and runs the timers.
public struct SettleTimers: Sendable, Equatable {
    /// Each armed path with the generation of its last change.
    private var armed: [String: Int] = [:]
    /// Generations count across every path and never repeat: a timer from before a removal cannot match the
    /// change of a draft written again at once under the same name (it would check the new text before it settled,
    /// and the new timer would then find nothing to check).
    private var lastGeneration = 0

    public init() {}

    /// A change of `path`: a new timer, whose generation the timer hands back when it runs out.
    public mutating func changed(_ path: String) -> Int {
        lastGeneration += 1
        armed[path] = lastGeneration
        return lastGeneration
    }

    /// The timer of `generation` ran out: true when it is the path's last change (check the draft now), false when
    /// a later change re-armed the path or the draft went away meanwhile.
    public mutating func timerRanOut(_ path: String, generation: Int) -> Bool {
        guard armed[path] == generation else { return false }
        armed[path] = nil
        return true
    }

    /// The draft was deleted or moved away: no timer of it fires.
    public mutating func removed(_ path: String) { armed[path] = nil }

    /// How many drafts are waiting for their writes to settle.
    public var waiting: Int { armed.count }
}
