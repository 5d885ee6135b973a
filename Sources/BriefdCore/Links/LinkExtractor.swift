/// Finds the links a Markdown file cites: inline and reference links, autolinks, bare URLs that GitHub
/// would link, `href`/`src` in raw HTML and the front matter's `url`; never text in code.
///
/// Only absolute addresses are kept (`https:`, `mailto:`, other schemes to be reported as skipped):
/// relative links and `#fragments` point into the digest itself, not at a source.
public enum LinkExtractor {
    /// The links of a file that may or may not have front matter (drafts have it, other Markdown not).
    public static func links(path: String, bytes: [UInt8]) -> [CitedLink] {
        guard !bytes.contains(0), UTF8Validation.firstInvalidByte(in: bytes) == nil else { return [] }
        let startsWithFrontMatter = bytes.starts(with: Array("---\n".utf8)) || bytes.starts(with: Array("---\r\n".utf8))
        if startsWithFrontMatter, let draft = DraftParser.parse(path: path, bytes: bytes).draft {
            return links(in: draft)
        }
        let source = SourceText(bytes: bytes)
        let body = MarkdownParser.parse(source, bodyStart: 0, bodyFirstLine: 1)
        return collect(path: path, source: source, body: body, frontMatterURL: nil)
    }

    /// The links of a parsed draft.
    public static func links(in draft: Draft) -> [CitedLink] {
        let frontMatterURL = draft.frontMatter.url.map { ($0, draft.frontMatter.position(of: "url")) }
        return collect(path: draft.path, source: draft.source, body: draft.body, frontMatterURL: frontMatterURL)
    }

    private static func collect(
        path: String, source: SourceText, body: MarkdownDocument, frontMatterURL: (String, SourcePosition)?
    ) -> [CitedLink] {
        var found: [(url: String, position: SourcePosition)] = []
        if let (url, position) = frontMatterURL { found.append((url, position)) }
        func visit(_ block: MarkdownBlock) {
            var inline: [(offset: Int, url: String)] = block.inline.links.map { ($0.fileOffset, $0.url) }
            for html in block.inline.rawHTML {
                for attribute in HTMLAttributes.urls(in: Array(html.text.utf8)) {
                    inline.append((html.fileOffset + attribute.offset, attribute.value))
                }
            }
            if block.kind == .htmlBlock, let literal = block.literal {
                for attribute in HTMLAttributes.urls(in: Array(literal.utf8)) {
                    inline.append((block.start + attribute.offset, attribute.value))
                }
            }
            for (offset, url) in inline.sorted(by: { $0.offset < $1.offset }) {
                found.append((url, source.position(ofByte: offset)))
            }
            block.children.forEach(visit)
        }
        body.blocks.forEach(visit)
        var lists: [CitedLink] = []
        for (raw, position) in found {
            let url = raw.trimmingSpaces()
            guard isAbsolute(url) else { continue }
            lists.append(
                CitedLink(url: url, citations: [LinkCitation(path: path, line: position.line, column: position.column)])
            )
        }
        return CitedLink.merging([lists])
    }

    /// True for `scheme:rest` with a scheme as RFC 3986 spells it (`https:`, `mailto:`), not `C:\` or `a/b`.
    static func isAbsolute(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":"), colon != url.startIndex else { return false }
        let scheme = url[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter, scheme.count > 1 else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}

/// The `href` and `src` values in a piece of HTML, entity-decoded, with the byte offset of each value.
enum HTMLAttributes {
    static func urls(in html: [UInt8]) -> [(value: String, offset: Int)] {
        var result: [(String, Int)] = []
        var index = 0
        var inTag = false
        while index < html.count {
            let byte = html[index]
            if byte == UInt8(ascii: "<") {
                inTag = true
                index += 1
                continue
            }
            if byte == UInt8(ascii: ">") {
                inTag = false
                index += 1
                continue
            }
            guard inTag, index > 0, isSpace(html[index - 1]) else {
                index += 1
                continue
            }
            let nameLength: Int
            if matches(html, at: index, "href") {
                nameLength = 4
            } else if matches(html, at: index, "src") {
                nameLength = 3
            } else {
                index += 1
                continue
            }
            var cursor = index + nameLength
            while cursor < html.count, isSpace(html[cursor]) { cursor += 1 }
            guard cursor < html.count, html[cursor] == UInt8(ascii: "=") else {
                index += 1
                continue
            }
            cursor += 1
            while cursor < html.count, isSpace(html[cursor]) { cursor += 1 }
            guard cursor < html.count else { break }
            let quote = html[cursor]
            let start: Int
            var end: Int
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                start = cursor + 1
                end = start
                while end < html.count, html[end] != quote { end += 1 }
            } else {
                start = cursor
                end = start
                while end < html.count, !isSpace(html[end]), html[end] != UInt8(ascii: ">") { end += 1 }
            }
            result.append((decodeEntities(String(decoding: html[start..<end], as: UTF8.self)), start))
            index = end
        }
        return result
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    private static func matches(_ html: [UInt8], at index: Int, _ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard index + count <= html.count else { return false }
        return name.withUTF8Buffer { buffer in
            (0..<count).allSatisfy { html[index + $0] | 0x20 == buffer[$0] }
        }
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            rest = rest[amp...]
            guard let semicolon = rest.prefix(12).firstIndex(of: ";") else {
                result.append("&")
                rest = rest.dropFirst()
                continue
            }
            let name = rest[rest.index(after: rest.startIndex)..<semicolon]
            let named = ["amp": "&", "quot": "\"", "apos": "'", "lt": "<", "gt": ">", "nbsp": "\u{A0}"]
            var replacement: String?
            if let value = named[String(name)] {
                replacement = value
            } else if name.hasPrefix("#x") || name.hasPrefix("#X"), let code = UInt32(name.dropFirst(2), radix: 16) {
                replacement = Unicode.Scalar(code).map { String(Character($0)) }
            } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()) {
                replacement = Unicode.Scalar(code).map { String(Character($0)) }
            }
            if let replacement {
                result += replacement
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result.append("&")
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }
}
