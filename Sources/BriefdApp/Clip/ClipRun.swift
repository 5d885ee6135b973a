import BriefdIO
public import BriefdCore
import Foundation

/// `briefd clip`: reads an article's page (through the link service, or from a file saved from a browser),
/// makes the brief with `Clipper`, keeps the page as the quote snapshot for the brief's address, writes the
/// draft into the drafts folder (never over another), and reviews it as `briefd check --cached` would.
public enum ClipRun {
    /// Where the page comes from.
    public enum Page: Sendable {
        case web
        /// A page saved from a browser: its bytes, read by the caller within `links.max_page_bytes`.
        case saved(file: String, bytes: [UInt8])
    }

    /// Why there is no draft: the page could not be had or read. `verdict` is the link rule's word for it
    /// ("broken", "blocked-address", "timeout", "not-html", …).
    public struct Unavailable: Error, Sendable, CustomStringConvertible {
        public var verdict: String
        public var reason: String
        public var description: String { "\(verdict): \(reason)" }
    }

    public struct Outcome: Sendable {
        public var result: ClipResult
        /// The file written; nil when only printed.
        public var path: String?
        public var markdown: String
        public var findings: [Finding]
    }

}

extension RunContext {
    /// The page read (from the web unless saved: `links` is needed then), the brief made, kept and written.
    public func clip(
        _ url: String, page: ClipRun.Page, section: String?, issue: Day?, featured: Bool, write: Bool, today: Day
    ) async throws -> ClipRun.Outcome {
        let (finalURL, bytes, declared) = try await read(url, page)
        guard let reading = ArticleExtractor.readPage(html: bytes, charset: declared) else {
            throw ClipRun.Unavailable(verdict: "unreadable", reason: "the page could not be read as HTML")
        }
        // The coming issue: the first issue day on or after today that is not published yet (a brief clipped after
        // this week's issue went out belongs to the next one, not to the one already out).
        let coming = DraftAccount.nextIssue(
            weekday: config.digest.issueWeekday, today: today,
            published: try await IssueStore(state).publishedIssues().dates)
        let request = ClipRequest(
            url: url, finalURL: finalURL, section: section, issue: issue ?? coming, featured: featured, today: today)
        let used = try await sectionsUsed()
        let result = Clipper.clip(reading, request, registry: registry, config: config) { used[$0] ?? [:] }
        let markdown = result.draft.markdown
        // The quote check of this brief then reads the very page the excerpt was cut from. The excerpt's paragraphs
        // join the kept text when the article text lacks them (a video's description, a second <article>).
        var kept = reading.article.text
        if let first = result.draft.excerpt.first, !kept.contains(first) {
            kept += (kept.isEmpty ? "" : "\n\n") + result.draft.excerpt.joined(separator: "\n\n")
        }
        if !kept.isEmpty {
            try await PageStore(state).record(
                PageSnapshot(
                    url: result.draft.url, fetchedAt: Date().timeIntervalSince1970, status: nil, text: kept,
                    published: reading.article.published ?? result.draft.published, problem: nil))
        }
        var path: String?
        if write {
            path = try AtomicOutput.writeNewFile(
                folder: config.paths.drafts, name: result.draft.fileStem(today: today), extension: "md",
                Array(markdown.utf8))
        }
        let findings = try await reviewClipped(markdown, path: path ?? "(printed)", today: today)
        return ClipRun.Outcome(result: result, path: path, markdown: markdown, findings: findings)
    }

    private func read(_ url: String, _ page: ClipRun.Page) async throws -> (
        finalURL: String, bytes: [UInt8], charset: String?
    ) {
        switch page {
        case .saved(_, let bytes):
            return (url, bytes, nil)
        case .web:
            guard let links else { preconditionFailure("clipping from the web needs the link service") }
            switch await links.pages.fetchAnswer(url) {
            case .shutDown:
                throw ClipRun.Unavailable(verdict: "interrupted", reason: "briefd was stopped before the page came")
            case .unavailable(let problem, let status, let failure):
                // In the editor's words ("the site's name does not resolve: …"), not libcurl's.
                throw ClipRun.Unavailable(
                    verdict: verdict(status: status, failure: failure, url: url),
                    reason: LinkProblem.sentence(status: status, error: problem) ?? problem)
            case .answer(let finalURL, let response):
                guard (200..<300).contains(response.status) else {
                    throw ClipRun.Unavailable(
                        verdict: verdict(status: response.status, failure: nil, url: finalURL),
                        reason: "the page answered: \(LinkProblem.statusSentence(response.status))")
                }
                let (mediaType, charset) = PageFetcher.contentType(of: response)
                guard ["text/html", "application/xhtml+xml", ""].contains(mediaType) else {
                    throw ClipRun.Unavailable(
                        verdict: "not-html", reason: "the page is \(mediaType), not an HTML article")
                }
                return (finalURL, response.body, charset)
            }
        }
    }

    /// The link rules' name for a page that could not be had.
    private func verdict(status: Int?, failure: TransportFailure.Kind?, url: String) -> String {
        switch failure {
        case .blockedAddress: return "blocked-address"
        case .timeout: return "timeout"
        case .some: return "broken"
        case nil: break
        }
        guard let status else { return "broken" }
        let host = WebAddress(url)?.host ?? ""
        if [401, 402, 403].contains(status), registry.publication(forHost: host)?.paywall == true {
            return "paywalled"
        }
        if status == 429 || status == 999 { return "blocked" }
        return "broken"
    }

    /// Section → uses, per publication: the drafts in the drafts folder and the published issues.
    private func sectionsUsed() async throws -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        for (path, root) in DraftFiles.find([config.paths.drafts]) {
            // The front matter is all this needs: parsed, not checked.
            guard case .read(_, let bytes) = DraftFiles.read(path, root: root, maxBytes: config.checks.maxDraftBytes),
                let draft = DraftParser.parse(path: path, bytes: bytes).draft, draft.kind == .brief,
                let source = draft.frontMatter.source, let section = draft.frontMatter.section
            else { continue }
            let name = Clipper.registryName(of: source, in: registry)
            counts[name, default: [:]][section, default: 0] += 1
        }
        for (source, sections) in try await IssueStore(state).sectionsUsedBySource() {
            for (section, uses) in sections { counts[source, default: [:]][section, default: 0] += uses }
        }
        return counts
    }

    /// The findings `briefd check --cached` gives the draft: its own checks, then links from the history and the
    /// quote against the snapshot just kept.
    private func reviewClipped(_ markdown: String, path: String, today: Day) async throws -> [Finding] {
        let checker = DraftChecker(config: config, registry: registry, today: today)
        let checked = checker.check(path: path, bytes: Array(markdown.utf8))
        var findings = checked.report.findings
        if let draft = checked.draft {
            let outcome = try await RunContext(config: config, registry: registry, state: state, links: nil)
                .review([draft], mode: .cached)
            findings += outcome.findings[path] ?? []
        }
        return findings.inReadingOrder()
    }
}
