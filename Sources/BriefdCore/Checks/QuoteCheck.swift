/// A page as the quote check read it: its article text and date, or why it could not be read.
public struct PageSnapshot: Sendable, Equatable {
    public var url: String
    /// Seconds since 1970.
    public var fetchedAt: Double
    public var status: Int?
    public var text: String?
    public var published: Day?
    /// Why there is no text (not HTML, an error status, a timeout…).
    public var problem: String?

    public init(url: String, fetchedAt: Double, status: Int?, text: String?, published: Day?, problem: String?) {
        self.url = url
        self.fetchedAt = fetchedAt
        self.status = status
        self.text = text
        self.published = published
        self.problem = problem
    }
}

/// Compares a draft's quotes with the pages they come from: a brief's excerpt with its `url`, a post's block
/// quotes with the page linked in the quote or its lead-in.
public enum QuoteCheck {
    /// One quote of a draft: its paragraphs (in reading order) and the page it must come from.
    public struct Quote: Sendable {
        public var url: String
        public var paragraphs: [InlineText]
    }

    /// The quotes of `draft` that name a source.
    public static func quotes(in draft: Draft) -> [Quote] {
        switch draft.kind {
        case .brief:
            guard let url = draft.frontMatter.url else { return [] }
            let paragraphs = paragraphs(of: draft.body.blocks)
            return paragraphs.isEmpty ? [] : [Quote(url: url, paragraphs: paragraphs)]
        case .post:
            var quotes: [Quote] = []
            var previous: MarkdownBlock?
            for block in draft.body.blocks {
                if block.kind == .blockQuote {
                    let paragraphs = paragraphs(of: block.children)
                    let inside = paragraphs.flatMap(\.links).first { $0.kind != .image }?.url
                    let leadIn = previous.flatMap {
                        $0.kind == .paragraph ? $0.inline.links.last(where: { $0.kind != .image })?.url : nil
                    }
                    if let url = inside ?? leadIn, WebAddress(url)?.isHTTP == true, !paragraphs.isEmpty {
                        quotes.append(Quote(url: url, paragraphs: paragraphs))
                    }
                }
                previous = block
            }
            return quotes
        case .sponsor:
            return []
        }
    }

    private static func paragraphs(of blocks: [MarkdownBlock]) -> [InlineText] {
        var result: [InlineText] = []
        for block in blocks {
            if !block.inline.isEmpty { result.append(block.inline) }
            result += paragraphs(of: block.children)
        }
        return result
    }

    /// A finding for each quote of `draft` whose page has no snapshot in `snapshots`, saying why it was not
    /// compared, so that a quote nobody compared never reads as a verified one.
    public static func notCompared(in draft: Draft, snapshots: [String: PageSnapshot], because why: String)
        -> [Finding]
    {
        quotes(in: draft).filter { snapshots[$0.url] == nil }.map { quote in
            Finding(
                .quoteSourceUnavailable, at: draft.position(ofByte: quote.paragraphs[0].fileOffset(ofTextOffset: 0)),
                "the quote was not compared with \(quote.url): \(why)")
        }
    }

    /// The findings of every quote of `draft` whose page is in `snapshots` (quotes without one are not judged).
    ///
    /// - Parameter paywalled: whether a page is behind a paywall (the draft's `paywall: true`, or the registry's
    ///   publication): there a passage missing from the readable part is `quote.source-unavailable`, not an error.
    public static func findings(
        for draft: Draft, snapshots: [String: PageSnapshot], paywalled: (String) -> Bool = { _ in false }
    ) -> [Finding] {
        var findings: [Finding] = []
        var sources: [String: QuoteSource] = [:]
        for quote in quotes(in: draft) {
            guard let snapshot = snapshots[quote.url] else { continue }
            let start = draft.position(ofByte: quote.paragraphs[0].fileOffset(ofTextOffset: 0))
            guard let text = snapshot.text, !text.isEmpty else {
                findings.append(
                    Finding(
                        .quoteSourceUnavailable, at: start,
                        "the quote could not be compared with \(quote.url): \(snapshot.problem ?? "the page has no readable text")"
                    ))
                continue
            }
            let source = sources[quote.url] ?? QuoteSource(text: text)
            sources[quote.url] = source
            let fetched = SuggestionSource.page(fetched: SuggestionSource.day(ofUnixTime: snapshot.fetchedAt))
            var judged = judge(quote, draft: draft, source: source, fetched: fetched, start: start)
            if paywalled(quote.url) || draft.frontMatter.paywall == true,
                judged.contains(where: { $0.rule == .quoteNotFound })
            {
                judged = [
                    Finding(
                        .quoteSourceUnavailable, at: start,
                        "\(quote.url) is behind a paywall and its readable part does not hold the whole quote; verify it by hand"
                    )
                ]
            }
            findings += judged
        }
        if draft.kind == .brief, let url = draft.frontMatter.url, let stated = draft.frontMatter.published,
            let snapshot = snapshots[url], let pageDate = snapshot.published, pageDate != stated
        {
            var finding = Finding(
                .briefDateMismatch, at: draft.frontMatter.position(of: "published"),
                "'published' is \(stated), but the page says it was published on \(pageDate)",
                suggestion: pageDate.description,
                from: .page(fetched: SuggestionSource.day(ofUnixTime: snapshot.fetchedAt)))
            finding.fixes =
                Fix.replacingValue(
                    at: draft.frontMatter.position(of: "published"), of: draft.source, expected: stated.description,
                    with: pageDate.description, title: "Use the page's date: \(pageDate)", safe: true
                ).map { [$0] } ?? []
            findings.append(finding)
        }
        return findings
    }

