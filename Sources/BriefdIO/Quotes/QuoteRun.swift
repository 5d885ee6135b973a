public import BriefdCore

/// The quote check of a set of drafts: their sources' snapshots (kept ones, fetched ones) and the findings.
public struct QuoteRun: Sendable {
    public let config: Config

    public init(config: Config) { self.config = config }

    /// Snapshots for every source the drafts' quotes name: the kept one unless `refresh`, else fetched now (and
    /// kept). With `fetch: false` only kept snapshots are used (the digest build sends no request).
    /// - Parameter skipping: URLs not to read (their link check already failed: the link finding says enough).
    public func snapshots(
        for drafts: [Draft], refresh: Bool, fetch: Bool, version: String, skipping: Set<String> = []
    ) async throws -> [String: PageSnapshot] {
        let urls = Array(Set(drafts.flatMap { QuoteCheck.quotes(in: $0).map(\.url) })).filter { !skipping.contains($0) }
        guard !urls.isEmpty else { return [:] }
        let store = PageStore(try StateDatabase(path: config.paths.state))
        var snapshots = refresh ? [:] : try store.latest(urls)
        let missing = urls.filter { snapshots[$0] == nil }
        guard fetch, !missing.isEmpty else { return snapshots }
        let client = CurlHTTPClient(settings: config.links, version: version)
        defer { client.shutdown() }
        let fetcher = PageFetcher(client: client, settings: config.links)
        let fetched = await withTaskGroup(of: PageSnapshot.self) { group in
            for url in missing { group.addTask { await fetcher.fetch(url) } }
            var results: [PageSnapshot] = []
            for await snapshot in group { results.append(snapshot) }
            return results
        }
        for snapshot in fetched {
            try store.record(snapshot)
            snapshots[snapshot.url] = snapshot
        }
        return snapshots
    }

    /// The URLs whose link check failed: their quotes are not compared (the link finding says enough, and a
    /// fetch would only fail again).
    public static func unreadable(_ linkResults: [String: LinkResult]) -> Set<String> {
        Set(linkResults.filter { !$0.value.ok && $0.value.verdict != .skipped }.map(\.key))
    }

    /// Quote findings by draft path.
    public static func findings(_ drafts: [Draft], snapshots: [String: PageSnapshot], registry: Registry) -> [String: [Finding]] {
        var result: [String: [Finding]] = [:]
        let paywalled: (String) -> Bool = { url in
            WebAddress(url).flatMap { registry.publication(forHost: $0.host) }?.paywall ?? false
        }
        for draft in drafts {
            let found = QuoteCheck.findings(for: draft, snapshots: snapshots, paywalled: paywalled)
            if !found.isEmpty { result[draft.path] = found }
        }
        return result
    }
}
