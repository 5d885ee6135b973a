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
    /// Works on the text's UTF-8 bytes: a word is copied once, from its byte range, rather than built a scalar at a
    /// time (the tokenizer runs on every paragraph of every draft).
    static func tokens(of text: String) -> [WordToken] {
        var result: [WordToken] = []
        let bytes = Array(text.utf8)
        let scalars = Array(text.unicodeScalars)
        var wordStart = -1  // byte offset of the word being read; -1 when none
        var wordScalars = 0
        var wordFirst: Unicode.Scalar = " "
        var separator: [UInt8] = []
        var offset = 0

        func flush(at end: Int) {
            guard wordStart >= 0 else { return }
            var word = String(decoding: bytes[wordStart..<end], as: UTF8.self)
            var wordEnd = end
            // Possessives name the same person: "Feld's" is "Feld".
            for suffix in ["'s", "\u{2019}s"] where word.hasSuffix(suffix) && word.count > 2 {
                word.removeLast(2)
                wordEnd -= suffix.utf8.count
            }
            while let last = word.unicodeScalars.last, last == "-" || last == "'" || last == "\u{2019}" {
                word.unicodeScalars.removeLast()
                wordEnd -= UTF8.width(last)
            }
            if !word.isEmpty {
                result.append(
                    WordToken(
                        text: word, lower: lowercased(word), start: wordStart, end: wordEnd,
                        before: String(decoding: separator, as: UTF8.self), isCapitalized: wordFirst.isUppercaseLetter))
                separator.removeAll(keepingCapacity: true)
            }
            wordStart = -1
            wordScalars = 0
        }

        for (index, scalar) in scalars.enumerated() {
            let width = UTF8.width(scalar)
            let inWord = wordStart >= 0
            let joinsWord =
                (scalar == "'" || scalar == "\u{2019}" || scalar == "-") && inWord
                && index + 1 < scalars.count && scalars[index + 1].isWordCharacter
            let isInitialStop =
                scalar == "." && wordScalars == 1 && wordFirst.isUppercaseLetter
                && (index + 1 == scalars.count || scalars[index + 1] == " ")
            if scalar.isWordCharacter || joinsWord || isInitialStop {
                if !inWord {
                    wordStart = offset
                    wordFirst = scalar
                }
                wordScalars += 1
            } else {
                flush(at: offset)
                separator.append(contentsOf: bytes[offset..<(offset + width)])
            }
            offset += width
        }
        flush(at: offset)
        return result
    }

    /// Lower case, without a trip through Unicode tables for the common all-ASCII word.
    private static func lowercased(_ word: String) -> String {
        var ascii = true
        var hasUpper = false
        for byte in word.utf8 {
            if byte >= 0x80 {
                ascii = false
                break
            }
            if byte >= 0x41 && byte <= 0x5A { hasUpper = true }
        }
        guard ascii else { return word.lowercased() }
        guard hasUpper else { return word }
        return String(decoding: word.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

/// A run of capitalized words that may be a name: "Mara Feld", "The Wire China", "Council on Foreign Relations".
struct NameRun: Sendable {
    /// Indexes into the token array, `tokens[range]`.
    var range: Range<Int>
}

enum NameRuns {
    /// Lower-case words allowed inside a name when a capitalized word follows.
    static let connectors: Set<String> = [
        "of", "on", "for", "and", "de", "van", "von", "der", "den", "al", "bin", "la", "le", "du", "da", "del", "y",
    ]

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
            guard tokens[index].isCapitalized, !stopWords.contains(tokens[index].lower) else {
                index += 1
                continue
            }
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
