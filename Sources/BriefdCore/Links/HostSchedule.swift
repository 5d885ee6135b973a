import DequeModule

/// Politeness without I/O: which waiting requests may start now, given a global limit, a per-host limit,
/// a least interval between starts to one host, pauses a server asked for, and slowing down a host that
/// keeps failing with 5xx.
///
/// Hosts take turns (round robin), so a run with a per-host interval finishes close to its lower bound:
/// the busiest host's request count × the interval. Times are seconds on any monotonic clock.
///
/// The interval is what the server sees: with an interval set, a host's next request is handed out only once
/// the previous one is on the wire (`sent(host:at:)`) and the interval has passed since then, so a slow
/// connection set-up cannot bunch two requests together. Every request is paced, a redirect hop or a GET
/// after a refused HEAD too; those go ahead of new checks.
public struct HostSchedule<Item: Sendable>: Sendable {
    public let maxActive: Int
    public let perHostActive: Int
    public let interval: Double

    private struct Host: Sendable {
        var waiting = Deque<Item>()
        /// Follow-ups of checks already under way: started before `waiting`.
        var followUps = Deque<Item>()
        var active = 0
        /// Handed out but not yet on the wire (only counted with an interval).
        var unsent = 0
        var nextStart = 0.0
        var consecutiveServerErrors = 0
        var pendingCount: Int { waiting.count + followUps.count }
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
    ///   before new checks of its host, paced like them.
    public mutating func enqueue(_ item: Item, host: String, notBefore: Double = 0, now: Double, followUp: Bool = false)
    {
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
        guard state.nextStart <= now && state.pendingCount > 0 && (interval == 0 || state.unsent == 0) else {
            return (nil, state.pendingCount > 0)
        }
        guard let item = state.followUps.popFirst() ?? state.waiting.popFirst() else { return (nil, false) }
        state.active += 1
        if interval > 0 { state.unsent += 1 }
        state.nextStart = now + currentInterval(state, base: interval)
        return (item, state.pendingCount > 0)
    }

    /// The request handed out for `host` went on the wire at `at`: the host's next request may follow one
    /// interval later. Call once per item, and only with an interval set.
    public mutating func sent(host: String, at: Double) {
        guard interval > 0, hosts[host] != nil else { return }
        hosts[host, default: Host()].unsent = max(0, hosts[host, default: Host()].unsent - 1)
        let next = at + HostSchedule.currentInterval(hosts[host, default: Host()], base: interval)
        hosts[host, default: Host()].nextStart = max(hosts[host, default: Host()].nextStart, next)
    }

    /// Every item not yet handed out, waiting or delayed, regardless of limits; the schedule is empty after.
    /// For a client that is stopping: each of these must still be answered.
    public mutating func removeAll() -> [Item] {
        var items = delayed.map { $0.item }
        for key in turns {
            guard let state = hosts[key] else { continue }
            items += Array(state.followUps) + Array(state.waiting)
        }
        delayed = []
        turns = []
        hosts = [:]
        active = 0
        return items
    }

    /// Marks one item of `host` done; `serverError` (a 5xx) counts towards slowing the host down; `neverSent`
    /// says it ended before reaching the wire (a refused connection), so no `sent` will come for it.
    public mutating func finished(host: String, serverError: Bool, neverSent: Bool = false) {
        guard hosts[host] != nil else { return }
        active = max(0, active - 1)
        if neverSent && interval > 0 {
            hosts[host, default: Host()].unsent = max(0, hosts[host, default: Host()].unsent - 1)
        }
        hosts[host, default: Host()].active = max(0, hosts[host, default: Host()].active - 1)
        hosts[host, default: Host()].consecutiveServerErrors =
            serverError ? hosts[host, default: Host()].consecutiveServerErrors + 1 : 0
    }

    /// When something may next become ready (nil: only a `finished` can change anything).
    public func nextWakeup(now: Double) -> Double? {
        var earliest = delayed.lazy.map { $0.due }.min()
        if active < maxActive {
            for key in turns {
                guard let state = hosts[key], state.active < perHostActive, state.pendingCount > 0,
                    interval == 0 || state.unsent == 0
                else { continue }
                earliest = min(earliest ?? state.nextStart, state.nextStart)
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
            hosts[entry.host, default: Host()].waiting.prepend(entry.item)
        }
        delayed = kept
    }
}
