/// A file's bytes with a line index, so that any byte offset can be reported as the 1-based line and
/// column an editor jumps to.
///
/// Columns count Unicode scalars from the start of the line (not bytes), so that a name after a Chinese
/// title or an accented word is still reported at the column an editor shows.
public struct SourceText: Sendable {
    public let bytes: [UInt8]
    /// Byte offset at which each line starts; `lineStarts[0] == 0`.
    public let lineStarts: [Int]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        starts.reserveCapacity(bytes.count / 40 + 1)
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    public var lineCount: Int { lineStarts.count }

    /// The 1-based line and column of a byte offset (clamped into the file).
    public func position(ofByte offset: Int) -> SourcePosition {
        let offset = max(0, min(offset, bytes.count))
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        var column = 1
        var index = lineStarts[low]
        while index < offset {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        // A continuation byte at the offset itself belongs to the scalar already counted.
        if offset < bytes.count, bytes[offset] & 0xC0 == 0x80, column > 1 { column -= 1 }
        return SourcePosition(line: low + 1, column: column)
    }

    /// The byte offset of a 1-based line and a 1-based *byte* column (as cmark-gfm and libyaml report).
    public func byteOffset(line: Int, byteColumn: Int) -> Int {
        guard line >= 1 else { return 0 }
        guard line <= lineStarts.count else { return bytes.count }
        return min(bytes.count, lineStarts[line - 1] + max(0, byteColumn - 1))
    }

    /// The byte offset of a 1-based line and a 1-based column counted in Unicode scalars (as positions are
    /// reported), clamped to the line.
    public func byteOffset(line: Int, scalarColumn: Int) -> Int {
        guard line >= 1 else { return 0 }
        guard line <= lineStarts.count else { return bytes.count }
        var offset = lineStarts[line - 1]
        var column = 1
        while column < scalarColumn, offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") {
            offset += 1
            while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            column += 1
        }
        return offset
    }

    /// The text of one 1-based line, without its line ending.
    public func line(_ number: Int) -> Substring {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] : bytes.count
        while end > start, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return Substring(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// A 1-based line and column in a draft as written, front matter included.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}
