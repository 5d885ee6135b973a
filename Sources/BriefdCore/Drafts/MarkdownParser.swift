internal import CCMark
import Foundation

/// Parses Markdown with cmark-gfm (GitHub's dialect: autolinks, tables, strikethrough, tag filter).
///
/// - Important: this is the only file that talks to cmark-gfm for parsing.
public enum MarkdownParser {
    private static let extensionsRegistered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        return true
    }()

    private static let extensionNames = ["autolink", "table", "strikethrough", "tagfilter"]

    /// `markdown` as HTML for the digest: GitHub's dialect, smart punctuation, and no raw HTML or unsafe
    /// link schemes (`javascript:` and the like) passed through — cmark-gfm's safe default.
    public static func renderHTML(_ markdown: String) -> String {
        withDocument(markdown, options: CMARK_OPT_SMART) { parser, root in
            guard let html = cmark_render_html(root, CMARK_OPT_SMART, cmark_parser_get_syntax_extensions(parser)) else {
                return ""
            }
            defer { free(html) }
            return String(cString: html)
        }
    }

    /// Parses `markdown` with the GitHub extensions and hands the parser and the tree to `body`; both are
    /// freed afterwards. An empty string when cmark-gfm cannot allocate.
    private static func withDocument(
        _ markdown: String, options: Int32, _ body: (OpaquePointer, OpaquePointer) -> String
    ) -> String {
        precondition(extensionsRegistered)
        guard let parser = cmark_parser_new(options) else { return "" }
        defer { cmark_parser_free(parser) }
        for name in extensionNames {
            if let ext = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, ext) }
        }
        var bytes = Array(markdown.utf8)
        bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress?.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                cmark_parser_feed(parser, $0, buffer.count)
            }
        }
        guard let root = cmark_parser_finish(parser) else { return "" }
        defer { cmark_node_free(root) }
        return body(parser, root)
    }

    /// `markdown` rewritten by cmark-gfm for the digest's Markdown output: raw HTML dropped, links and images
    /// with unsafe schemes (`javascript:`, `vbscript:`, `file:`, `data:`) unlinked, so that pasting it into
    /// another tool cannot carry a script.
    public static func renderSafeMarkdown(_ markdown: String) -> String {
        withDocument(markdown, options: CMARK_OPT_DEFAULT) { _, root in
            var unsafe: [OpaquePointer] = []
            guard let iterator = cmark_iter_new(root) else { return "" }
            while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
                guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
                let type = cmark_node_get_type(node)
                if type == CMARK_NODE_HTML_INLINE || type == CMARK_NODE_HTML_BLOCK {
                    unsafe.append(node)
                } else if type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE {
                    let url = cmark_node_get_url(node).map { String(cString: $0) } ?? ""
                    if isDangerous(url) { cmark_node_set_url(node, "") }
                }
            }
            cmark_iter_free(iterator)
            for node in unsafe {
                cmark_node_unlink(node)
                cmark_node_free(node)
            }
            guard let text = cmark_render_commonmark(root, CMARK_OPT_DEFAULT, 0) else { return "" }
            defer { free(text) }
            var rendered = Substring(String(cString: text))
            while rendered.last?.isWhitespace == true { rendered.removeLast() }
            while rendered.first?.isWhitespace == true { rendered.removeFirst() }
            return String(rendered)
        }
    }

    /// The schemes cmark-gfm's safe mode refuses in HTML output.
    static func isDangerous(_ url: String) -> Bool {
        let lowered = url.trimmingCharacters(in: .whitespaces).lowercased()
        if lowered.hasPrefix("data:image/") { return false }
        return ["javascript:", "vbscript:", "file:", "data:"].contains { lowered.hasPrefix($0) }
    }

    /// Parses the body of `source` that starts at byte `bodyStart` (line `bodyFirstLine` of the file).
    public static func parse(_ source: SourceText, bodyStart: Int, bodyFirstLine: Int) -> MarkdownDocument {
        precondition(extensionsRegistered)
        guard let parser = cmark_parser_new(CMARK_OPT_DEFAULT) else { return MarkdownDocument(blocks: []) }
        defer { cmark_parser_free(parser) }
        for name in extensionNames {
            if let ext = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, ext) }
        }
        let start = min(bodyStart, source.bytes.count)
        source.bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress.map { UnsafeRawPointer($0 + start).assumingMemoryBound(to: CChar.self) }
            if let base, buffer.count > start { cmark_parser_feed(parser, base, buffer.count - start) }
        }
        guard let root = cmark_parser_finish(parser) else { return MarkdownDocument(blocks: []) }
        defer { cmark_node_free(root) }
        var builder = TreeBuilder(source: source, lineOffset: bodyFirstLine - 1)
        return MarkdownDocument(blocks: builder.children(of: root))
    }

    /// Walks cmark's tree once, converting positions and locating each run of text in the file.
    private struct TreeBuilder {
        let source: SourceText
        let lineOffset: Int

        mutating func children(of node: OpaquePointer) -> [MarkdownBlock] {
            var result: [MarkdownBlock] = []
            var child = cmark_node_first_child(node)
            while let current = child {
                result.append(block(current))
                child = cmark_node_next(current)
            }
            return result
        }

        func offset(line: Int32, column: Int32) -> Int {
            source.byteOffset(line: Int(line) + lineOffset, byteColumn: Int(column))
        }

        mutating func block(_ node: OpaquePointer) -> MarkdownBlock {
            let type = cmark_node_get_type(node)
            let start = offset(line: cmark_node_get_start_line(node), column: cmark_node_get_start_column(node))
            var end = offset(line: cmark_node_get_end_line(node), column: cmark_node_get_end_column(node)) + 1
            end = max(end, start)
            let kind: MarkdownBlock.Kind
            switch type {
            case CMARK_NODE_PARAGRAPH: kind = .paragraph
            case CMARK_NODE_HEADING: kind = .heading(level: Int(cmark_node_get_heading_level(node)))
            case CMARK_NODE_BLOCK_QUOTE: kind = .blockQuote
            case CMARK_NODE_LIST: kind = .list
            case CMARK_NODE_ITEM: kind = .item
            case CMARK_NODE_CODE_BLOCK: kind = .codeBlock
            case CMARK_NODE_HTML_BLOCK: kind = .htmlBlock
            case CMARK_NODE_THEMATIC_BREAK: kind = .thematicBreak
            default: kind = .other
            }
            var result = MarkdownBlock(kind: kind, start: start, end: end, children: [], inline: InlineText())
            if kind == .codeBlock || kind == .htmlBlock {
                result.literal = cmark_node_get_literal(node).map { String(cString: $0) }
                return result
            }
            if let first = cmark_node_first_child(node), isInline(first) {
                var collector = InlineCollector(source: source, cursor: start, limit: min(end, source.bytes.count))
                collector.collect(childrenOf: node)
                result.inline = collector.result
            } else {
                result.children = children(of: node)
            }
            return result
        }

        func isInline(_ node: OpaquePointer) -> Bool {
            cmark_node_get_type(node).rawValue & UInt32(CMARK_NODE_TYPE_MASK) == UInt32(CMARK_NODE_TYPE_INLINE)
        }
    }

    /// Gathers the plain text of inline nodes, finding each literal in the file after the previous one.
    private struct InlineCollector {
        let source: SourceText
        var cursor: Int
        let limit: Int
        var result = InlineText()

        mutating func collect(childrenOf node: OpaquePointer) {
            var child = cmark_node_first_child(node)
            while let current = child {
                collect(current)
                child = cmark_node_next(current)
            }
        }

        mutating func collect(_ node: OpaquePointer) {
            switch cmark_node_get_type(node) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                appendLiteral(cmark_node_get_literal(node).map { String(cString: $0) } ?? "")
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                appendText(" ", fileOffset: cursor)
            case CMARK_NODE_HTML_INLINE:
                // Raw tags keep their place in the file so that `href`/`src` inside them can be cited.
                let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
                let bytes = Array(literal.utf8)
                let at = find(bytes, from: cursor) ?? cursor
                result.rawHTML.append(RawHTML(text: literal, fileOffset: at))
                if at != cursor || !bytes.isEmpty { cursor = max(cursor, at + bytes.count) }
            case CMARK_NODE_FOOTNOTE_REFERENCE:
                break
            case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                let url = cmark_node_get_url(node).map { String(cString: $0) } ?? ""
                let isImage = cmark_node_get_type(node) == CMARK_NODE_IMAGE
                let linkStart = cursor
                let textStart = result.text.utf8.count
                collect(childrenOf: node)
                let textEnd = result.text.utf8.count
                let firstText = result.anchors.last { $0.text == textStart }?.file
                let isBare =
                    !isImage && textEnd > textStart
                    && result.text.utf8.dropFirst(textStart).elementsEqual(
                        url.utf8.prefix(textEnd - textStart))
                    && (textEnd - textStart) >= url.utf8.count - 7
                let kind: MarkdownLink.Kind = isImage ? .image : (isBare ? .autolink : .inline)
                let fileOffset = firstText ?? find(Array(url.utf8), from: linkStart) ?? linkStart
                result.links.append(
                    MarkdownLink(url: url, kind: kind, fileOffset: fileOffset, textRange: textStart..<textEnd))
                // Step over the destination so that later text is not "found" inside the URL.
                if kind == .inline || kind == .image, let at = find(Array(url.utf8), from: cursor) {
                    cursor = at + url.utf8.count
                }
            default:
                collect(childrenOf: node)
            }
        }

        mutating func appendLiteral(_ literal: String) {
            guard !literal.isEmpty else { return }
            let bytes = Array(literal.utf8)
            if let at = find(bytes, from: cursor) {
                appendText(literal, fileOffset: at)
                cursor = at + bytes.count
            } else {
                // Escapes or entities make the literal differ from the file: anchor it where we are.
                appendText(literal, fileOffset: cursor)
            }
        }

        mutating func appendText(_ text: String, fileOffset: Int) {
            result.anchors.append((result.text.utf8.count, fileOffset))
            result.text += text
        }

        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard let first = needle.first, start < limit, needle.count <= limit - start else { return nil }
            var index = start
            let last = limit - needle.count
            while index <= last {
                if source.bytes[index] == first {
                    var matched = true
                    var k = 1
                    while k < needle.count {
                        if source.bytes[index + k] != needle[k] {
                            matched = false
                            break
                        }
                        k += 1
                    }
                    if matched { return index }
                }
                index += 1
            }
            return nil
        }
    }
}
