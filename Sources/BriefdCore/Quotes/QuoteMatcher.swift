/// A source page's words, indexed so that a quote is located without scanning the page for each word.
public struct QuoteSource: Sendable {
    public let text: String
    public let words: [QuoteWord]
    let positions: [String: [Int]]

    public init(text: String) {
        self.text = text
        words = QuoteText.words(text)
        var positions: [String: [Int]] = [:]
        for (index, word) in words.enumerated() { positions[word.normalized, default: []].append(index) }
        self.positions = positions
    }

    /// The original text of words `range`.
    public func passage(_ range: Range<Int>) -> String {
        guard !range.isEmpty, range.upperBound <= words.count else { return "" }
        let bytes = Array(text.utf8)
        return String(
            decoding: bytes[words[range.lowerBound].range.lowerBound..<words[range.upperBound - 1].range.upperBound],
            as: UTF8.self)
    }
}

/// Where each fragment of a quote is in the source, and how far it is from what the source says.
public enum QuoteMatcher {
    /// An insertion (`[his]`) stands for at most this many words of the source.
    public static let maxInsertion = 6
    /// Below this share of matching words, the closest passage is not taken for the quote's source.
    public static let minimumSimilarity = 0.6
    /// Fragments longer than this are compared on their first part only (bounded work for 5,000-word quotes).
    public static let maxFragmentWords = 600

    public enum Outcome: Sendable, Equatable {
        /// Found word for word at `at` (source word range).
        case exact(at: Range<Int>)
        /// Found word for word, but before the previous fragment's place.
        case outOfOrder(at: Range<Int>)
        /// The closest passage differs: `similarity` (0–1) and the words that differ.
        case altered(at: Range<Int>, similarity: Double, differences: [Difference])
        case notFound
    }

    /// One difference: quote words (their UTF-8 range in the quote) where the source has other words.
    public struct Difference: Sendable, Equatable {
        public var quote: String
        public var source: String
        /// In the quote's text; nil when the quote lacks words the source has.
        public var quoteRange: Range<Int>?
        /// The source's words (indexes into `QuoteSource.words`); nil when the source lacks words the quote has.
        public var sourceWords: Range<Int>? = nil
    }

    public struct FragmentResult: Sendable, Equatable {
        public var outcome: Outcome
        /// The fragment's UTF-8 range in the quote's text.
        public var quoteRange: Range<Int>
    }

    /// Locates each fragment of `quote` in `source`, in order, starting at source word `cursor` (updated).
    public static func match(_ quote: QuoteFragments, quoteText: String, in source: QuoteSource, cursor: inout Int)
        -> [FragmentResult]
    {
        var results: [FragmentResult] = []
        for fragment in quote.fragments {
            let tokens = Array(fragment.prefix(maxFragmentWords))
            let range = quoteRange(tokens)
            if let found = exact(tokens, in: source, from: cursor) {
                results.append(FragmentResult(outcome: .exact(at: found), quoteRange: range))
                cursor = found.upperBound
            } else if let found = exact(tokens, in: source, from: 0) {
                results.append(FragmentResult(outcome: .outOfOrder(at: found), quoteRange: range))
            } else if let (found, similarity, differences) = closest(tokens, quoteText: quoteText, in: source) {
                results.append(
                    FragmentResult(
                        outcome: .altered(at: found, similarity: similarity, differences: differences),
                        quoteRange: range))
                cursor = max(cursor, found.upperBound)
            } else {
                results.append(FragmentResult(outcome: .notFound, quoteRange: range))
            }
        }
        return results
    }

    static func quoteRange(_ tokens: [QuoteFragments.Token]) -> Range<Int> {
        let ranges = tokens.map { token -> Range<Int> in
            switch token {
            case .word(let word): return word.range
            case .insertion(let range): return range
            }
        }
        return (ranges.first?.lowerBound ?? 0)..<(ranges.last?.upperBound ?? 0)
    }

