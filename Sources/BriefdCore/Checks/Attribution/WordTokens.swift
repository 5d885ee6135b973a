/// A word of plain text, with its UTF-8 range in that text and what separates it from the word before.
struct WordToken: Sendable {
    var text: String
    var lower: String
    var start: Int
    var end: Int
    /// The characters between the previous word and this one (spaces, punctuation).
    var before: String
    var isCapitalized: Bool

    /// True for a single capital with a full stop: "M." in "M. Feld".
    var isInitial: Bool { text.count == 2 && text.hasSuffix(".") && isCapitalized }
}

/// Splits text into words, keeping apostrophes and hyphens inside words and the full stop of an initial.
enum WordTokenizer {
    static func tokens(of text: String) -> [WordToken] {
        var result: [WordToken] = []
        var current = String.UnicodeScalarView()
        var currentStart = 0
        var separator = String.UnicodeScalarView()
        var offset = 0
        let scalars = Array(text.unicodeScalars)

        func flush(at end: Int) {
            guard !current.isEmpty else { return }
            var word = String(current)
            var wordEnd = end
            // Possessives name the same person: "Feld's" is "Feld".
            for suffix in ["'s", "\u{2019}s"] where word.hasSuffix(suffix) && word.count > 2 {
                word.removeLast(2)
                wordEnd -= suffix.utf8.count
            }
            while let last = word.unicodeScalars.last, last == "-" || last == "'" || last == "\u{2019}" {
                word.unicodeScalars.removeLast()
                wordEnd -= String(last).utf8.count
            }
            if !word.isEmpty {
                let first = word.unicodeScalars.first!
                result.append(
                    WordToken(text: word, lower: word.lowercased(), start: currentStart, end: wordEnd,
                        before: String(separator), isCapitalized: first.isUppercaseLetter))
                separator = String.UnicodeScalarView()
            }
            current = String.UnicodeScalarView()
        }

        for (index, scalar) in scalars.enumerated() {
            let width = String(scalar).utf8.count
            let isLetter = scalar.isWordCharacter
            let joinsWord =
                (scalar == "'" || scalar == "\u{2019}" || scalar == "-") && !current.isEmpty
                && index + 1 < scalars.count && scalars[index + 1].isWordCharacter
            let isInitialStop =
                scalar == "." && current.count == 1 && current.first!.isUppercaseLetter
                && (index + 1 == scalars.count || scalars[index + 1] == " ")
            if isLetter || joinsWord || isInitialStop {
                if current.isEmpty { currentStart = offset }
                current.append(scalar)
            } else {
                flush(at: offset)
                separator.append(scalar)
            }
            offset += width
        }
        flush(at: offset)
        return result
    }
}

/// A run of capitalized words that may be a name: "Mara Feld", "The Wire China", "Council on Foreign Relations".
struct NameRun: Sendable {
    /// Indexes into the token array, `tokens[range]`.
    var range: Range<Int>
}

enum NameRuns {
    /// Lower-case words allowed inside a name when a capitalized word follows.
    static let connectors: Set<String> = ["of", "on", "for", "and", "de", "van", "von", "der", "den", "al", "bin", "la", "le", "du", "da", "del", "y"]

    /// Capitalized words that start sentences but never start a name ("She said", "Later, Mara Feld …").
    static let stopWords: Set<String> = [
        "she", "he", "they", "it", "we", "i", "you", "his", "her", "their", "its", "our", "this", "that", "these",
        "those", "a", "an", "in", "on", "at", "by", "for", "but", "and", "or", "so", "yet", "as", "if", "when",
        "while", "after", "before", "later", "then", "now", "today", "yesterday", "last", "next", "earlier", "here",
        "there", "what", "who", "why", "how", "where", "which", "nobody", "no", "one", "some", "many", "most",
        "every", "each", "all", "both", "either", "neither", "such", "another", "other", "meanwhile", "however",
        "still", "even", "also", "according", "historian", "writer", "journalist", "scholar", "analyst",
    ]

    static func runs(in tokens: [WordToken]) -> [NameRun] {
        var result: [NameRun] = []
        var index = 0
        while index < tokens.count {
            guard tokens[index].isCapitalized, !stopWords.contains(tokens[index].lower) else { index += 1; continue }
            let start = index
            var end = index + 1
            while end < tokens.count, isPlainSpace(tokens[end].before) {
                if tokens[end].isCapitalized {
                    end += 1
                } else if connectors.contains(tokens[end].lower), end + 1 < tokens.count, tokens[end + 1].isCapitalized,
                    isPlainSpace(tokens[end + 1].before)
                {
                    end += 2
                } else {
                    break
                }
            }
            result.append(NameRun(range: start..<end))
            index = end
        }
        return result
    }

    /// Only spaces between two words keep them in one name (a comma or a full stop ends it).
    static func isPlainSpace(_ separator: String) -> Bool {
        !separator.isEmpty && separator.unicodeScalars.allSatisfy { $0 == " " || $0 == "\u{00A0}" }
    }
}
