/// Wording helpers for the digest: dates as ZGBriefs writes them, smart punctuation, wrapping, escaping
/// Markdown.
public enum DigestText {
    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// "December 3, 2026"
    public static func longDate(_ day: Day) -> String { "\(months[day.month - 1]) \(day.day), \(day.year)" }

    /// Curly quotes and apostrophes, en and em dashes, ellipses — what cmark-gfm's smart option does for
    /// the excerpts, for the values (titles, sources) that do not pass through it.
    public static func smart(_ text: String) -> String {
        var out = ""
        var previous: Character = " "
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "\"":
                out.append(previous.isWhitespace || "([{—–".contains(previous) ? "\u{201C}" : "\u{201D}")
            case "'":
                let opening = previous.isWhitespace || "([{—–".contains(previous)
                out.append(opening && next.map { !$0.isWhitespace } == true ? "\u{2018}" : "\u{2019}")
            case "-" where next == "-":
                if index + 2 < characters.count && characters[index + 2] == "-" {
                    out.append("\u{2014}")
                    index += 2
                } else {
                    out.append("\u{2013}")
                    index += 1
                }
            case "." where next == "." && index + 2 < characters.count && characters[index + 2] == ".":
                out.append("\u{2026}")
                index += 2
            default:
                out.append(character)
            }
            previous = out.last ?? " "
            index += 1
        }
        return out
    }

    /// `text` wrapped at `width` columns on spaces; a word longer than the line (a URL) stands alone, whole.
    public static func wrap(_ text: String, width: Int = 72) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    /// `text` safe inside Markdown link text: the characters that would start markup are backslash-escaped.
    public static func escapeMarkdown(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_{}[]()<>#+!|~".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
