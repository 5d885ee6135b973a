import BriefdIO
import Foundation
import Synchronization

/// Tells whoever listens (the desk's live page) that a draft's report changed: its path relative to the drafts
/// folder. A slow listener loses old events rather than holding the daemon up: each keeps only the newest few.
public final class DeskFeed: Sendable {
    private struct Listeners {
        var next = 0
        var continuations: [Int: AsyncStream<String>.Continuation] = [:]
        /// Each listener's client, so that one client cannot take every slot.
        var clients: [Int: String] = [:]
    }

    private let listeners = Mutex(Listeners())
    private let changes = Mutex(0)

    /// How many changes were published: what was made from the reports before is stale once it grows.
    public var generation: Int { changes.withLock { $0 } }
    /// At most this many listeners at once (each an open browser tab); more are refused.
    public let maxListeners: Int
    /// At most this many from one client (an editor with several tabs open has a few): one client holding every
    /// slot would leave the other editors without live updates.
    public let maxListenersPerClient: Int

    public init(maxListeners: Int = 64, maxListenersPerClient: Int = 8) {
        self.maxListeners = maxListeners
        self.maxListenersPerClient = maxListenersPerClient
    }

    /// A listener's stream and the way to end it (its client went away), freeing its slot at once.
    public struct Subscription: Sendable {
        public let stream: AsyncStream<String>
        let continuation: AsyncStream<String>.Continuation

        public func end() { continuation.finish() }

        /// A heartbeat for this listener alone: an empty path, written as an SSE comment.
        public func ping() { continuation.yield("") }
    }

    /// A stream of changed paths for `client`, or nil when too many listen already, in all or from that client. It
    /// ends when the caller stops iterating or calls `end()`.
    public func subscription(client: String = "") -> Subscription? {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id: Int? = listeners.withLock { listeners in
            guard listeners.continuations.count < maxListeners,
                listeners.clients.values.filter({ $0 == client }).count < maxListenersPerClient
            else { return nil }
            let id = listeners.next
            listeners.next += 1
            listeners.continuations[id] = continuation
            listeners.clients[id] = client
            return id
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in
            self?.listeners.withLock { listeners in
                listeners.continuations[id] = nil
                listeners.clients[id] = nil
            }
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
            defer {
                listeners.continuations.removeAll()
                listeners.clients.removeAll()
            }
            return Array(listeners.continuations.values)
        }
        for continuation in continuations { continuation.finish() }
    }

    public var listenerCount: Int { listeners.withLock { $0.continuations.count } }
}
