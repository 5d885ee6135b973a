/// A change that resolves a finding: what an editor's text editor offers as a quick fix, `briefd check --fix`
/// applies and the desk's Apply makes. A fix knows its answer from evidence (the registry's spelling, the page's
/// date, the redirect's end); `safe` says that applying it cannot change what the draft means.
public struct Fix: Sendable, Hashable, Codable {
    /// What it does, in the editor's words ("Use the registry's spelling: Mara Feld").
    public var title: String
    /// True when applying it cannot change meaning (a spelling, a date, an address); false when an editor must
    /// judge (a title from the registry): `check --fix` applies those only with `--unsafe`.
    public var safe: Bool
    public var edits: [TextEdit]

    public init(title: String, safe: Bool, edits: [TextEdit]) {
        self.title = title
        self.safe = safe
        self.edits = edits
    }
}

/// One replacement in a draft: the bytes `start..<end` become `newText`. The positions say the same range as an
/// editor counts it (1-based lines, columns in Unicode scalars).
public struct TextEdit: Sendable, Hashable, Codable {
    public var start: Int
    public var end: Int
    public var newText: String
    /// The text the edit replaces, as it was read: a fix applied to a file that changed since is refused.
    public var oldText: String
    public var from: SourcePosition
    public var to: SourcePosition

    public init(start: Int, end: Int, newText: String, in source: SourceText) {
        self.start = start
        self.end = end
        self.newText = newText
        let clamped = max(0, min(start, source.bytes.count))..<max(0, min(end, source.bytes.count))
        self.oldText = String(decoding: source.bytes[clamped], as: UTF8.self)
        self.from = source.position(ofByte: start)
        self.to = source.position(ofByte: end)
    }

    enum CodingKeys: String, CodingKey {
        case start = "start_byte"
        case end = "end_byte"
        case newText = "new_text"
        case oldText = "old_text"
        case fromLine = "start_line"
        case fromColumn = "start_column"
        case toLine = "end_line"
        case toColumn = "end_column"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
        try container.encode(newText, forKey: .newText)
        try container.encode(oldText, forKey: .oldText)
        try container.encode(from.line, forKey: .fromLine)
        try container.encode(from.column, forKey: .fromColumn)
        try container.encode(to.line, forKey: .toLine)
        try container.encode(to.column, forKey: .toColumn)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        start = try container.decode(Int.self, forKey: .start)
        end = try container.decode(Int.self, forKey: .end)
        newText = try container.decode(String.self, forKey: .newText)
        oldText = try container.decode(String.self, forKey: .oldText)
        from = SourcePosition(
            line: try container.decode(Int.self, forKey: .fromLine),
            column: try container.decode(Int.self, forKey: .fromColumn))
        to = SourcePosition(
            line: try container.decode(Int.self, forKey: .toLine),
            column: try container.decode(Int.self, forKey: .toColumn))
    }
}

extension Fix {
    /// A fix that replaces `start..<end` of `source` with `replacement`, or nil when those bytes are not
    /// `expected` (markup inside a name, a value written another way): a fix never edits what it has not read.
    static func replacing(
        _ start: Int, _ end: Int, of source: SourceText, expected: String, with replacement: String, title: String,
        safe: Bool
    ) -> Fix? {
        guard start >= 0, start <= end, end <= source.bytes.count,
            String(decoding: source.bytes[start..<end], as: UTF8.self) == expected, expected != replacement
        else { return nil }
        return Fix(
            title: title, safe: safe, edits: [TextEdit(start: start, end: end, newText: replacement, in: source)])
    }

