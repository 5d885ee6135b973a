import BriefdIO
import Synchronization

/// Drafts waiting for their link and quote review: each at most once, with its latest content, in the order
/// they first asked. A burst of ten thousand drafts costs a path and a hash each here, nothing more.
///
/// `submit` never waits (the desk calls it from inside its actor); `next` suspends a worker until a job comes.
public final class ReviewQueue: Sendable {
    /// A draft's path and the hash of the content to review.
    public struct Job: Sendable, Equatable {
        public var path: String
        public var hash: String
    }

    private struct State {
        var order: [String] = []
        var head = 0
        var latest: [String: String] = [:]
        var waiters: [CheckedContinuation<Job?, Never>] = []
        var closed = false

        mutating func pop() -> Job? {
            while head < order.count {
                let path = order[head]
                head += 1
                if head > 1024 && head * 2 > order.count {
                    order.removeFirst(head)
                    head = 0
                }
                if let hash = latest.removeValue(forKey: path) { return Job(path: path, hash: hash) }
            }
            return nil
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// Queues `path` at `hash`; a draft already waiting keeps its place and takes the newer hash.
    public func submit(path: String, hash: String) {
        let handOver = state.withLock { state -> (CheckedContinuation<Job?, Never>, Job)? in
            guard !state.closed else { return nil }
            if state.latest.updateValue(hash, forKey: path) == nil { state.order.append(path) }
            guard !state.waiters.isEmpty, let job = state.pop() else { return nil }
            return (state.waiters.removeFirst(), job)
        }
        if let (waiter, job) = handOver { waiter.resume(returning: job) }
    }

    /// The next job; nil once the queue is closed.
    public func next() async -> Job? {
        await withCheckedContinuation { continuation in
            let answer = state.withLock { state -> Job?? in
                if let job = state.pop() { return .some(job) }
                if state.closed { return .some(nil) }
                state.waiters.append(continuation)
                return .none
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// No more jobs: waiting workers get nil; queued drafts stay unreviewed (the daemon remembers them as
    /// `checking` and reviews them at its next start).
    public func close() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Drafts waiting for a worker.
    public var count: Int { state.withLock { $0.latest.count } }
}
