import BriefdIO
public import BriefdCore

/// The quote check of a set of drafts, given their sources' snapshots (`DraftReview` gathers them).
public enum QuoteRun {
    /// The URLs whose link check failed: their quotes are not compared (the link finding says enough, and a
    /// fetch would only fail again).
    public static func unreadable(_ linkResults: [String: LinkResult]) -> Set<String> {
        Set(linkResults.filter { !$0.value.ok && $0.value.verdict != .skipped }.map(\.key))
    }

    /// Quote findings by draft path.
    public static func findings(_ drafts: [Draft], snapshots: [String: PageSnapshot], registry: Registry) -> [String:
        [Finding]]
    {
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