    private static func judge(
        _ quote: Quote, draft: Draft, source: QuoteSource, fetched: SuggestionSource, start: SourcePosition
    ) -> [Finding] {
        var cursor = 0
        var findings: [Finding] = []
        var fragments = 0
        for paragraph in quote.paragraphs {
            let results = QuoteMatcher.match(
                QuoteFragments(paragraph.text), quoteText: paragraph.text, in: source, cursor: &cursor)
            fragments += results.count
            for result in results {
                let at = draft.position(ofByte: paragraph.fileOffset(ofTextOffset: result.quoteRange.lowerBound))
                switch result.outcome {
                case .exact:
                    continue
                case .outOfOrder:
                    findings.append(
                        Finding(
                            .quoteOutOfOrder, at: at,
                            "this part of the quote is in \(quote.url), but before the part that precedes it here"))
                case .notFound:
                    findings.append(
                        Finding(.quoteNotFound, at: at, "this passage is not in \(quote.url), not even approximately"))
                case .altered(let range, let similarity, let differences):
                    let first =
                        differences.first { $0.quoteRange != nil }?.quoteRange.map {
                            draft.position(ofByte: paragraph.fileOffset(ofTextOffset: $0.lowerBound))
                        } ?? at
                    let described = differences.prefix(5).map { difference -> String in
                        switch (difference.quote.isEmpty, difference.source.isEmpty) {
                        case (false, false): return "'\(difference.quote)' where the page has '\(difference.source)'"
                        case (false, true): return "'\(difference.quote)', which the page does not have"
                        default: return "the page's '\(difference.source)' left out without an omission mark"
                        }
                    }
                    let more = differences.count > 5 ? " and \(differences.count - 5) more" : ""
                    var finding = Finding(
                        .quoteAltered, at: first,
                        "the quote differs from \(quote.url) (\(Int((similarity * 100).rounded(.down)))% the same): "
                            + described.joined(separator: "; ") + more,
                        suggestion: source.passage(range), from: fetched)
                    finding.fixes = restoreFix(
                        result.quoteRange, of: paragraph, in: draft, to: source.passage(range))
                    finding.suggestionMarks = QuoteCheck.marks(differences, in: source, passage: range)
                    findings.append(finding)
                }
            }
        }
        if findings.isEmpty && fragments > 0 {
            findings.append(
                Finding(
                    .quoteVerified, at: start,
                    "the quote is word for word in \(quote.url)"
                        + (fragments > 1 ? " (\(fragments) fragments, in order)" : "")))
        }
        return findings
    }

    /// Where the page's passage (the suggestion) differs from the quote: the UTF-8 ranges, within the passage, of the
    /// page's words the quote changed or left out. Carried as data, so that no surface has to find them in the words
    /// of the message.
    static func marks(_ differences: [QuoteMatcher.Difference], in source: QuoteSource, passage: Range<Int>)
        -> [Range<Int>]
    {
        guard passage.lowerBound < source.words.count else { return [] }
        let base = source.words[passage.lowerBound].range.lowerBound
        return differences.compactMap { difference in
            guard let words = difference.sourceWords, !words.isEmpty, words.lowerBound >= passage.lowerBound,
                words.upperBound <= passage.upperBound
            else { return nil }
            return
                (source.words[words.lowerBound].range.lowerBound - base)..<(source.words[words.upperBound - 1]
                .range.upperBound - base)
        }
    }

    /// The page's words in place of an altered fragment: not safe (it changes what the draft quotes, which an editor
    /// confirms against the page), and made only where the fragment is written as one run of plain text in the file
    /// (no markup, no line break with its `> ` inside), so that nothing but the words changes.
    static func restoreFix(_ range: Range<Int>, of paragraph: InlineText, in draft: Draft, to passage: String) -> [Fix]
    {
        let bytes = Array(paragraph.text.utf8)
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, !passage.isEmpty else { return [] }
        let written = String(decoding: bytes[range], as: UTF8.self)
        let start = paragraph.fileOffset(ofTextOffset: range.lowerBound)
        let shown = passage.count > 60 ? String(passage.prefix(57)) + "…" : passage
        return Fix.replacing(
            start, start + range.count, of: draft.source, expected: written, with: passage,
            title: "Restore the page's words: “\(shown)”", safe: false
        ).map { [$0] } ?? []
    }
}
