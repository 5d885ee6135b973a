/// What a paragraph says about who is speaking: the slots an attribution pattern filled, as token ranges.
struct LeadInReading: Sendable {
    enum Pattern: String, Sendable {
        case writingIn = "<Person>, writing in <Publication>"
        case putItIn = "as <Person> put it in <Publication>"
        case accordingTo = "according to <X>"
        case appositive = "<Person>, <Title> of <Organisation>"
        case verb = "<X> said/wrote/reported …"
        case closingLine = "— <Person>, <Publication>"
    }

    var pattern: Pattern
    var person: Range<Int>?
    var publication: Range<Int>?
    /// A name that may be a person or a publication ("Caixin reported", "according to Mara Feld").
    var either: Range<Int>?
    var title: Range<Int>?
    var organisation: Range<Int>?
}

/// Recognises the ways a writer introduces a quote. Each pattern works on words and the punctuation
/// between them, so Markdown emphasis and links around names do not get in the way.
enum LeadInReader {
    static let speechVerbs: Set<String> = [
        "said", "says", "wrote", "writes", "reported", "reports", "noted", "notes", "argued", "argues", "observed",
        "observes", "explained", "explains", "reminds", "reminded", "told", "tells", "warned", "warns", "added", "adds",
        "concluded", "concludes", "suggested", "suggests", "stated", "states", "commented", "comments", "described",
        "describes", "recalled", "recalls", "pointed", "points", "asked", "asks", "claimed", "claims", "expanded",
        "published", "publishes", "summarised", "summarized", "summarises", "summarizes", "called", "calls", "looked",
        "looks", "examined", "examines", "asserted", "asserts", "insisted", "insists", "predicted", "predicts",
        "cautioned", "cautions", "acknowledged", "acknowledges", "highlighted", "highlights", "put", "puts",
        "remarked", "remarks", "contends", "contended", "reflects", "reflected", "answered", "answers", "replied",
        "replies", "offers", "offered", "shared", "shares", "posted", "posts", "detailed", "details", "quoted",
        "quotes", "explores", "explored", "analyses", "analyzed", "analysed", "analyzes", "covered", "covers",
    ]
    static let auxiliaries: Set<String> = [
        "has", "had", "have", "also", "recently", "once", "previously", "rightly", "famously", "aptly", "succinctly",
        "memorably", "then", "later", "further", "earlier", "helpfully", "bluntly", "pointedly", "simply",
    ]
    static let articles: Set<String> = ["the", "a", "an"]

    static func read(_ tokens: [WordToken]) -> [LeadInReading] {
        let runs = NameRuns.runs(in: tokens)
        var runEndingAt: [Int: Range<Int>] = [:]
        var runStartingAt: [Int: Range<Int>] = [:]
        for run in runs {
            runEndingAt[run.range.upperBound] = run.range
            runStartingAt[run.range.lowerBound] = run.range
        }
        func run(startingNear index: Int, lookahead: Int = 1) -> Range<Int>? {
            var position = index
            var steps = 0
            while position < tokens.count, steps < lookahead {
                if let run = runStartingAt[position],
                    NameRuns.isPlainSpace(tokens[position].before) || position == index
                {
                    return run
                }
                guard !tokens[position].isCapitalized else { return nil }
                position += 1
                steps += 1
            }
            return nil
        }
        func publicationAfter(_ index: Int) -> Range<Int>? {
            guard index < tokens.count, ["in", "for"].contains(tokens[index].lower) else { return nil }
            var start = index + 1
            if start < tokens.count, articles.contains(tokens[start].lower), !tokens[start].isCapitalized { start += 1 }
            return start < tokens.count ? runStartingAt[start] : nil
        }

        var readings: [LeadInReading] = []
        for (index, token) in tokens.enumerated() {
            let next = index + 1 < tokens.count ? tokens[index + 1].lower : ""
            switch token.lower {
            case "writing" where (next == "in" || next == "for") && token.before.contains(","):
                if let person = runEndingAt[index] {
                    readings.append(
                        LeadInReading(pattern: .writingIn, person: person, publication: publicationAfter(index + 1)))
                }
            case "put" where next == "it" && index > 0:
                if let who = runEndingAt[index], who.lowerBound > 0, tokens[who.lowerBound - 1].lower == "as" {
                    readings.append(
                        LeadInReading(pattern: .putItIn, publication: publicationAfter(index + 2), either: who))
                }
            case "according" where next == "to":
                if let who = run(startingNear: index + 2, lookahead: 5), !isNumberedReference(who, tokens) {
                    readings.append(
                        LeadInReading(pattern: .accordingTo, publication: publicationAfter(who.upperBound), either: who)
                    )
                }
            default:
                break
            }
            if speechVerbs.contains(token.lower), !token.isCapitalized {
                var subjectEnd = index
                while subjectEnd > 0, auxiliaries.contains(tokens[subjectEnd - 1].lower),
                    NameRuns.isPlainSpace(tokens[subjectEnd - 1].before)
                {
                    subjectEnd -= 1
                }
                if let who = runEndingAt[subjectEnd], NameRuns.isPlainSpace(tokens[subjectEnd].before) {
                    readings.append(
                        LeadInReading(pattern: .verb, publication: publicationAfter(index + 1), either: who))
                }
            }
        }
        readings.append(contentsOf: appositives(tokens, runs))
        return readings
    }

