/// A person or publication named in a draft, and what the registry says of that spelling.
struct NameMention: Sendable {
    enum Kind: Sendable { case person, publication }
    enum Resolution: Sendable, Equatable {
        case exact(Int)
        case nearMiss([Int])
        case unknown
    }

    var kind: Kind
    var resolution: Resolution
    var text: String
    /// UTF-8 range in the paragraph's plain text.
    var start: Int
    var end: Int
}

/// Finds registry names in runs of capitalized words, exactly or as near misses.
struct NameSpotter {
    enum Expectation { case person, publication, either }

    let registry: Registry
    /// Per word of the text being read: which indexes know it exactly or nearly (see `NameIndex.tokenHit`).
    private var hits: [(person: (exact: Bool, near: Bool), publication: (exact: Bool, near: Bool))] = []

    init(registry: Registry) {
        self.registry = registry
    }

    /// A spotter for one paragraph's words, which looks up only the spans that hold a word the registry knows.
    init(registry: Registry, tokens: [WordToken]) {
        self.registry = registry
        let none = (exact: false, near: false)
        self.hits = tokens.map { token in
            // Only capitalized words and connectors ("of", "on") can be part of a name run.
            guard token.isCapitalized || NameRuns.connectors.contains(token.lower) else { return (none, none) }
            return (registry.personNames.tokenHit(token.text), registry.publicationNames.tokenHit(token.text))
        }
    }

    private func mayMatchExactly(_ span: Range<Int>, person: Bool) -> Bool {
        guard !hits.isEmpty else { return true }
        return span.allSatisfy { person ? hits[$0].person.exact : hits[$0].publication.exact }
            || (!person && span.count > 1 && span.dropFirst().allSatisfy { hits[$0].publication.exact })  // "The …"
    }

    private func mayMatchNearly(_ span: Range<Int>, person: Bool) -> Bool {
        guard !hits.isEmpty else { return true }
        return span.contains { person ? hits[$0].person.near : hits[$0].publication.near }
    }

    /// Words that mark a run as an institution rather than a person when it is not in the registry.
    static let institutionWords: Set<String> = [
        "china", "news", "times", "post", "daily", "journal", "review", "institute", "center", "centre", "council",
        "university", "press", "agency", "foundation", "watch", "media", "tone", "weekly", "magazine", "monitor",
        "project", "lab", "forum", "network", "group", "bank", "ministry", "party", "committee", "association",
        "society", "affairs", "policy", "economist", "reuters", "bloomberg", "xinhua", "telegraph", "guardian",
        "herald", "tribune", "gazette", "radio", "television", "tv", "online", "wire", "report", "bureau", "office",
        "commission", "state", "global", "international", "world", "asia", "asian", "pacific", "research", "studies",
        "service", "services", "company", "corporation", "inc", "ltd", "blog", "podcast", "channel", "broadcasting",
    ]

    /// Resolves a slot of an attribution pattern ("<Person>, writing in <Publication>") to one name.
    func resolve(_ tokens: [WordToken], _ span: Range<Int>, expecting: Expectation) -> NameMention? {
        guard !span.isEmpty else { return nil }
        if let exact = exactMention(tokens, span, expecting: expecting) { return exact }
        if let near = nearMiss(tokens, span, expecting: expecting, minimumSingleTokenLength: 1) { return near }
        let kind: NameMention.Kind
        switch expecting {
        // An organisation is never taken for a person, wherever a pattern expected one ("Public Radio").
        case .person: kind = looksLikeOrganisation(tokens, span) ? .publication : .person
        case .publication: kind = .publication
        case .either: kind = looksLikePerson(tokens, span) ? .person : .publication
        }
        let nameSpan = kind == .person ? personalPart(tokens, span) : span
        return mention(kind, .unknown, tokens, nameSpan)
    }

    /// Every exact or near-miss registry name in a run (for prose and lead-ins without a pattern).
    func mentions(_ tokens: [WordToken], _ span: Range<Int>, minimumSingleTokenLength: Int) -> [NameMention] {
        var found: [NameMention] = []
        var index = span.lowerBound
        var uncoveredStart = index
        func flushNearMisses(upTo end: Int) {
            guard uncoveredStart < end else { return }
            if let near = nearMiss(
                tokens, uncoveredStart..<end, expecting: .either,
                minimumSingleTokenLength: minimumSingleTokenLength)
            {
                found.append(near)
            }
        }
        while index < span.upperBound {
            var matched: NameMention?
            for length in stride(from: min(6, span.upperBound - index), through: 1, by: -1) {
                if let exact = exactMention(tokens, index..<(index + length), expecting: .either, wholeSpan: true) {
                    matched = exact
                    break
                }
            }
            if let matched {
                flushNearMisses(upTo: index)
                found.append(matched)
                index = tokens.firstIndex { $0.start >= matched.end } ?? span.upperBound
                uncoveredStart = index
            } else {
                index += 1
            }
        }
        flushNearMisses(upTo: span.upperBound)
        return found
    }

