public import BriefdIO
public import BriefdCore
import Foundation

/// The part of a draft's review that looks beyond the draft: its links' verdicts and its quotes against their
/// pages. `briefd check`, the daemon and the digest build's gate all call this one type.
///
/// The offline checks (`DraftChecker`, `CheckRun`) come first and need nothing but the draft; this adds the
/// link and quote findings, from the network or from what the state database already knows.
public enum DraftReview {
    /// Where link results and page snapshots come from.
    public enum Mode: Sendable, Equatable {
        /// No link or quote findings.
        case offline
        /// No request: link results from the history (within the cache ages), quotes against kept snapshots.
        case cached
        /// Through the link service: fresh history results reused, the rest checked; pages fetched when no
        /// snapshot is kept, or always with `refreshPages`.
        case online(refreshPages: Bool)
    }

    public struct Outcome: Sendable {
        /// Link and quote findings by draft path.
        public var findings: [String: [Finding]]
        /// Every cited link with its result (for `briefd links`-style listings).
        public var linkEntries: [LinkReportFormatter.Entry]
        /// False when the link service shut down before every answer came: the findings are partial.
        public var complete: Bool
        /// A problem writing the link history (the results stand; only their record is incomplete).
        public var historyProblem: String?
    }
}

extension RunContext {
    /// The link and quote findings of `drafts`.
    ///
    /// - Throws: when the state database cannot be read.
    public func review(
        _ drafts: [Draft], mode: DraftReview.Mode, reuse: LinkChecker.Reuse = .history,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> DraftReview.Outcome {
        let cited = CitedLink.merging(drafts.map(LinkExtractor.links(in:)))
        let quoteSources = Array(Set(drafts.flatMap { QuoteCheck.quotes(in: $0).map(\.url) }))
        var outcome = DraftReview.Outcome(findings: [:], linkEntries: [], complete: true, historyProblem: nil)
        let results: [String: LinkResult]
        var snapshots: [String: PageSnapshot]
        switch mode {
        case .offline:
            return outcome
        case .cached:
            results = try await LinkStore(state).knownResults(
                for: cited.map(\.url), settings: config.links, now: Date().timeIntervalSince1970)
            snapshots = try await PageStore(state).latest(quoteSources)
        case .online(let refreshPages):
            guard let links else { preconditionFailure("an online review needs the link service") }
            // A quoted page without a kept snapshot is read whole by its link check and kept: one request for both.
            let kept = refreshPages ? [:] : try await PageStore(state).latest(quoteSources)
            let wanted = Set(quoteSources.filter { kept[$0] == nil })
            results =
                cited.isEmpty
                ? [:] : await links.checker.check(cited, reuse: reuse, keepingPages: wanted, progress: progress)
            outcome.historyProblem = links.checker.storeError.map { "\($0)" }
            // A page whose link failed is not read: the link finding says enough, and a fetch would fail again.
            // A page whose link result came from the history was not read just now: with `refreshPages` it is.
            let unreadable = QuoteRun.unreadable(results)
            let readable = quoteSources.filter { !unreadable.contains($0) }
            let readNow = readable.filter { results[$0]?.cached != true }
            snapshots = try await links.pages.snapshots(of: refreshPages ? readNow : readable, refresh: false)
            if refreshPages {
                let notReadNow = readable.filter { results[$0]?.cached == true }
                snapshots.merge(try await links.pages.snapshots(of: notReadNow, refresh: true)) { _, fresh in fresh }
            }
            outcome.complete =
                cited.allSatisfy { results[$0.url] != nil }
                && quoteSources.allSatisfy { unreadable.contains($0) || snapshots[$0] != nil }
        }
        outcome.linkEntries = cited.compactMap { link in results[link.url].map { .init(link: link, result: $0) } }
        var quoteFindings = QuoteRun.findings(drafts, snapshots: snapshots, registry: registry)
        // `--cached` makes no request: what the history does not hold is named, never passed over in silence.
        let unknownLinks = mode == .cached ? "no result in the history (--cached makes no request)" : nil
        if mode == .cached {
            for draft in drafts {
                let missing = QuoteCheck.notCompared(
                    in: draft, snapshots: snapshots,
                    because: "no copy of the page is kept (--cached makes no request); check without --cached")
                if !missing.isEmpty { quoteFindings[draft.path, default: []] += missing }
            }
        }
        // A dead link's archived copy (Save Page Now's, from an earlier issue) is offered as its fix.
        let dead = cited.map(\.url).filter { [.broken, .soft404].contains(results[$0]?.verdict) }
        let archived =
            dead.isEmpty ? [:] : try await PreservationStore(state).snapshots(of: dead).compactMapValues(\.snapshot)
        let paths = Set(cited.flatMap { $0.citations.map(\.path) }).union(quoteFindings.keys)
        let sources = Dictionary(drafts.map { ($0.path, $0.source) }, uniquingKeysWith: { first, _ in first })
        let citedByPath = Dictionary(
            grouping: cited.flatMap { link in Set(link.citations.map(\.path)).map { ($0, link) } }, by: \.0)
        for path in paths {
            let found =
                LinkFindings.findings(
                    path: path, links: citedByPath[path]?.map(\.1) ?? [], results: results,
                    unknownBecause: unknownLinks, source: sources[path], archived: archived)
                + (quoteFindings[path] ?? [])
            if !found.isEmpty { outcome.findings[path] = found }
        }
        return outcome
    }
}
