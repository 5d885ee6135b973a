public import BriefdCore
import Foundation
import Metrics
import Synchronization

/// Checks cited links for the life of a process: each URL is requested once however many callers ask for it
/// at once (one in-flight table), fresh results come from the link history, and every network check is
/// recorded there.
///
/// - Important: make one per process, on the process's one `CurlHTTPClient`, so that the drafts of a burst,
///   the quote pages and the link-rot monitor share both the politeness limits and the in-flight table.
public final class LinkChecker: Sendable {
    /// What a call may reuse instead of asking the network.
    public enum Reuse: Sendable {
        /// Results in the link history young enough by the cache ages, and checks under way.
        case history
        /// Checks under way, and results that arrived in the last minute (the link-rot monitor, which decides
        /// for itself which links are due).
        case recent
        /// Only checks under way (`--no-cache`: everything is checked again).
        case inFlight
    }

    private let settings: LinkSettings
    /// Which publications are paywalled; replaced when the daemon reloads the registry.
    private let registry: Mutex<Registry>
    private let client: CurlHTTPClient
    private let store: LinkStore?
    private let writer: HistoryWriter?
    /// Where the pages read whole by a link check go (the quoted pages).
    private let pages: PageFetcher?
    private let exclusions: ExclusionPatterns
    /// Tells a name that does not exist from a network that is down.
    public let resolver: ResolverHealth

    private struct Table {
        /// Checks under way, by URL without fragment; an entry leaves once its result is in the history.
        var inFlight: [String: Task<LinkResult?, Never>] = [:]
        /// Results a caller may not find in the history although they were checked: not yet written (or never to
        /// be, for callers that record their own), or written after a caller still running looked in the history.
        var recent: [String: Recent] = [:]
        /// How many batches of results have reached the history.
        var flushes = 0
        /// The callers running, by the value of `flushes` when each began (before it looked in the history).
        var callers: [Int: Int] = [:]
        /// The size at which old results are next pruned (doubling, so that pruning stays linear overall).
        var pruneAt = 4096

        struct Recent {
            var result: LinkResult
            /// The flush that wrote it to the history; nil while it is not there.
            var writtenBy: Int?
        }

        mutating func beginCall() -> Int {
            callers[flushes, default: 0] += 1
            return flushes
        }

        mutating func endCall(_ ticket: Int) {
            callers[ticket, default: 1] -= 1
            if callers[ticket] == 0 { callers[ticket] = nil }
        }

        /// Marks `written` as in the history (unless a newer result of the same URL has come meanwhile) and drops
        /// what no running caller can miss any more.
        mutating func written(_ results: [LinkResult], now: Double) {
            flushes += 1
            for result in results where recent[result.url]?.result.checkedAt == result.checkedAt {
                recent[result.url]?.writtenBy = flushes
            }
            prune(now: now)
        }

        /// Keeps a written result while a caller that began before it was written runs (that caller's look in the
        /// history came too early to see it), an unwritten one for `recentSeconds` (or until it is written).
        mutating func prune(now: Double) {
            let earliestCaller = callers.keys.min() ?? Int.max
            recent = recent.filter { _, entry in
                if let writtenBy = entry.writtenBy { return earliestCaller < writtenBy }
                return now - entry.result.checkedAt < LinkChecker.recentSeconds
            }
            pruneAt = max(4096, recent.count * 2)
        }
    }

    private let table = Mutex(Table())
    private static let recentSeconds = 60.0

    /// - Parameters:
    ///   - store: where results are recorded and read back; nil keeps no history.
    ///   - pages: keeps the pages that `check(_:keepingPages:)` reads whole.
    public init(
        settings: LinkSettings, registry: Registry, client: CurlHTTPClient, store: LinkStore?, pages: PageFetcher? = nil
    ) {
        self.pages = pages
        self.settings = settings
        self.registry = Mutex(registry)
        self.client = client
        self.store = store
        self.writer = store.map(HistoryWriter.init)
        self.exclusions = ExclusionPatterns(settings.exclude)
        self.resolver = ResolverHealth(probes: settings.resolverProbes)
    }