    /// The first place at or after `from` where the fragment appears word for word (insertions matching any
    /// 0…maxInsertion words).
    static func exact(_ tokens: [QuoteFragments.Token], in source: QuoteSource, from: Int) -> Range<Int>? {
        // Anchor on the fragment's rarest word.
        var anchor: (index: Int, positions: [Int])?
        var wordIndex = 0
        for token in tokens {
            if case .word(let word) = token {
                let positions = source.positions[word.normalized] ?? []
                if positions.isEmpty { return nil }
                if anchor == nil || positions.count < anchor!.positions.count { anchor = (wordIndex, positions) }
            }
            wordIndex += 1
        }
        guard let anchor else { return nil }
        let hasInsertions = tokens.contains { if case .insertion = $0 { return true } else { return false } }
        for position in anchor.positions {
            if !hasInsertions {
                let start = position - anchor.index
                guard start >= from, start >= 0, start + tokens.count <= source.words.count else { continue }
                var matched = true
                for (offset, token) in tokens.enumerated() {
                    if case .word(let word) = token, source.words[start + offset].normalized != word.normalized {
                        matched = false
                        break
                    }
                }
                if matched { return start..<(start + tokens.count) }
            } else {
                // With insertions the start is not fixed: try the starts the anchor allows.
                let earliest = max(from, position - anchor.index * (maxInsertion + 1))
                for start in stride(from: position, through: earliest, by: -1) {
                    if let end = matchesWithInsertions(tokens, at: start, in: source), (start...end).contains(position)
                    {
                        return start..<end
                    }
                }
            }
        }
        return nil
    }

    /// The end of a match of `tokens` starting at `start`, insertions taking 0…maxInsertion words.
    static func matchesWithInsertions(_ tokens: [QuoteFragments.Token], at start: Int, in source: QuoteSource) -> Int? {
        var ends: Set<Int> = [start]
        for token in tokens {
            var next: Set<Int> = []
            for end in ends {
                switch token {
                case .word(let word):
                    if end < source.words.count, source.words[end].normalized == word.normalized {
                        next.insert(end + 1)
                    }
                case .insertion:
                    for length in 0...maxInsertion where end + length <= source.words.count {
                        next.insert(end + length)
                    }
                }
            }
            if next.isEmpty { return nil }
            ends = next
        }
        return ends.min()
    }

    /// The passage of the source closest to the fragment, when close enough: diagonals voted by shared words,
    /// then a word-level alignment around the best one.
    static func closest(_ tokens: [QuoteFragments.Token], quoteText: String, in source: QuoteSource)
        -> (Range<Int>, Double, [Difference])?
    {
        let words = tokens.compactMap { token -> QuoteWord? in
            if case .word(let word) = token { return word } else { return nil }
        }
        guard !words.isEmpty, !source.words.isEmpty else { return nil }
        var votes: [Int: Int] = [:]
        for (index, word) in words.enumerated() {
            guard let positions = source.positions[word.normalized], positions.count <= 64 else { continue }
            for position in positions { votes[position - index, default: 0] += 1 }
        }
        // Neighbouring diagonals count together: an inserted or dropped word shifts the rest by one.
        var best: (diagonal: Int, score: Int)?
        for (diagonal, count) in votes {
            let score = count + (votes[diagonal - 1] ?? 0) + (votes[diagonal + 1] ?? 0)
            if best == nil || score > best!.score || (score == best!.score && diagonal < best!.diagonal) {
                best = (diagonal, score)
            }
        }
        guard let best, best.score >= max(2, words.count / 3) else { return nil }
        let slack = max(3, words.count / 10)
        let lower = max(0, best.diagonal - slack)
        let upper = min(source.words.count, best.diagonal + words.count + slack)
        guard lower < upper else { return nil }
        let window = Array(source.words[lower..<upper])
        let alignment = WordAlignment(quote: words, source: window)
        let similarity = 1 - Double(alignment.edits) / Double(max(words.count, 1))
        guard similarity >= minimumSimilarity else { return nil }
        let differences = alignment.differences(quoteText: quoteText, source: source, offset: lower)
        return ((lower + alignment.sourceStart)..<(lower + alignment.sourceEnd), similarity, differences)
    }
}

