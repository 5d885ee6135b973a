public import BriefdCore
import Foundation
import Synchronization

/// Checks cited links: each unique URL once per run however many drafts cite it (also when two callers
/// ask at once), fresh results taken from the link history, new results recorded there.
public final class LinkChecker: Sendable {
    private let settings: LinkSettings
    private let registry: Registry
    private let client: CurlHTTPClient
    private let store: LinkStore?
    private let useCache: Bool
    private let exclusions: ExclusionPatterns
    /// One task per URL without fragment, for the life of this checker.
    private let checks = Mutex<[String: Task<LinkResult, Never>]>([:])

    /// - Parameters:
    ///   - store: where results are recorded and, when `useCache`, read back; nil keeps no history.
    public init(settings: LinkSettings, registry: Registry, client: CurlHTTPClient, store: LinkStore?, useCache: Bool) {
        self.settings = settings
        self.registry = registry
        self.client = client
        self.store = store
        self.useCache = useCache
        self.exclusions = ExclusionPatterns(settings.exclude)
    }

    /// The result of every URL in `links`, keyed by the URL as cited.
    public func check(_ links: [CitedLink], progress: (@Sendable (Int, Int) -> Void)? = nil) async -> [String: LinkResult] {
        let urls = links.map(\.url)
        var seen = Set<String>()
        let keys = urls.map(LinkChecker.requestKey).filter { seen.insert($0).inserted }
        var cached: [String: LinkResult] = [:]
        if useCache, let store {
            let now = Date().timeIntervalSince1970
            do {
                cached = try store.freshResults(
                    for: keys, now: now, okAge: Double(settings.cacheOKHours) * 3600,
                    brokenAge: Double(settings.cacheBrokenHours) * 3600)
            } catch {
                noteStoreError(error)
            }
        }
        let tasks = keys.map { key in (key, task(for: key, cached: cached[key])) }
        // Awaited in order rather than through a task group: the tasks already run concurrently, and a
        // group of ten thousand children costs more to drain than the checks themselves. Results are
        // recorded in batches while later checks still run, so the disk writes overlap the network.
        var byKey: [String: LinkResult] = [:]
        byKey.reserveCapacity(tasks.count)
        var batch: [LinkResult] = []
        var writes: [Task<Void, Never>] = []
        for (key, task) in tasks {
            let result = await task.value
            byKey[key] = result
            progress?(byKey.count, tasks.count)
            if LinkChecker.belongsInHistory(result) { batch.append(result) }
            if batch.count >= 2000 {
                writes.append(record(batch))
                batch = []
            }
        }
        writes.append(record(batch))
        for write in writes { await write.value }
        var results: [String: LinkResult] = [:]
        for url in urls {
            guard var result = byKey[LinkChecker.requestKey(url)] else { continue }
            result.url = url
            results[url] = result
        }
        return results
    }

    /// The first error met reading or writing the link history in this checker's life, if any.
    public var storeError: (any Error)? { storeErrors.withLock { $0.first } }

    private let storeErrors = Mutex<[any Error]>([])

    private func noteStoreError(_ error: any Error) { storeErrors.withLock { $0.append(error) } }

    private func record(_ results: [LinkResult]) -> Task<Void, Never> {
        Task.detached { [store] in
            do {
                try store?.record(results)
            } catch {
                self.noteStoreError(error)
            }
        }
    }

    /// Only what asked the network belongs in the history: not cached, skipped or mailto results.
    private static func belongsInHistory(_ result: LinkResult) -> Bool {
        !result.cached && result.verdict != .skipped && !result.url.lowercased().hasPrefix("mailto:")
    }

    /// The result for one URL, shared with any other caller asking for it during this checker's life.
    public func check(url: String) async -> LinkResult {
        var result = await task(for: LinkChecker.requestKey(url), cached: nil).value
        result.url = url
        return result
    }

    private func task(for key: String, cached: LinkResult?) -> Task<LinkResult, Never> {
        checks.withLock { checks in
            if let existing = checks[key] { return existing }
            let task: Task<LinkResult, Never>
            if let cached {
                task = Task { cached }
            } else {
                task = Task { await self.probe(key) }
            }
            checks[key] = task
            return task
        }
    }

    private func probe(_ url: String) async -> LinkResult {
        let started = Date()
        if let pattern = exclusions.firstMatch(url) {
            return LinkResult(url: url, verdict: .skipped, error: "excluded by the pattern '\(pattern)'",
                checkedAt: started.timeIntervalSince1970)
        }
        let registry = self.registry
        var probe = LinkProbe(url: url, settings: settings) { host in
            registry.publication(forHost: host)?.paywall ?? false
        }
        var step = probe.start()
        while true {
            switch step {
            case .finished(var result):
                result.checkedAt = started.timeIntervalSince1970
                result.durationMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
                return result
            case .send(let request, let delay, let pauseHost):
                let outcome = await client.send(request, delay: delay, pauseHost: pauseHost)
                step = probe.next(after: outcome, now: Date().timeIntervalSince1970)
            }
        }
    }

    /// The URL as requested: the fragment never reaches the server, so `a#x` and `a#y` are one check.
    static func requestKey(_ url: String) -> String { LinkProbe.withoutFragment(url) }
}

/// The config's `exclude` patterns, compiled once.
struct ExclusionPatterns: @unchecked Sendable {
    // Regex is immutable once compiled; it is not marked Sendable in this toolchain.
    private let patterns: [(source: String, regex: Regex<AnyRegexOutput>)]

    init(_ sources: [String]) {
        patterns = sources.compactMap { source in (try? Regex(source)).map { (source, $0) } }
    }

    func firstMatch(_ url: String) -> String? {
        patterns.first { (try? $0.regex.firstMatch(in: url)) != nil }?.source
    }
}
