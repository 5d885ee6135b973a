/// The daemon's review bookkeeping: which drafts wait for their review (links and quotes checked over the
/// network) and for which content, and which reviews failed, why, and when they are tried again.
///
/// Every answer is for one content (its hash): a review that comes back for a draft changed meanwhile is not
/// taken (the review of the newer content follows), so a stale verdict is never the last one. Pure state: the
/// ledger keeps one and queues the reviews it says.
public struct ReviewBook: Sendable, Equatable {
    struct Failure: Sendable, Equatable {
        var reason: String
        var attempts: Int
        /// Seconds since 1970; infinity while the retry is under way.
        var retryAt: Double
        var hash: String
    }

    /// Path → the content whose review is queued or under way.
    private var awaited: [String: String] = [:]
    private var failures: [String: Failure] = [:]

    public init() {}

    /// How many reviews are queued or under way.
    public var awaitedCount: Int { awaited.count }

    public func isAwaited(_ path: String) -> Bool { awaited[path] != nil }

    /// Whether the review of this content is the one awaited (not an older one, not none).
    public func awaits(_ path: String, hash: String) -> Bool { awaited[path] == hash }

    /// The review of `path`'s content `hash` is queued (the caller submits it).
    public mutating func queued(_ path: String, hash: String) { awaited[path] = hash }

    /// The draft was checked anew: a review is awaited for its content if it has links or quotes, and an earlier
    /// failure no longer counts (it was of other content).
    public mutating func checked(_ path: String, hash: String, needsReview: Bool) {
        failures[path] = nil
        awaited[path] = needsReview ? hash : nil
    }

    /// The review of `hash` came back. False when it is not the one awaited (stale: ignore its findings).
    public mutating func reviewed(_ path: String, hash: String) -> Bool {
        guard awaited[path] == hash else { return false }
        awaited[path] = nil
        failures[path] = nil
        return true
    }

    /// The review of `hash` failed at `now`: the wait before the next try in seconds (30, doubling to 30 min),
    /// or nil when it was not the one awaited.
    public mutating func failed(_ path: String, hash: String, reason: String, now: Double) -> Int? {
        guard awaited[path] == hash else { return nil }
        awaited[path] = nil
        let attempts = (failures[path]?.attempts ?? 0) + 1
        let wait = min(1800, 30 << min(attempts - 1, 6))
        failures[path] = Failure(reason: reason, attempts: attempts, retryAt: now + Double(wait), hash: hash)
        return wait
    }

    /// The failed reviews whose wait is over at `now` and that are not queued again yet; each is marked under way
    /// (not returned again until it fails again or is forgotten). The caller queues them (`queued`).
    public mutating func dueRetries(now: Double) -> [(path: String, hash: String)] {
        var due: [(path: String, hash: String)] = []
        for (path, failure) in failures where failure.retryAt <= now && awaited[path] == nil {
            failures[path]?.retryAt = .infinity
            due.append((path, failure.hash))
        }
        return due.sorted { $0.path < $1.path }
    }

    /// The draft is gone.
    public mutating func forget(_ path: String) {
        awaited[path] = nil
        failures[path] = nil
    }

    /// What the account says of the draft's review: awaited, failed (with the reason, never read as clean), or
    /// done.
    public func state(of path: String) -> ReviewState {
        if awaited[path] != nil { return .pending }
        if let failure = failures[path] { return .failed(reason: failure.reason) }
        return .done
    }
}
