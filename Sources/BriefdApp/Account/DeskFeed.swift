import BriefdIO
import Foundation
import Synchronization

/// Tells whoever listens (the desk's live page) that a draft's report changed: its path relative to the drafts
/// folder. A slow listener loses old events rather than holding the daemon up: each keeps only the newest few.
public final class DeskFeed: Sendable {
    private struct Listeners {
        var next = 0
        var continuations: [Int: AsyncStream<String>.Continuation] = [:]
    }

    private let listeners = Mutex(Listeners())
    private let changes = Mutex(0)

    /// How many changes were published: what was made from the reports before is stale once it grows.
    public var generation: Int { changes.withLock { $0 } }
    /// At most this many listeners at once (each an open browser tab); more are refused.
    public let maxListeners: Int

    public init(maxListeners: Int = 64) { self.maxListeners = maxListeners }

    /// A listener's stream and the way to end it (its client went away), freeing its slot at once.
    public struct Subscription: Sendable {
        public let stream: AsyncStream<String>
        let continuation: AsyncStream<String>.Continuation

        public func end() { continuation.finish() }

        /// A heartbeat for this listener alone: an empty path, written as an SSE comment.
        public func ping() { continuation.yield("") }
    }

    /// A stream of changed paths, or nil when too many listen already. It ends when the caller stops iterating or
    /// calls `end()`.
    public func subscription() -> Subscription? {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id: Int? = listeners.withLock { listeners in
            guard listeners.continuations.count < maxListeners else { return nil }
            let id = listeners.next
            listeners.next += 1
            listeners.continuations[id] = continuation
            return id
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in
            _ = self?.listeners.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return Subscription(stream: stream, continuation: continuation)
    }

    public func publish(_ path: String) {
        if !path.isEmpty { changes.withLock { $0 += 1 } }
        let continuations = listeners.withLock { Array($0.continuations.values) }
        for continuation in continuations { continuation.yield(path) }
    }

    /// Ends every stream (the daemon is stopping).
    public func finish() {
        let continuations = listeners.withLock { listeners in
            defer { listeners.continuations.removeAll() }
            return Array(listeners.continuations.values)
        }
        for continuation in continuations { continuation.finish() }
    }

    public var listenerCount: Int { listeners.withLock { $0.continuations.count } }
}
