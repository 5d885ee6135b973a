/// How a text editor counts the characters of a line: the Language Server Protocol's `positionEncoding`.
public enum PositionEncoding: String, Sendable, Equatable {
    /// UTF-16 code units: the protocol's default, which every client understands (an emoji counts 2).
    case utf16 = "utf-16"
    /// Bytes of UTF-8, offered by some clients (Neovim, Helix): no conversion on either side.
    case utf8 = "utf-8"
}

/// A 0-based line and character offset, counted in a `PositionEncoding`: where a text editor puts its cursor.
public struct EditorPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var character: Int

    public init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    public static func < (lhs: EditorPosition, rhs: EditorPosition) -> Bool {
        (lhs.line, lhs.character) < (rhs.line, rhs.character)
    }

    public var description: String { "\(line):\(character)" }
}

/// A draft's text as an editor holds it: its bytes, with the conversions between the editor's positions and byte
/// offsets, and the edits the editor sends as the editor types.
///
/// The checks count in bytes and in Unicode scalars (`SourceText`); the protocol counts UTF-16 units unless the
/// client offers UTF-8. Every position goes through here, so a name after a Chinese phrase or an emoji is marked at
/// the characters the editor shows.
public struct EditorText: Sendable {
    public private(set) var source: SourceText
    public let encoding: PositionEncoding

    public init(_ text: String, encoding: PositionEncoding) {
        self.source = SourceText(bytes: Array(text.utf8))
        self.encoding = encoding
    }

    public var bytes: [UInt8] { source.bytes }

    /// The byte offset of `position`; a character past the end of its line is the line's end, a line past the end
    /// the text's end (the protocol asks servers to clamp, not refuse). A position inside a character that takes
    /// two UTF-16 units is its start.
    public func byteOffset(of position: EditorPosition) -> Int {
        guard position.line >= 0 else { return 0 }
        guard position.line < source.lineStarts.count else { return source.bytes.count }
        let bytes = source.bytes
        var offset = source.lineStarts[position.line]
        var counted = 0
        while offset < bytes.count, !Self.isLineEnd(bytes, at: offset) {
            let length = Self.scalarLength(leading: bytes[offset])
            let width = encoding == .utf8 ? length : (length == 4 ? 2 : 1)
            guard counted + width <= position.character else { break }
            counted += width
            offset = min(bytes.count, offset + length)
        }
        return offset
    }

    /// A "\n", or the "\r" of a "\r\n": no character an editor shows.
    static func isLineEnd(_ bytes: [UInt8], at offset: Int) -> Bool {
        bytes[offset] == UInt8(ascii: "\n")
            || (bytes[offset] == UInt8(ascii: "\r") && offset + 1 < bytes.count
                && bytes[offset + 1] == UInt8(ascii: "\n"))
    }

    /// The editor's position of a byte offset (clamped into the text).
    public func position(ofByte offset: Int) -> EditorPosition {
        let offset = max(0, min(offset, source.bytes.count))
        let line = source.position(ofByte: offset).line - 1
        let bytes = source.bytes
        var index = source.lineStarts[line]
        var character = 0
        while index < offset {
            let length = Self.scalarLength(leading: bytes[index])
            character += encoding == .utf8 ? length : (length == 4 ? 2 : 1)
            index += length
        }
        return EditorPosition(line: line, character: character)
    }

    /// The editor's position of a finding's (1-based line, scalar column) position.
    public func position(of position: SourcePosition) -> EditorPosition {
        self.position(ofByte: source.byteOffset(line: position.line, scalarColumn: position.column))
    }

    /// Replaces `start..<end` (editor positions) with `text`: one change of incremental sync. A range whose end is
    /// before its start is taken the right way round.
    public mutating func replace(from start: EditorPosition, to end: EditorPosition, with text: String) {
        let (low, high) = start <= end ? (start, end) : (end, start)
        let from = byteOffset(of: low)
        let to = max(from, byteOffset(of: high))
        var bytes = source.bytes
        bytes.replaceSubrange(from..<to, with: Array(text.utf8))
        source = SourceText(bytes: bytes)
    }

    /// Replaces the whole text: a change without a range.
    public mutating func replaceAll(with text: String) {
        source = SourceText(bytes: Array(text.utf8))
    }

    /// The span to mark for a finding: from its position to its end when the check knows it, else to the end of
    /// what a fix replaces there, else to the end of the word at its position (never an empty mark an editor would
    /// not show, unless the line is empty).
    public func span(of finding: Finding) -> (start: Int, end: Int) {
        let start = source.byteOffset(line: finding.position.line, scalarColumn: finding.position.column)
        if let end = finding.end {
            let endByte = source.byteOffset(line: end.line, scalarColumn: end.column)
            if endByte > start { return (start, endByte) }
        }
        if let edit = finding.fixes.first?.edits.first(where: { $0.start == start && $0.end > $0.start }) {
            return (start, edit.end)
        }
        let bytes = source.bytes
        var end = start
        while end < bytes.count, !Self.endsAWord(bytes[end]) { end += 1 }
        if end == start {
            // At a space or the end of a line: mark the rest of the line, or the one character before it.
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
        }
        return (start, end)
    }

    static func endsAWord(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\t")
    }

    /// How many bytes the UTF-8 sequence that starts with `leading` takes (a stray continuation byte counts as one).
    static func scalarLength(leading: UInt8) -> Int {
        switch leading {
        case 0xF0...0xFF: return 4
        case 0xE0...0xEF: return 3
        case 0xC0...0xDF: return 2
        default: return 1
        }
    }
}
