import Synchronization

/// A signal from whoever has work (the drafts' ledger) to the one task that does it (the upkeep): `ring` never
/// blocks and rings that come while nobody waits are remembered as one; `wait` returns at the first ring or at its
/// time limit, whichever is first.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
        /// The current wait is over: a waiting side that registers only now is let go at once.
        var over = false
    }
    private let state = Mutex(State())

    public init() {}

    public func ring() {
        let waiter = state.withLock { state in
            guard let waiter = state.waiter else {
                state.rung = true
                return CheckedContinuation<Void, Never>?.none
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Why a wait ended.
    public enum Wake: Sendable, Equatable {
        /// A ring came (before or during the wait).
        case rung
        /// The time limit passed, or the waiting task was cancelled.
        case limit
    }

    /// Returns when rung (or at once when rung since the last wait), after `limit`, or when the task is cancelled,
    /// and says which. One waiter at a time.
    @discardableResult public func wait(upTo limit: Duration) async -> Wake {
        state.withLock { $0.over = false }
        return await withTaskGroup(of: Wake.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = self.state.withLock { state in
                        if state.rung || state.over {
                            state.rung = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
                return .rung
            }
            group.addTask {
                // A cancelled sleep is a limit too: the waiter is being stopped, not rung.
                try? await Task.sleep(for: limit)
                return .limit
            }
            let wake = await group.next() ?? .limit
            group.cancelAll()
            // The limit came first (or the task was cancelled): the waiting side is let go here.
            let waiter = state.withLock { state in
                let waiter = state.waiter
                state.waiter = nil
                state.over = true
                return waiter
            }
            waiter?.resume()
            return wake
        }
    }
}
