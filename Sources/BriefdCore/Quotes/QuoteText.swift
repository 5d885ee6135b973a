import Foundation

/// Words as the quote check compares them: Unicode NFKC, lowercase, curly and straight quotes alike, soft
/// hyphens and punctuation ignored (so `didn’t` = `didn't` and `“Yes,”` = `yes`), each with where it sits in
/// the text it came from.
public struct QuoteWord: Sendable, Equatable {
    public var normalized: String
    /// UTF-8 range of the word in the original text.
    public var range: Range<Int>
}

public enum QuoteText {
    /// The words of `text` (a page, or a quote's plain text).
    public static func words(_ text: String) -> [QuoteWord] {
        var words: [QuoteWord] = []
        words.reserveCapacity(text.utf8.count / 5)
        var current: [UInt8] = []
        var start = 0
        var offset = 0
        var asciiOnly = true
        func finish() {
            if !current.isEmpty {
                words.append(QuoteWord(normalized: normalize(current, asciiOnly: asciiOnly), range: start..<offset))
                current.removeAll(keepingCapacity: true)
            }
            asciiOnly = true
        }
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            defer { offset += width }
            if scalar == "\u{AD}" { continue }  // Soft hyphen: invisible, never a word break.
            if isIdeograph(scalar) {
                // Chinese and Japanese are written without spaces: each character is a word, so that a quote
                // that starts or ends inside a run of characters is still found.
                finish()
                words.append(
                    QuoteWord(
                        normalized: normalize(Array(String(scalar).utf8), asciiOnly: false),
                        range: offset..<(offset + width)))
                continue
            }
            if isWordScalar(scalar) || (isApostrophe(scalar) && !current.isEmpty) {
                if current.isEmpty { start = offset }
                if isApostrophe(scalar) {
                    current.append(UInt8(ascii: "'"))
                } else if scalar.isASCII {
                    current.append(UInt8(scalar.value) | (scalar.properties.isUppercase ? 0x20 : 0))
                } else {
                    asciiOnly = false
                    current.append(contentsOf: Array(String(scalar).utf8))
                }
            } else {
                finish()
            }
        }
        finish()
        return words
    }

    /// Han characters, kana and their compatibility forms: the scripts written without spaces between words.
    static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF66...0xFF9F,
            0x20000...0x3134F:
            return true
        default:
            return false
        }
    }

    static func isApostrophe(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "'" || scalar == "\u{2019}" || scalar == "\u{2018}" || scalar == "\u{02BC}"
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A)
                || (value >= 0x61 && value <= 0x7A)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    private static func normalize(_ bytes: [UInt8], asciiOnly: Bool) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("'") { text.removeLast() }  // A closing quote, not part of the word.
        guard !asciiOnly else { return text }
        return text.precomposedStringWithCompatibilityMapping.lowercased()
    }
}

/// A quote cut into the fragments that must each appear in the source, in order: omission marks (`[…]`,
/// `[...]`, `…`, `...`, `. . .`) separate fragments; a `[bracketed insertion]` stands for any short span.
public struct QuoteFragments: Sendable {
    public enum Token: Sendable, Equatable {
        case word(QuoteWord)
        /// An editor's insertion: matches up to `QuoteMatcher.maxInsertion` words of the source, or none.
        case insertion(Range<Int>)
    }

    public var fragments: [[Token]]

    public init(_ text: String) {
        var fragments: [[Token]] = []
        var current: [Token] = []
        let bytes = Array(text.utf8)
        var segmentStart = 0
        var index = 0
        func flushWords(upTo end: Int) {
            guard end > segmentStart else { return }
            let piece = String(decoding: bytes[segmentStart..<end], as: UTF8.self)
            for word in QuoteText.words(piece) {
                current.append(
                    .word(
                        QuoteWord(
                            normalized: word.normalized,
                            range: (word.range.lowerBound + segmentStart)..<(word.range.upperBound + segmentStart))))
            }
        }
        func endFragment() {
            if current.contains(where: { if case .word = $0 { return true } else { return false } }) {
                fragments.append(current)
            }
            current = []
        }
        while index < bytes.count {
            if let length = QuoteFragments.omission(at: index, in: bytes) {
                flushWords(upTo: index)
                endFragment()
                index += length
                segmentStart = index
                continue
            }
            if bytes[index] == UInt8(ascii: "["), let close = bytes[index...].firstIndex(of: UInt8(ascii: "]")),
                close - index < 80
            {
                flushWords(upTo: index)
                current.append(.insertion(index..<(close + 1)))
                index = close + 1
                segmentStart = index
                continue
            }
            index += 1
        }
        flushWords(upTo: bytes.count)
        endFragment()
        self.fragments = fragments
    }

    /// The length of an omission mark starting at `index`, if one does.
    static func omission(at index: Int, in bytes: [UInt8]) -> Int? {
        let marks: [[UInt8]] = [
            Array("[\u{2026}]".utf8), Array("[...]".utf8), Array("[ \u{2026} ]".utf8), Array(". . .".utf8),
            Array("...".utf8),
            Array("\u{2026}".utf8),
        ]
        for mark in marks where bytes[index...].starts(with: mark) { return mark.count }
        return nil
    }
}
