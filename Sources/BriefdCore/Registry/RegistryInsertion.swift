/// Where a ready registry entry (`- {name: Tomas Brenner}`) goes in `sources.yml` as written: at the end of the
/// `people:` or `publications:` list, indented as its items are, so that an editor's quick fix adds a name in one
/// step and leaves every other byte of the file (comments, order, spacing) as it was.
public enum RegistryInsertion {
    /// The list an entry belongs to.
    public enum List: String, Sendable {
        case people, publications
    }

    /// The byte offset to insert at and the text to insert; nil when the list is written in flow style
    /// (`people: [...]`), which is left to the editor rather than rewritten.
    public static func insertion(of entry: String, into list: List, registry text: String) -> (
        offset: Int, text: String
    )? {
        let bytes = Array(text.utf8)
        var lines: [(start: Int, end: Int, text: Substring)] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append((start, index + 1, Substring(decoding: bytes[start..<index], as: UTF8.self)))
            start = index + 1
        }
        if start < bytes.count {
            lines.append((start, bytes.count, Substring(decoding: bytes[start...], as: UTF8.self)))
        }
        let endsWithNewline = bytes.last == UInt8(ascii: "\n") || bytes.isEmpty
        guard let keyLine = lines.firstIndex(where: { isKey($0.text, list.rawValue) }) else {
            // No such list yet: a new one at the end.
            return (bytes.count, (endsWithNewline ? "" : "\n") + "\(list.rawValue):\n  \(entry)\n")
        }
        let afterKey = lines[keyLine].text.drop { $0 != ":" }.dropFirst().trimmingLeadingSpaces()
        guard afterKey.isEmpty || afterKey.hasPrefix("#") else { return nil }
        var indent: Substring?
        var lastItemLine = keyLine
        for index in (keyLine + 1)..<lines.count {
            let line = lines[index].text
            let content = line.trimmingLeadingSpaces()
            if content.isEmpty || content.hasPrefix("#") { continue }
            let leading = line.prefix { $0 == " " }
            // The next top-level key ends the list ("- " at column 0 is still an item of it).
            if leading.isEmpty && !content.hasPrefix("- ") && content != "-" { break }
            if indent == nil, content.hasPrefix("-") { indent = leading }
            lastItemLine = index
        }
        let at = lines[lastItemLine].end
        let newline = at == bytes.count && !endsWithNewline ? "\n" : ""
        return (at, newline + "\(indent ?? "  ")\(entry)\n")
    }

    static func isKey(_ line: Substring, _ key: String) -> Bool {
        line.hasPrefix(key + ":")
    }
}

extension Substring {
    fileprivate func trimmingLeadingSpaces() -> Substring { drop { $0 == " " || $0 == "\t" } }
}