    /// The result of every URL in `links`, keyed by the URL as cited. A URL has no result only when the client
    /// shut down before it was answered.
    ///
    /// - Parameters:
    ///   - record: whether new results go into the history (the rot monitor records its own, with the time of
    ///     its pass).
    ///   - keepingPages: URLs whose page a quote needs: their check reads the whole page (up to
    ///     `max_page_bytes`) and keeps it as the quote's snapshot, so the page is requested once.
    public func check(
        _ links: [CitedLink], reuse: Reuse = .history, record: Bool = true, keepingPages: Set<String> = [],
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async -> [String: LinkResult] {
        let keepKeys = Set(keepingPages.map(LinkChecker.requestKey))
        let urls = links.map(\.url)
        var seen = Set<String>()
        let keys = urls.map(LinkChecker.requestKey).filter { seen.insert($0).inserted }
        // Registered before the history is read: results written after this point stay in memory for this call.
        let ticket = table.withLock { $0.beginCall() }
        defer { table.withLock { $0.endCall(ticket) } }
        var cached: [String: LinkResult] = [:]
        if reuse != .inFlight, let store {
            // `.history` trusts the cache ages; `.recent` only what was checked in the last minute (a result
            // leaves the in-memory table once it is in the history, so the history must be asked too).
            let now = Date().timeIntervalSince1970
            let (okAge, brokenAge) =
                reuse == .history
                ? (Double(settings.cacheOKHours) * 3600, Double(settings.cacheBrokenHours) * 3600)
                : (LinkChecker.recentSeconds, LinkChecker.recentSeconds)
            do {
                cached = try await store.freshResults(for: keys, now: now, okAge: okAge, brokenAge: brokenAge)
                    .filter { $0.value.checkedAt <= now }
            } catch {
                noteStoreError(error)
            }
        }
        // Checks start in a window of at most 8 x max_concurrency at a time: more would only wait in the hosts'
        // queues, each holding a task (ten thousand links at once held 70 MB of task frames).
        let window = max(256, settings.maxConcurrency * 8)
        var byKey: [String: LinkResult] = [:]
        byKey.reserveCapacity(keys.count)
        var answered = 0
        await withTaskGroup(of: (String, LinkResult?).self) { group in
            var next = 0
            var running = 0
            while next < keys.count || running > 0 {
                while next < keys.count && running < window {
                    let key = keys[next]
                    next += 1
                    let lookup =
                        cached[key].map { .done($0) }
                        ?? pending(key, reuse: reuse, record: record, keepPage: keepKeys.contains(key))
                    switch lookup {
                    case .done(let result):
                        byKey[key] = result
                        answered += 1
                        progress?(answered, keys.count)
                    case .waiting(let task):
                        group.addTask { (key, await task.value) }
                        running += 1
                    }
                }
                guard let (key, result) = await group.next() else { break }
                running -= 1
                byKey[key] = result
                answered += 1
                progress?(answered, keys.count)
                // Written while later checks still run, so that the disk writes overlap the network.
                if answered % 2000 == 0 { await flushHistory() }
            }
        }
        await flushHistory()
        var results: [String: LinkResult] = [:]
        for url in urls {
            guard var result = byKey[LinkChecker.requestKey(url)] else { continue }
            result.url = url
            results[url] = result
        }
        return results
    }

    /// The result for one URL (nil when the client shut down first).
    public func check(url: String, reuse: Reuse = .history) async -> LinkResult? {
        await check([CitedLink(url: url, citations: [])], reuse: reuse)[url]
    }

    /// Forgets the recent results when no check is under way (an idle daemon): the races they bridge can only
    /// happen while checks run, and every one of them is in the history by then.
    public func forgetRecentResults() {
        table.withLock { table in
            if table.inFlight.isEmpty && table.callers.isEmpty { table.recent = [:] }
        }
    }

    /// Uses `registry` for the checks that start from now on.
    public func use(_ registry: Registry) { self.registry.withLock { $0 = registry } }

    /// The first error met reading or writing the link history in this checker's life, if any.
    public var storeError: (any Error)? { storeErrors.withLock { $0.first } }

    private let storeErrors = Mutex<[any Error]>([])

    private func noteStoreError(_ error: any Error) { storeErrors.withLock { $0.append(error) } }

    private enum Lookup {
        case done(LinkResult)
        case waiting(Task<LinkResult?, Never>)
    }

    /// Joins the check of `key` under way, or takes a result that has just arrived, or starts a check.
    private func pending(_ key: String, reuse: Reuse, record: Bool, keepPage: Bool) -> Lookup {
        table.withLock { table in
            if let running = table.inFlight[key] { return .waiting(running) }
            if reuse != .inFlight, let entry = table.recent[key], isReusable(entry, reuse: reuse) {
                var recent = entry.result
                recent.cached = true
                return .done(recent)
            }
            let task = Task { await self.checkAndRecord(key, record: record, keepPage: keepPage) }
            table.inFlight[key] = task
            return .waiting(task)
        }
    }

    /// Whether a result held in memory answers a caller: one that reached the history is as good as the history
    /// (its cache ages), one that did not is reused for `recentSeconds`.
    private func isReusable(_ entry: Table.Recent, reuse: Reuse) -> Bool {
        let age = Date().timeIntervalSince1970 - entry.result.checkedAt
        guard reuse == .history, entry.writtenBy != nil else { return age < LinkChecker.recentSeconds }
        let cacheHours = entry.result.ok ? settings.cacheOKHours : settings.cacheBrokenHours
        return age <= Double(cacheHours) * 3600
    }

    /// The check itself. Its result moves from the in-flight table to the recent results in one step, and is
    /// handed to the history writer, so that a later caller finds it in one of the three.
    private func checkAndRecord(_ key: String, record: Bool, keepPage: Bool) async -> LinkResult? {
        let (result, page) = await probe(key, keepPage: keepPage && pages != nil)
        if let page, let pages { await pages.keep(page) }
        if let result, record, let writer, LinkChecker.belongsInHistory(result) { writer.add(result) }
        table.withLock { table in
            table.inFlight[key] = nil
            // An unverified link is asked again by the next caller: the network may be back by then.
            guard let result, result.verdict != .unverified else { return }
            if table.recent.count >= table.pruneAt { table.prune(now: Date().timeIntervalSince1970) }
            table.recent[key] = Table.Recent(result: result, writtenBy: nil)
        }
        return result
    }

    /// Makes every result handed to the writer durable; those written need no longer be kept in memory, unless a
    /// caller still running read the history before they were written.
    private func flushHistory() async {
        do {
            guard let written = try await writer?.flush(), !written.isEmpty else { return }
            table.withLock { $0.written(written, now: Date().timeIntervalSince1970) }
        } catch {
            noteStoreError(error)
        }
    }

    /// Only what asked the network belongs in the history: not cached, skipped or mailto results.
    private static func belongsInHistory(_ result: LinkResult) -> Bool {
        !result.cached && result.verdict != .skipped && result.verdict != .unverified
            && !result.url.lowercased().hasPrefix("mailto:")
    }

    /// Runs the link's state machine against the client; nil when the client shut down meanwhile (such a
    /// check says nothing of the link and is neither reported nor recorded).
    /// With `keepPage`, the GETs read up to `max_page_bytes`, and a working page comes back as a snapshot too.
    private func probe(_ url: String, keepPage: Bool) async -> (LinkResult?, PageSnapshot?) {
        let started = Date()
        if let pattern = exclusions.firstMatch(url) {
            return (
                LinkResult(
                    url: url, verdict: .skipped, error: "excluded by the pattern '\(pattern)'",
                    checkedAt: started.timeIntervalSince1970), nil
            )
        }
        let registry = self.registry.withLock { $0 }
        var settings = self.settings
        if keepPage { settings.maxBodyBytes = settings.maxPageBytes }
        var probe = LinkProbe(url: url, settings: settings) { host in
            registry.publication(forHost: host)?.paywall ?? false
        }
        var step = probe.start()
        var last: HTTPResponse?
        var lastFailure: TransportFailure.Kind?
        while true {
            switch step {
            case .finished(var result):
                result.checkedAt = started.timeIntervalSince1970
                if result.verdict == .broken, lastFailure == .nameNotResolved, await !resolver.namesResolve() {
                    result.verdict = .unverified
                    result.error =
                        "not checked: no host name resolves; the network may be down (\(result.error ?? "name not resolved"))"
                }
                result.durationMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
                Counter(label: "briefd_link_checks_total", dimensions: [("verdict", result.verdict.rawValue)])
                    .increment()
                Timer(label: "briefd_link_check_seconds").recordMilliseconds(result.durationMilliseconds)
                let page =
                    keepPage && result.ok
                    ? last.map { PageFetcher.snapshot(of: url, answer: $0, at: result.checkedAt) } : nil
                return (result, page)
            case .send(let request, let delay, let pauseHost):
                let outcome = await client.send(request, delay: delay, pauseHost: pauseHost)
                if case .failure(let failure) = outcome, failure.kind == .shuttingDown { return (nil, nil) }
                if case .success(let response) = outcome { last = response }
                if case .failure(let failure) = outcome { lastFailure = failure.kind } else { lastFailure = nil }
                step = probe.next(after: outcome, now: Date().timeIntervalSince1970)
            }
        }
    }

    /// The URL as requested: the fragment never reaches the server, so `a#x` and `a#y` are one check.
    static func requestKey(_ url: String) -> String { LinkProbe.withoutFragment(url) }
}

/// Writes link results to the history in groups. A check hands its result over and is done (ten thousand checks
/// waiting on a disk write would each hold a task); a caller that needs its results durable calls `flush()`, which
/// returns once everything handed over before it is in the history. Writes are one at a time, each taking all
/// that waits, so ten thousand checks make a few dozen transactions.
actor HistoryWriter {
    private let store: LinkStore
    private nonisolated let waiting = Mutex<[LinkResult]>([])
    private var writing = false
    private var writeEnded: [CheckedContinuation<Void, Never>] = []

    init(_ store: LinkStore) { self.store = store }

    nonisolated func add(_ result: LinkResult) { waiting.withLock { $0.append(result) } }

    /// Writes what was handed over; returns once all of it, and everything handed over earlier, is in the history.
    /// Returns the URLs this call wrote.
    func flush() async throws -> [LinkResult] {
        while true {
            // A write under way may hold results handed over before this call: wait for it, then look again.
            if writing {
                await withCheckedContinuation { writeEnded.append($0) }
                continue
            }
            let batch = waiting.withLock { waiting in
                defer { waiting = [] }
                return waiting
            }
            guard !batch.isEmpty else { return [] }
            writing = true
            defer {
                writing = false
                let ended = writeEnded
                writeEnded = []
                for continuation in ended { continuation.resume() }
            }
            try await store.record(batch)
            return batch
        }
    }
}

/// The config's `exclude` patterns, compiled once.
struct ExclusionPatterns: @unchecked Sendable {
    // Regex is immutable once compiled; it is not marked Sendable in this toolchain.
    private let patterns: [(source: String, regex: Regex<AnyRegexOutput>)]

    init(_ sources: [String]) {
        // The config's parser compiled each pattern already and refuses a config with one that does not compile.
        patterns = sources.compactMap { source in (try? Regex(source)).map { (source, $0) } }
    }

    func firstMatch(_ url: String) -> String? {
        patterns.first { url.contains($0.regex) }?.source
    }
}
