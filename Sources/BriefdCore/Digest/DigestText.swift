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
    /// the excerpts, for the values (titles, sources) that do not pass through it. Works on UTF-8 bytes:
    /// the marks it replaces are all ASCII, and every excerpt of an issue passes through here.
    public static func smart(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 == 0x22 || $0 == 0x27 || $0 == 0x2D || $0 == 0x2E }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        let leftDouble: [UInt8] = [0xE2, 0x80, 0x9C]
        let rightDouble: [UInt8] = [0xE2, 0x80, 0x9D]
        let leftSingle: [UInt8] = [0xE2, 0x80, 0x98]
        let rightSingle: [UInt8] = [0xE2, 0x80, 0x99]
        let enDash: [UInt8] = [0xE2, 0x80, 0x93]
        let emDash: [UInt8] = [0xE2, 0x80, 0x94]
        let ellipsis: [UInt8] = [0xE2, 0x80, 0xA6]
        /// A quote after these opens; after anything else it closes.
        func opensAfterLast() -> Bool {
            guard let last = out.last else { return true }
            if last == 0x20 || last == 0x09 || last == 0x0A || last == 0x28 || last == 0x5B || last == 0x7B {
                return true
            }
            return out.count >= 3 && out[out.count - 3] == 0xE2 && out[out.count - 2] == 0x80
                && (last == 0x93 || last == 0x94)
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            switch byte {
            case 0x22:
                out += opensAfterLast() ? leftDouble : rightDouble
            case 0x27:
                let followedByText = next.map { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A } ?? false
                out += opensAfterLast() && followedByText ? leftSingle : rightSingle
            case 0x2D where next == 0x2D:
                if index + 2 < bytes.count && bytes[index + 2] == 0x2D {
                    out += emDash
                    index += 2
                } else {
                    out += enDash
                    index += 1
                }
            case 0x2E where next == 0x2E && index + 2 < bytes.count && bytes[index + 2] == 0x2E:
                out += ellipsis
                index += 2
            default:
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` wrapped at `width` columns on spaces; a word longer than the line (a URL) stands alone, whole.
    public static func wrap(_ text: String, width: Int = 72) -> String {
        var out = ""
        var lineLength = 0
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            let length = word.unicodeScalars.count
            if lineLength == 0 {
                out += word
                lineLength = length
            } else if lineLength + 1 + length <= width {
                out += " "
                out += word
                lineLength += 1 + length
            } else {
                out += "\n"
                out += word
                lineLength = length
            }
        }
        return out
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