/// A word-level alignment of a quote against a window of the source: the quote must be matched whole, the
/// window's ends are free (semi-global edit distance).
struct WordAlignment {
    enum Step { case same, substitute, deleteQuoteWord, insertSourceWord }

    let edits: Int
    let sourceStart: Int
    let sourceEnd: Int
    let steps: [(Step, quote: Int?, source: Int?)]
    /// Where each quote word is in the quote's text.
    let quoteRanges: [Range<Int>]

    init(quote: [QuoteWord], source: [QuoteWord]) {
        quoteRanges = quote.map(\.range)
        let m = quote.count
        let n = source.count
        // cost[i][j]: quote[..<i] aligned, ending at source j; row 0 is free (the passage may start anywhere).
        var cost = [[Int]](repeating: [Int](repeating: 0, count: n + 1), count: m + 1)
        for i in 1...m { cost[i][0] = i }
        for i in 1...m {
            for j in 1...max(n, 1) where n > 0 {
                let same = quote[i - 1].normalized == source[j - 1].normalized
                cost[i][j] = min(cost[i - 1][j - 1] + (same ? 0 : 1), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
            }
        }
        // The cheapest end; on a tie the later one, so that a changed last word reads as a substitution.
        var end = 0
        for j in 0...n where cost[m][j] <= cost[m][end] { end = j }
        var steps: [(Step, Int?, Int?)] = []
        var i = m
        var j = end
        while i > 0 {
            if j > 0 && cost[i][j] == cost[i - 1][j - 1] + (quote[i - 1].normalized == source[j - 1].normalized ? 0 : 1)
            {
                steps.append((quote[i - 1].normalized == source[j - 1].normalized ? .same : .substitute, i - 1, j - 1))
                i -= 1
                j -= 1
            } else if cost[i][j] == cost[i - 1][j] + 1 {
                steps.append((.deleteQuoteWord, i - 1, nil))
                i -= 1
            } else {
                steps.append((.insertSourceWord, nil, j - 1))
                j -= 1
            }
        }
        self.edits = cost[m][end]
        self.sourceStart = j
        self.sourceEnd = end
        self.steps = steps.reversed()
    }

    /// Runs of differing words, as the quote has them and as the source has them.
    func differences(quoteText: String, source: QuoteSource, offset: Int) -> [QuoteMatcher.Difference] {
        let quoteBytes = Array(quoteText.utf8)
        var result: [QuoteMatcher.Difference] = []
        var quoteRun: [Int] = []
        var sourceRun: [Int] = []
        func close() {
            guard !quoteRun.isEmpty || !sourceRun.isEmpty else { return }
            let quoteWords = quoteRun.map { index -> String in
                let range = stepsQuoteRange(index)
                return String(decoding: quoteBytes[range], as: UTF8.self)
            }
            let range = quoteRun.first.map {
                stepsQuoteRange($0).lowerBound..<stepsQuoteRange(quoteRun.last!).upperBound
            }
            let sourceWords = sourceRun.first.map { (offset + $0)..<(offset + sourceRun.last! + 1) }
            let sourceText = sourceWords.map { source.passage($0) } ?? ""
            result.append(
                QuoteMatcher.Difference(
                    quote: quoteWords.joined(separator: " "), source: sourceText, quoteRange: range,
                    sourceWords: sourceWords))
            quoteRun = []
            sourceRun = []
        }
        for (step, quote, sourceIndex) in steps {
            switch step {
            case .same: close()
            case .substitute, .deleteQuoteWord, .insertSourceWord:
                if let quote { quoteRun.append(quote) }
                if let sourceIndex { sourceRun.append(sourceIndex) }
            }
        }
        close()
        return result
    }

    private func stepsQuoteRange(_ index: Int) -> Range<Int> { quoteRanges[index] }
}