    /// A fix that replaces the front-matter value at `position` (a plain or quoted scalar on its line) with the
    /// value `replacement`, written the way YAML reads it back, when the value written there is `expected`.
    static func replacingValue(
        at position: SourcePosition, of source: SourceText, expected: String, with replacement: String, title: String,
        safe: Bool
    ) -> Fix? {
        let start = source.byteOffset(line: position.line, scalarColumn: position.column)
        let line = source.line(position.line)
        let lineStart = source.byteOffset(line: position.line, scalarColumn: 1)
        let lineBytes = Array(line.utf8)
        // Clamped: a position past the line's text (a CR before its LF) reads as nothing, never out of bounds.
        let rest = lineBytes[min(max(0, start - lineStart), lineBytes.count)...]
        var text = String(decoding: rest, as: UTF8.self)
        if let comment = text.range(of: " #") { text = String(text[..<comment.lowerBound]) }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        for quote in ["\"", "'"] where text.hasPrefix(quote) && text.hasSuffix(quote) && text.count >= 2 {
            // Inside the quotes, only a value that needs no escaping there.
            guard !replacement.contains(quote), !replacement.contains("\\") else { return nil }
            let inner = start + quote.utf8.count
            return replacing(
                inner, inner + text.utf8.count - 2 * quote.utf8.count, of: source, expected: expected,
                with: replacement, title: title, safe: safe)
        }
        return replacing(
            start, start + text.utf8.count, of: source, expected: expected,
            with: RegistryEntryText.scalar(replacement), title: title, safe: safe)
    }
}

/// Applies fixes to a draft's bytes, and shows what they change.
public enum FixApplier {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// Two chosen fixes edit the same text: neither is applied, so the result is never a mix.
        case overlapping(SourcePosition)
        case outOfRange
        /// The text a fix replaces is no longer there: the draft changed since the fix was computed.
        case stale(SourcePosition)

        public var description: String {
            switch self {
            case .overlapping(let at): "two fixes edit the same text at \(at); apply them one at a time"
            case .outOfRange: "a fix reaches past the end of the draft; check the draft again"
            case .stale(let at): "the draft changed at \(at) since the fix was found; check it again"
            }
        }
    }

    /// `bytes` with every edit of `fixes` made, last first so that earlier offsets stay right.
    public static func apply(_ fixes: [Fix], to bytes: [UInt8]) throws(Refusal) -> [UInt8] {
        let edits = fixes.flatMap(\.edits).sorted { ($0.start, $0.end) > ($1.start, $1.end) }
        var result = bytes
        var floor = Int.max
        for edit in edits {
            guard edit.end <= bytes.count, edit.start >= 0, edit.start <= edit.end else { throw .outOfRange }
            guard edit.end <= floor else { throw .overlapping(edit.from) }
            guard Array(bytes[edit.start..<edit.end]) == Array(edit.oldText.utf8) else { throw .stale(edit.from) }
            result.replaceSubrange(edit.start..<edit.end, with: Array(edit.newText.utf8))
            floor = edit.start
        }
        return result
    }

    /// A unified diff of `old` and `new` (whole lines, three of context), as `diff -u` shows it, for `--dry-run`.
    public static func unifiedDiff(old: String, new: String, path: String) -> String {
        let before = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let after = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard before != after else { return "" }
        // Fixes change a few lines: one hunk from the first changed line to the last, between the common head and tail.
        var head = 0
        while head < min(before.count, after.count), before[head] == after[head] { head += 1 }
        var tail = 0
        while tail < min(before.count, after.count) - head,
            before[before.count - 1 - tail] == after[after.count - 1 - tail]
        {
            tail += 1
        }
        let from = max(0, head - 3)
        let oldEnd = min(before.count, before.count - tail + 3)
        let newEnd = min(after.count, after.count - tail + 3)
        var out = "--- \(path)\n+++ \(path)\n"
        out += "@@ -\(from + 1),\(oldEnd - from) +\(from + 1),\(newEnd - from) @@\n"
        for index in from..<head { out += " \(before[index])\n" }
        for index in head..<(before.count - tail) { out += "-\(before[index])\n" }
        for index in head..<(after.count - tail) { out += "+\(after[index])\n" }
        for index in (before.count - tail)..<oldEnd { out += " \(before[index])\n" }
        return out
    }
}