    /// "according to Rule #1", "according to Article 36": a name followed by a number is a clause, not a source.
    static func isNumberedReference(_ run: Range<Int>, _ tokens: [WordToken]) -> Bool {
        guard run.upperBound < tokens.count else { return false }
        let next = tokens[run.upperBound]
        let gap = next.before.trimmingWhitespace()
        return (gap.isEmpty || gap == "#" || gap == "No.") && next.text.first?.isNumber == true
    }

    /// Words that make a closing line's second name an affiliation rather than a publication.
    static let affiliationWords: Set<String> = [
        "university", "college", "institute", "institution", "school", "academy", "seminary", "center", "centre",
        "foundation", "council", "lab", "laboratory", "department", "faculty", "church", "ministries", "ministry",
    ]

    /// Words joining a title to its organisation: "director of", "fellow at", "correspondent for", "reporter with".
    static let rolePrepositions: Set<String> = ["of", "at", "for", "with"]

    /// "<Person>, <title> of|at|for|with <Organisation> (<ACR>) in <City>, …": a person and the role the text
    /// gives them ("Louisa Lim, the Shanghai correspondent for National Public Radio").
    static func appositives(_ tokens: [WordToken], _ runs: [NameRun]) -> [LeadInReading] {
        var result: [LeadInReading] = []
        var runStartingAt: [Int: Range<Int>] = [:]
        for run in runs { runStartingAt[run.range.lowerBound] = run.range }
        for run in runs {
            let afterComma = run.range.upperBound
            guard afterComma < tokens.count, tokens[afterComma].before.trimmingWhitespace() == "," else { continue }
            var titleStart = afterComma
            while titleStart < tokens.count, articles.contains(tokens[titleStart].lower) { titleStart += 1 }
            var cursor = titleStart
            while cursor < tokens.count, cursor - titleStart < 6 {
                if cursor > afterComma, !NameRuns.isPlainSpace(tokens[cursor].before) { break }
                if rolePrepositions.contains(tokens[cursor].lower), cursor > titleStart {
                    var orgStart = cursor + 1
                    if orgStart < tokens.count, articles.contains(tokens[orgStart].lower) { orgStart += 1 }
                    if let organisation = runStartingAt[orgStart] {
                        result.append(
                            LeadInReading(
                                pattern: .appositive, person: run.range, title: titleStart..<cursor,
                                organisation: organisation))
                        break
                    }
                    // "a professor of economics at Fudan University": the subject belongs to the title, and the
                    // organisation follows the next preposition.
                    if orgStart < tokens.count, !tokens[orgStart].isCapitalized,
                        NameRuns.isPlainSpace(tokens[orgStart].before)
                    {
                        cursor = orgStart + 1
                        continue
                    }
                    break
                }
                if tokens[cursor].lower == "writing" || speechVerbs.contains(tokens[cursor].lower) { break }
                cursor += 1
            }
        }
        return result
    }

    /// The paragraph right after a quote, when it names the quote's source: a closing line set outside the quote,
    /// or a line that opens with a name and a comma ("Hu Yunwang, director of the 5th anti-riot police force, to
    /// Sina.com."). A paragraph that merely starts with a name and goes on ("Feld writes that …") is not one.
    static func trailingLine(_ text: String) -> (tokens: [WordToken], reading: LeadInReading)? {
        if let closing = closingLine(text) { return closing }
        let tokens = WordTokenizer.tokens(of: text)
        let runs = NameRuns.runs(in: tokens)
        // "Source: [Caixin](…)", "That was Mara Feld, speaking to …"
        if let start = UnnamedSources.sourceLineStart(tokens),
            let run = runs.first(where: { $0.range.lowerBound == start })
        {
            return (tokens, LeadInReading(pattern: .closingLine, either: run.range))
        }
        guard let first = runs.first, first.range.lowerBound == 0, first.range.upperBound < tokens.count,
            tokens[first.range.upperBound].before.trimmingWhitespace() == ","
        else { return nil }
        var reading = LeadInReading(pattern: .appositive, either: first.range)
        if let role = appositives(tokens, runs).first(where: { $0.person == first.range }) {
            reading.title = role.title
            reading.organisation = role.organisation
        }
        return (tokens, reading)
    }

    /// "— Mara Feld, The Wire China": the last paragraph of a quote naming its source.
    static func closingLine(_ text: String) -> (tokens: [WordToken], reading: LeadInReading)? {
        let dashes: [String] = ["\u{2014}", "\u{2013}", "\u{2015}", "--", "-", "~"]
        let trimmed = text.trimmingWhitespace()
        guard let dash = dashes.first(where: { trimmed.hasPrefix($0) }) else { return nil }
        let tokens = WordTokenizer.tokens(of: text)
        guard !tokens.isEmpty, text.utf8.count > dash.utf8.count else { return nil }
        let runs = NameRuns.runs(in: tokens)
        guard let first = runs.first, first.range.lowerBound == 0 else { return nil }
        var reading = LeadInReading(pattern: .closingLine, either: first.range)
        if let second = runs.dropFirst().first, tokens[second.range.lowerBound].before.contains(",") {
            // "— Mara Feld, Some University": an affiliation, not a publication to find in the registry.
            if tokens[second.range].contains(where: { affiliationWords.contains($0.lower) }) {
                reading.organisation = second.range
            } else {
                reading.publication = second.range
            }
        }
        return (tokens, reading)
    }
}
