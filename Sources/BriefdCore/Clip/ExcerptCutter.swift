import Foundation

/// Chooses a brief's excerpt from an article's paragraphs: the opening paragraphs, verbatim, cut at a paragraph
/// end (or, when one paragraph is too long, a sentence end) within the house style's word range. Never a
/// paraphrase, never an ellipsis inside a sentence.
public enum ExcerptCutter {
    /// How long an excerpt aims to be: ZGBriefs excerpts are one to three short paragraphs. Within
    /// `checks.excerpt_words`, the cutter stops at the first paragraph end at or past this many words.
    public static let targetWords = 60

    public static func excerpt(from paragraphs: [String], words range: ClosedRange<Int>) -> [String] {
        let target = min(max(targetWords, range.lowerBound), range.upperBound)
        var chosen: [String] = []
        var count = 0
        for paragraph in paragraphs.lazy.filter(isArticleProse) {
            let words = wordCount(paragraph)
            if count + words <= range.upperBound {
                chosen.append(paragraph)
                count += words
            } else if let sentences = leadingSentences(of: paragraph, atMost: range.upperBound - count),
                count + wordCount(sentences) >= min(range.lowerBound, target) || chosen.isEmpty
            {
                chosen.append(sentences)
                count += wordCount(sentences)
                break
            } else {
                break
            }
            if count >= target { break }
        }
        return chosen
    }

    public static func wordCount(_ text: String) -> Int { text.split(whereSeparator: \.isWhitespace).count }

    /// The paragraph's first sentences, whole, within `limit` words; nil when even the first is longer.
    static func leadingSentences(of paragraph: String, atMost limit: Int) -> String? {
        var best: String?
        for end in sentenceEnds(in: paragraph) {
            let candidate = String(paragraph[..<end])
            guard wordCount(candidate) <= limit else { break }
            best = candidate
        }
        return best
    }

    /// Abbreviations whose full stop does not end a sentence.
    static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "gov", "sen", "rep", "rev", "lt", "col", "capt",
        "sgt",
        "no", "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m",
    ]

    /// Where sentences end: after `.`, `?`, `!` (and any closing quotes or brackets) followed by a space and a
    /// capital, a digit or an opening quote; not after an abbreviation or an initial ("Xi J. Ping").
    static func sentenceEnds(in text: String) -> [String.Index] {
        var ends: [String.Index] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "." || character == "?" || character == "!" || character == "。" {
                var end = text.index(after: index)
                while end < text.endIndex, "\"'”’)]»".contains(text[end]) { end = text.index(after: end) }
                if end == text.endIndex {
                    ends.append(end)
                    break
                }
                let next = text.index(after: end)
                if text[end] == " ", next < text.endIndex, startsSentence(text[next]),
                    !endsInAbbreviation(text[..<index]) || character != "."
                {
                    ends.append(end)
                }
                index = end
                continue
            }
            index = text.index(after: index)
        }
        return ends
    }

    static func startsSentence(_ character: Character) -> Bool {
        character.isUppercase || character.isNumber || "\"'“‘(".contains(character)
    }

    static func endsInAbbreviation(_ text: Substring) -> Bool {
        let word = text.split(whereSeparator: { $0 == " " }).last.map { $0.lowercased() } ?? ""
        let bare = word.trimmingCharacters(in: CharacterSet(charactersIn: "(\"“‘'"))
        return abbreviations.contains(bare) || (bare.count == 1 && bare.first?.isLetter == true)
    }

    /// Lines that are not the article's prose: bylines, datelines, "Read more", sign-up prompts, credits.
    static let furnitureStarts: [String] = [
        "by ", "words by", "reporting by", "edited by", "photo by", "photograph by", "photographs by", "image:",
        "photo:", "updated", "published", "last updated", "advertisement", "read more", "read next", "related:",
        "see also", "sign up", "subscribe", "follow us", "share this", "click here", "listen to this", "copyright",
        "©", "all rights reserved", "more on this", "also read", "recommended:", "this article was", "this story was",
        "we use cookies", "accept cookies", "you have reached your", "to continue reading", "already a subscriber",
        "our standards", "(header image", "header image:", "editor:", "editors:", "additional reporting", "contact us",
        "sign in", "log in", "register now", "get the latest", "download the app", "watch:", "listen:",
    ]

    public static func isArticleProse(_ paragraph: String) -> Bool {
        let lower = paragraph.lowercased()
        let words = wordCount(paragraph)
        if words < 25, furnitureStarts.contains(where: { lower.hasPrefix($0) }) { return false }
        // A short line without a sentence's end is a label, a credit or a heading set as a paragraph.
        if words < 8, let last = paragraph.last, !".?!\"”’:)".contains(last) { return false }
        if words < 4 { return false }
        // A line of capitals ("ADVERTISEMENT", "BEIJING —" alone).
        let letters = paragraph.filter(\.isLetter)
        if letters.count > 3, letters.allSatisfy({ $0.isUppercase || !$0.isCased }), letters.contains(where: \.isCased)
        {
            return false
        }
        return true
    }
}
