/// Politeness without I/O: which waiting requests may start now, given a global limit, a per-host limit,
/// a least interval between starts to one host, pauses a server asked for, and slowing down a host that
/// keeps failing with 5xx.
///
/// Hosts take turns (round robin), so a run with a per-host interval finishes close to its lower bound:
/// the busiest host's request count × the interval. Times are seconds on any monotonic clock.
public struct HostSchedule<Item: Sendable>: Sendable {
    public let maxActive: Int
    public let perHostActive: Int
    public let interval: Double

    private struct Host: Sendable {
        var waiting: [Item] = []
        var head = 0
        /// Follow-ups of checks already under way: started before `waiting`, without the interval.
        var followUps: [Item] = []
        var active = 0
        var nextStart = 0.0
        var consecutiveServerErrors = 0
        var pendingCount: Int { waiting.count - head + followUps.count }
    }

    private var hosts: [String: Host] = [:]
    /// Hosts with waiting items, in turn order.
    private var turns: [String] = []
    private var delayed: [(due: Double, host: String, item: Item)] = []
    public private(set) var active = 0

    public init(maxActive: Int, perHostActive: Int, interval: Double) {
        self.maxActive = max(1, maxActive)
        self.perHostActive = max(1, perHostActive)
        self.interval = max(0, interval)
    }

    /// Waiting or delayed items plus those in flight.
    public var isIdle: Bool { active == 0 && turns.isEmpty && delayed.isEmpty }

    /// - Parameter followUp: part of a check already started (a redirect hop, a GET after HEAD): it goes
    ///   before new checks and is not held back by the interval, only by the concurrency limits.
    public mutating func enqueue(_ item: Item, host: String, notBefore: Double = 0, now: Double, followUp: Bool = false) {
        if notBefore > now {
            delayed.append((notBefore, host, item))
            return
        }
        // Mutated in place through the subscript: a copy would copy the host's whole queue.
        if hosts[host, default: Host()].pendingCount == 0 { turns.append(host) }
        if followUp {
            hosts[host, default: Host()].followUps.append(item)
        } else {
            hosts[host, default: Host()].waiting.append(item)
        }
    }

    /// Keeps every request to `host` waiting until `until` (a `Retry-After`).
    public mutating func pause(host: String, until: Double) {
        hosts[host, default: Host()].nextStart = max(hosts[host, default: Host()].nextStart, until)
    }

    /// The items that may start now, each marked active until `finished(host:…)` is called for it.
    public mutating func takeReady(now: Double) -> [(host: String, item: Item)] {
        releaseDelayed(now: now)
        var started: [(String, Item)] = []
        var progress = true
        var lastServed: String?
        // Round robin: one item per host per pass, until nothing more may start.
        while progress && active < maxActive && !turns.isEmpty {
            progress = false
            var remaining: [String] = []
            for key in turns {
                let canStart = active < maxActive
                let (item, pending) = HostSchedule.take(
                    from: &hosts[key, default: Host()], now: now, canStart: canStart, perHostActive: perHostActive,
                    interval: interval)
                if let item {
                    started.append((key, item))
                    active += 1
                    progress = true
                    lastServed = key
                }
                if pending { remaining.append(key) }
            }
            turns = remaining
        }
        // The next call starts after the host served last, so that a scarce global limit is shared
        // by every host rather than going to the first ones in line.
        if let lastServed, let index = turns.firstIndex(of: lastServed) {
            turns = Array(turns[(index + 1)...] + turns[...index])
        }
        return started
    }

    /// Takes the next item of one host when its limits allow; says whether items are still waiting.
    private static func take(
        from state: inout Host, now: Double, canStart: Bool, perHostActive: Int, interval: Double
    ) -> (Item?, Bool) {
        guard canStart && state.active < perHostActive else { return (nil, state.pendingCount > 0) }
        if !state.followUps.isEmpty {
            let item = state.followUps.removeFirst()
            state.active += 1
            return (item, state.pendingCount > 0)
        }
        guard state.nextStart <= now && state.pendingCount > 0 else { return (nil, state.pendingCount > 0) }
        let item = state.waiting[state.head]
        state.head += 1
        state.active += 1
        state.nextStart = now + currentInterval(state, base: interval)
        if state.head > 64 && state.head * 2 > state.waiting.count {
            state.waiting.removeFirst(state.head)
            state.head = 0
        }
        return (item, state.pendingCount > 0)
    }

    /// Marks one item of `host` done; `serverError` (a 5xx) counts towards slowing the host down.
    public mutating func finished(host: String, serverError: Bool) {
        guard hosts[host] != nil else { return }
        active = max(0, active - 1)
        hosts[host, default: Host()].active = max(0, hosts[host, default: Host()].active - 1)
        hosts[host, default: Host()].consecutiveServerErrors =
            serverError ? hosts[host, default: Host()].consecutiveServerErrors + 1 : 0
    }

    /// When something may next become ready (nil: only a `finished` can change anything).
    public func nextWakeup(now: Double) -> Double? {
        var earliest = delayed.map(\.due).min()
        if active < maxActive {
            for key in turns {
                guard let state = hosts[key], state.active < perHostActive, state.pendingCount > 0 else { continue }
                let ready = state.followUps.isEmpty ? state.nextStart : now
                earliest = min(earliest ?? ready, ready)
            }
        }
        return earliest.map { max($0, now) }
    }

    /// The interval, slowed once a host answers 5xx three times in a row: doubled for each further one,
    /// from at least 100 ms, to at most 5 s. One answer below 500 restores it.
    private static func currentInterval(_ state: Host, base interval: Double) -> Double {
        guard state.consecutiveServerErrors >= 3 else { return interval }
        let slowed = max(interval, 0.1) * Double(1 << min(state.consecutiveServerErrors - 2, 6))
        return min(max(interval, 5), slowed)
    }

    /// Moves items whose delay has passed to the front of their host's queue: a retry has waited its
    /// turn already, and retries bunched at the end of a long queue would look like a failing host.
    private mutating func releaseDelayed(now: Double) {
        guard !delayed.isEmpty else { return }
        var kept: [(due: Double, host: String, item: Item)] = []
        for entry in delayed {
            guard entry.due <= now else {
                kept.append(entry)
                continue
            }
            if hosts[entry.host, default: Host()].pendingCount == 0 { turns.append(entry.host) }
            HostSchedule.pushFront(entry.item, into: &hosts[entry.host, default: Host()])
        }
        delayed = kept
    }

    private static func pushFront(_ item: Item, into state: inout Host) {
        if state.head > 0 {
            state.head -= 1
            state.waiting[state.head] = item
        } else {
            state.waiting.insert(item, at: 0)
        }
    }
}
