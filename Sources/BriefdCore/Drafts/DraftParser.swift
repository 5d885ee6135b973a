/// Turns a file's bytes into a `Draft`, or into the one finding that says why it cannot be read.
///
/// Pure: the caller reads the file (bounded in size, symlinks refused) and hands over the bytes.
public enum DraftParser {
    /// Front matter that expands to more YAML values than this is refused (alias bombs).
    public static let maxFrontMatterValues = 10_000

    public struct Result: Sendable {
        /// Nil when the file or its front matter could not be read; `findings` then says why.
        public var draft: Draft?
        public var findings: [Finding]
    }

    public static func parse(path: String, bytes: [UInt8]) -> Result {
        let start = SourcePosition(line: 1, column: 1)
        func unreadable(_ message: String, at position: SourcePosition = start) -> Result {
            Result(draft: nil, findings: [Finding(.draftUnreadable, at: position, message)])
        }
        if bytes.isEmpty || bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return unreadable("the file is empty; a draft needs front matter between '---' lines and a body")
        }
        if let nul = bytes.firstIndex(of: 0) {
            let source = SourceText(bytes: bytes)
            return unreadable(
                "the file is binary (a NUL byte at \(source.position(ofByte: nul))), not a Markdown draft",
                at: source.position(ofByte: nul))
        }
        if let bad = UTF8Validation.firstInvalidByte(in: bytes) {
            let source = SourceText(bytes: bytes)
            return unreadable(
                "the file is not valid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at "
                    + "\(source.position(ofByte: bad))); save it as UTF-8",
                at: source.position(ofByte: bad))
        }
        let source = SourceText(bytes: bytes)
        return parseFrontMatter(path: path, source: source)
    }

    private static func parseFrontMatter(path: String, source: SourceText) -> Result {
        func invalid(_ message: String, at position: SourcePosition = SourcePosition(line: 1, column: 1)) -> Result {
            Result(draft: nil, findings: [Finding(.frontMatterInvalid, at: position, message)])
        }
        let hasBOM = source.bytes.starts(with: [0xEF, 0xBB, 0xBF])
        guard isDelimiter(source.line(1).dropFirst(hasBOM ? 1 : 0), closing: false) else {
            return invalid("the draft has no front matter: its first line must be '---'")
        }
        var closingLine: Int?
        var lineNumber = 2
        while lineNumber <= source.lineCount {
            if isDelimiter(source.line(lineNumber), closing: true) {
                closingLine = lineNumber
                break
            }
            lineNumber += 1
        }
        guard let closingLine else {
            return invalid("the front matter is never closed: add a line '---' after the last field")
        }
        let yamlStart = source.lineStarts[1]
        let yamlEnd = source.lineStarts[closingLine - 1]
        let yamlText = String(decoding: source.bytes[yamlStart..<yamlEnd], as: UTF8.self)
        let root: YAMLNode?
        do {
            root = try YAMLReader.compose(yamlText, firstLine: 2, maxNodes: maxFrontMatterValues)
        } catch  where !error.duplicateKeys.isEmpty {
            let key = error.duplicateKeys[0]
            let lines = (2..<closingLine).filter {
                source.line($0).hasPrefix(key + ":") || source.line($0).hasPrefix(key + " :")
            }
            let at = lines.count > 1 ? SourcePosition(line: lines[1], column: 1) : error.position
            let first = lines.first.map { " (first at line \($0))" } ?? ""
            return Result(
                draft: nil,
                findings: [
                    Finding(.frontMatterDuplicateKey, at: at, "'\(key)' is set twice\(first); keep one")
                ])
        } catch {
            var result = invalid("the front matter is not valid YAML: \(error.message)", at: error.position)
            result.findings[0].fixes = closingQuoteFix(at: error.position, message: error.message, source: source)
            return result
        }
        guard let root, let entries = root.mapping else {
            let found = root.map(\.kindDescription) ?? "nothing"
            return invalid(
                "the front matter must be a mapping of 'key: value' lines, found \(found)",
                at: root?.position ?? SourcePosition(line: 2, column: 1))
        }
        var findings: [Finding] = []
        let frontMatter = FrontMatterDecoder.decode(entries, findings: &findings)
        for index in findings.indices { findings[index].fixes = closestNameFix(findings[index], source: source) }
        let bodyStart = closingLine < source.lineCount ? source.lineStarts[closingLine] : source.bytes.count
        let body = MarkdownParser.parse(source, bodyStart: bodyStart, bodyFirstLine: closingLine + 1)
        let draft = Draft(path: path, source: source, frontMatter: frontMatter, body: body, bodyStart: bodyStart)
        return Result(draft: draft, findings: findings)
    }

    private static func isDelimiter(_ line: Substring, closing: Bool) -> Bool {
        let trimmed = line.trimmingTrailingSpaces()
        return trimmed == "---" || (closing && trimmed == "...")
    }

    /// An unknown key or kind written where its closest accepted name belongs ("sectoin" → "section"): the key or
    /// value as written, replaced. Safe: the field the writer meant, spelled as briefd reads it.
    private static func closestNameFix(_ finding: Finding, source: SourceText) -> [Fix] {
        guard [.frontMatterUnknownKey, .frontMatterUnknownKind].contains(finding.rule), let closest = finding.suggestion
        else { return [] }
        let start = source.byteOffset(line: finding.position.line, scalarColumn: finding.position.column)
        let line = source.line(finding.position.line)
        let lineStart = source.byteOffset(line: finding.position.line, scalarColumn: 1)
        let lineBytes = Array(line.utf8)
        let rest = String(decoding: lineBytes[min(max(0, start - lineStart), lineBytes.count)...], as: UTF8.self)
        // The key up to its colon, or the kind's value up to a comment or the line's end.
        let written =
            finding.rule == .frontMatterUnknownKey
            ? String(rest.prefix { $0 != ":" && $0 != " " })
            : String(rest.prefix { $0 != "#" }).trimmingWhitespace()
        guard !written.isEmpty, !written.hasPrefix("\""), !written.hasPrefix("'") else { return [] }
        // A key renamed to one the front matter already has would set it twice: the editor chooses.
        if finding.rule == .frontMatterUnknownKey,
            (1...source.lineCount).contains(where: { source.line($0).hasPrefix(closest + ":") })
        {
            return []
        }
        let title =
            finding.rule == .frontMatterUnknownKey ? "Rename the key to '\(closest)'" : "Use the kind '\(closest)'"
        return Fix.replacing(
            start, start + written.utf8.count, of: source, expected: written, with: closest, title: title, safe: true
        ).map { [$0] } ?? []
    }

    /// A quoted value never closed on its line: the same quote mark added at the line's end (before a comment is
    /// not guessed: only a line with no '#'). Safe: the value the writer typed, closed.
    private static func closingQuoteFix(at position: SourcePosition, message: String, source: SourceText) -> [Fix] {
        guard message.contains("never closed") else { return [] }
        let line = String(source.line(position.line))
        let lineStart = source.byteOffset(line: position.line, scalarColumn: 1)
        let quoteAt = source.byteOffset(line: position.line, scalarColumn: position.column) - lineStart
        let bytes = Array(line.utf8)
        guard quoteAt >= 0, quoteAt < bytes.count,
            bytes[quoteAt] == UInt8(ascii: "\"") || bytes[quoteAt] == UInt8(ascii: "'"),
            !line.contains("#")
        else { return [] }
        var end = bytes.count
        while end > quoteAt + 1, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") {
            end -= 1
        }
        let quote = String(UnicodeScalar(bytes[quoteAt]))
        return Fix.replacing(
            lineStart + end, lineStart + end, of: source, expected: "", with: quote,
            title: "Close the quoted value with \(quote)", safe: true
        ).map { [$0] } ?? []
    }
}

extension Substring {
    fileprivate func trimmingTrailingSpaces() -> Substring {
        var end = endIndex
        while end > startIndex {
            let before = index(before: end)
            guard self[before] == " " || self[before] == "\t" else { break }
            end = before
        }
        return self[startIndex..<end]
    }
}

/// Checks UTF-8 and says where it first goes wrong.
enum UTF8Validation {
    static func firstInvalidByte(in bytes: [UInt8]) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var minimum: UInt32
            switch lead {
            case 0xC2...0xDF:
                length = 2
                minimum = 0x80
            case 0xE0...0xEF:
                length = 3
                minimum = 0x800
            case 0xF0...0xF4:
                length = 4
                minimum = 0x10000
            default: return index
            }
            guard index + length <= count else { return index }
            var scalar = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for k in 1..<length {
                let next = bytes[index + k]
                guard next & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return index }
            index += length
        }
        return nil
    }
}