    func exactMention(
        _ tokens: [WordToken], _ span: Range<Int>, expecting: Expectation, wholeSpan: Bool = false
    ) -> NameMention? {
        let lengths = wholeSpan ? [span.count] : Array(stride(from: min(6, span.count), through: 1, by: -1))
        for length in lengths {
            for start in span.lowerBound...(span.upperBound - length) {
                let sub = start..<(start + length)
                let text = joined(tokens, sub)
                if expecting != .publication, mayMatchExactly(sub, person: true),
                    case .exact(let index) = registry.personNames.match(text)
                {
                    return mention(.person, .exact(index), tokens, sub)
                }
                if expecting != .person, mayMatchExactly(sub, person: false),
                    case .exact(let index) = registry.publicationNames.match(text)
                {
                    return mention(.publication, .exact(index), tokens, sub)
                }
            }
        }
        return nil
    }

    private func nearMiss(
        _ tokens: [WordToken], _ span: Range<Int>, expecting: Expectation, minimumSingleTokenLength: Int
    ) -> NameMention? {
        for length in stride(from: min(6, span.count), through: 1, by: -1) {
            for start in span.lowerBound...(span.upperBound - length) {
                let sub = start..<(start + length)
                if length == 1, tokens[start].text.count < minimumSingleTokenLength { continue }
                let text = joined(tokens, sub)
                if expecting != .publication, length >= 2, mayMatchNearly(sub, person: true),
                    case .nearMiss(let ids) = registry.personNames.match(text)
                {
                    return mention(.person, .nearMiss(ids), tokens, sub)
                }
                if expecting != .person, mayMatchNearly(sub, person: false), isWholePublicationName(tokens, span, sub),
                    case .nearMiss(let ids) = registry.publicationNames.match(text)
                {
                    return mention(.publication, .nearMiss(ids), tokens, sub)
                }
            }
        }
        return nil
    }

    /// A publication's name is compared whole: "Times" in "The Global Times" is no misspelling of "TIME". Only a
    /// leading article, or a sentence's first word that names no institution ("Yesterday Caixn reported"), may be
    /// left out of the compared words; nothing after them.
    func isWholePublicationName(_ tokens: [WordToken], _ run: Range<Int>, _ sub: Range<Int>) -> Bool {
        guard sub.upperBound == run.upperBound else { return false }
        for index in run.lowerBound..<sub.lowerBound {
            let token = tokens[index]
            if token.lower == "the" { continue }
            let sentenceStart =
                index == run.lowerBound
                && (index == 0 || token.before.trimmingWhitespace().last.map { ".!?:;\u{201C}\"".contains($0) } ?? true)
            guard sentenceStart, !NameSpotter.institutionWords.contains(token.lower) else { return false }
        }
        return true
    }

    /// A run that names an institution: a word such as Radio, Times, Institute, or a registry publication's name.
    func looksLikeOrganisation(_ tokens: [WordToken], _ span: Range<Int>) -> Bool {
        if tokens[span].contains(where: { NameSpotter.institutionWords.contains($0.lower) }) { return true }
        if case .none = registry.publicationNames.match(joined(tokens, span)) { return false }
        return true
    }

    func looksLikePerson(_ tokens: [WordToken], _ span: Range<Int>) -> Bool {
        let words = tokens[span]
        guard let first = words.first, first.lower != "the" else { return false }
        if words.contains(where: { NameSpotter.institutionWords.contains($0.lower) }) { return false }
        return (2...4).contains(personalPart(tokens, span).count)
    }

    /// The name within a run that may start with a title or a sentence's first word ("Historian Mara Feld").
    func personalPart(_ tokens: [WordToken], _ span: Range<Int>) -> Range<Int> {
        guard span.count > 2 else { return span }
        var start = span.upperBound - 2
        while start > span.lowerBound,
            tokens[start - 1].isInitial || NameRuns.connectors.contains(tokens[start - 1].lower)
        {
            start -= 1
        }
        return start..<span.upperBound
    }

    private func mention(
        _ kind: NameMention.Kind, _ resolution: NameMention.Resolution, _ tokens: [WordToken],
        _ span: Range<Int>
    ) -> NameMention {
        NameMention(
            kind: kind, resolution: resolution, text: joined(tokens, span),
            start: tokens[span.lowerBound].start, end: tokens[span.upperBound - 1].end)
    }

    func joined(_ tokens: [WordToken], _ span: Range<Int>) -> String {
        var text = ""
        for index in span {
            if index > span.lowerBound { text += " " }
            text += tokens[index].text
        }
        return text
    }

    /// The registry's spelling of an entry a mention resolved to.
    func spelling(_ kind: NameMention.Kind, _ index: Int) -> String {
        kind == .person ? registry.people[index].name : registry.publications[index].name
    }
}
