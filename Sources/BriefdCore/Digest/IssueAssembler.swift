/// Orders an issue's items and words each one in the house style. Pure: which drafts go in is the account's
/// decision (`DraftAccount`), handed over as every draft's standing.
public struct IssueAssembler: Sendable {
    public let config: Config
    public let registry: Registry

    public init(config: Config, registry: Registry) {
        self.config = config
        self.registry = registry
    }

    /// The issue of `date` from the drafts the account finds `ready`; every other draft is listed as left out
    /// with its status and reason. The account decides; this only orders and words.
    ///
    /// - Parameters:
    ///   - drafts: the parsed drafts (paths relative to the drafts folder).
    ///   - standings: every draft's standing for the issue of `date` (`DraftAccount.standings`), keyed by path;
    ///     unreadable drafts have one too.
    /// - Returns: the issue, or nil when nothing would go in it; and the build report either way.
    public func assemble(date: Day, drafts: [Draft], standings: [String: DraftStanding]) -> (DigestIssue?, BuildReport)
    {
        var report = BuildReport(issue: date.description)
        for (path, standing) in standings where standing.status != .ready {
            report.leftOut.append(.init(path: path, status: standing.status, reason: standing.reasons.first ?? ""))
        }
        let parsed = Dictionary(drafts.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var briefs: [Draft] = []
        var sponsors: [Draft] = []
        for (path, standing) in standings where standing.status == .ready {
            guard let draft = parsed[path] else {
                // Ready in the account but not among the drafts handed over: said, never dropped silently.
                report.leftOut.append(
                    .init(path: path, status: .checking, reason: "changed since it was checked; it is checked again"))
                continue
            }
            if draft.kind == .sponsor { sponsors.append(draft) } else if draft.kind != .post { briefs.append(draft) }
        }
        briefs.sort { $0.path < $1.path }
        report.leftOut.sort { $0.path < $1.path }
        for item in report.leftOut where item.reason.hasPrefix("its URL was published") {
            report.warnings.append("\(item.path): \(item.reason)")
        }
        var featured: Draft?
        var sectioned: [Draft] = []
        for brief in briefs {
            guard brief.frontMatter.featured else {
                sectioned.append(brief)
                continue
            }
            if let chosen = featured {
                report.errors.append(
                    "two featured articles: \(chosen.path) and \(brief.path); \(brief.path) appears in its section instead"
                )
                sectioned.append(brief)
            } else {
                featured = brief
            }
        }
        // The account holds back a second sponsor and any sponsor under the donation appeal.
        let sponsor = sponsors.min { $0.path < $1.path }

        var sections: [DigestSection] = []
        for name in config.newsletter.sections {
            let items = sectioned.filter { $0.frontMatter.section == name }.sorted(by: IssueAssembler.readingOrder)
            guard !items.isEmpty else { continue }
            sections.append(DigestSection(name: name, items: items.map(item)))
            for draft in items {
                report.included.append(.init(path: draft.path, title: draft.frontMatter.title ?? "", placement: name))
            }
        }
        if let featured {
            report.included.insert(
                .init(path: featured.path, title: featured.frontMatter.title ?? "", placement: "featured"), at: 0)
        }
        if let sponsor {
            report.included.append(
                .init(path: sponsor.path, title: sponsor.frontMatter.title ?? "", placement: "sponsor"))
        }
        guard featured != nil || !sections.isEmpty else { return (nil, report) }

        let settings = config.digest
        let dateText = DigestText.longDate(date)
        let issue = DigestIssue(
            date: date.description, title: "\(config.newsletter.name) | \(dateText)",
            newsletter: config.newsletter.name,
            dateText: dateText, disclaimer: DigestText.smart(settings.disclaimer),
            supportText: DigestText.smart(settings.supportText),
            supportURL: settings.supportURL, featured: featured.map(item), sponsor: sponsor.map(item),
            sponsorLine: DigestText.smart(settings.sponsorLine),
            donationAppeal: settings.donationAppeal
                ? DonationAppeal(text: DigestText.smart(settings.donationText), url: settings.donationURL) : nil,
            sections: sections,
            footer: DigestFooter(
                tagline: DigestText.smart(settings.tagline), subscribeURL: settings.subscribeURL,
                unsubscribeURL: settings.unsubscribeURL, archiveURL: settings.siteURL),
            webURL: settings.siteURL + date.description + "/")
        return (issue, report)
    }

    /// Drafts that set `order:` first (ascending), then newest first, then by title.
    static func readingOrder(_ a: Draft, _ b: Draft) -> Bool {
        let (x, y) = (a.frontMatter, b.frontMatter)
        if x.order != y.order { return (x.order ?? Int.max) < (y.order ?? Int.max) }
        if x.contentDate != y.contentDate {
            return (x.contentDate?.daysSinceEpoch ?? Int.min) > (y.contentDate?.daysSinceEpoch ?? Int.min)
        }
        return (x.title ?? "") < (y.title ?? "")
    }

    private func publication(named name: String) -> Publication? {
        if case .exact(let index) = registry.publicationNames.match(name) { return registry.publications[index] }
        return nil
    }

    func item(_ draft: Draft) -> DigestItem {
        let front = draft.frontMatter
        let prefix: String
        switch front.format {
        case .video: prefix = "Video: "
        case .podcast: prefix = "Podcast: "
        case .webinarVideo: prefix = "Webinar Video: "
        case nil: prefix = ""
        }
        let headline = DigestText.smart(front.title ?? "")
        let url = front.url ?? ""
        var parts: [String] = []
        if let published = front.published { parts.append(DigestText.longDate(published)) }
        if let source = front.source {
            // The registry's spelling of the publication, as the checks require it.
            let name = publication(named: source)?.name ?? source
            parts.append(DigestText.smart(name) + (front.via.map { ", via \(DigestText.smart($0))" } ?? ""))
        }
        let paywalled = front.paywall ?? front.source.flatMap(publication(named:))?.paywall ?? false
        var meta = parts.isEmpty ? "" : "(" + parts.joined(separator: ", ") + ")"
        if paywalled { meta += " (subscription required)" }
        let bodyBytes = draft.source.bytes[min(draft.bodyStart, draft.source.bytes.count)...]
        let markdownBody = String(decoding: bodyBytes, as: UTF8.self).trimmingBlankLines()
        let plain = DigestExcerpt.plainText(of: draft.body)
        return DigestItem(
            prefix: prefix, headline: headline, url: url, meta: meta,
            excerptHTML: MarkdownParser.renderHTML(markdownBody), excerptText: plain,
            excerptMarkdown: MarkdownParser.renderSafeMarkdown(markdownBody),
            markdownLink: "[\(DigestText.escapeMarkdown(prefix + headline))](<\(url)>)",
            textHeading: [DigestText.wrap(prefix + headline), DigestText.wrap(meta), url].filter { !$0.isEmpty }
                .joined(separator: "\n"),
            draftPath: draft.path,
            source: front.source.map { publication(named: $0)?.name ?? $0 } ?? "")
    }
}

/// The plain-text form of an excerpt: each paragraph's text wrapped at 72 columns, blank lines between.
enum DigestExcerpt {
    static func plainText(of document: MarkdownDocument) -> String {
        var paragraphs: [String] = []
        func visit(_ block: MarkdownBlock, quoted: Bool) {
            if block.kind == .codeBlock, let literal = block.literal {
                paragraphs.append(literal.trimmingBlankLines())
            } else if !block.inline.isEmpty {
                let wrapped = DigestText.wrap(DigestText.smart(block.inline.text), width: quoted ? 70 : 72)
                paragraphs.append(
                    quoted ? wrapped.split(separator: "\n").map { "> " + $0 }.joined(separator: "\n") : wrapped)
            }
            for child in block.children { visit(child, quoted: quoted || block.kind == .blockQuote) }
        }
        document.blocks.forEach { visit($0, quoted: false) }
        return paragraphs.joined(separator: "\n\n")
    }
}

extension String {
    fileprivate func trimmingBlankLines() -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false)
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
