internal import CLibXML2
import Foundation

/// The readable text of a web page and its published date, as the quote check needs them.
public struct ExtractedArticle: Sendable, Equatable {
    /// The article's text, paragraphs separated by blank lines.
    public var text: String
    public var title: String?
    /// From `article:published_time`, JSON-LD `datePublished`, or the first `<time datetime>`.
    public var published: Day?

    public init(text: String, title: String?, published: Day?) {
        self.text = text
        self.title = title
        self.published = published
    }
}

/// Pulls the article out of a page with libxml2's HTML parser (recovering from bad markup, never touching the
/// network): drops scripts, styles, navigation, headers, footers, asides, forms and comments; prefers
/// `<article>`, then `<main>`, then the element holding the most paragraph text; keeps paragraph breaks.
///
/// - Important: this is the only file that talks to libxml2.
public enum ArticleExtractor {
    /// Elements whose text is never part of the article.
    static let skipped: Set<String> = [
        "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "button", "iframe", "svg", "select",
        "template", "menu", "figcaption",
    ]
    /// Elements that end a paragraph.
    static let blocks: Set<String> = [
        "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote",
        "br", "tr", "table", "pre", "dd", "dt", "figure",
    ]
    /// A page with more nodes than this is read only up to it (a hostile page cannot make the walk unbounded).
    static let maxNodes = 2_000_000

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// - Parameter charset: from the `Content-Type` header; nil lets libxml2 read `<meta charset>` (or UTF-8).
    public static func extract(html: [UInt8], charset: String?) -> ExtractedArticle? {
        precondition(initialized)
        guard !html.isEmpty, html.count < Int(Int32.max) else { return nil }
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue)
        // NOERROR does not cover libxml2's encoding-conversion errors ("encoding error : input conversion
        // failed"), which it prints to stderr: a hostile page would fill the daemon's log. The handler is per
        // thread, hence set before every parse.
        xmlSetStructuredErrorFunc(nil, { _, _ in })
        let document: htmlDocPtr? = html.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { bytes in
                htmlReadMemory(bytes, Int32(buffer.count), nil, charset.flatMap { $0.isEmpty ? nil : $0 }, options)
            }
        }
        guard let document else { return nil }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { return nil }
        var walker = Walker()
        walker.survey(root)
        let content = walker.article ?? walker.main ?? walker.densest ?? root
        var text = TextCollector()
        text.collect(content)
        return ExtractedArticle(text: text.result, title: walker.title, published: walker.published)
    }

    /// Element names, by the address libxml2 interns them at (the parser keeps one copy of each name), so
    /// that a page of a million nodes does not build a million Swift strings.
    final class Names {
        private var cache: [UnsafeRawPointer: String] = [:]

        func of(_ node: xmlNodePtr) -> String {
            guard let name = node.pointee.name else { return "" }
            let key = UnsafeRawPointer(name)
            if let known = cache[key] { return known }
            let text = String(cString: name).lowercased()
            cache[key] = text
            return text
        }
    }

    /// The length in bytes of the text under `node`, without copying it.
    static func textLength(_ node: xmlNodePtr) -> Int {
        var total = 0
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_TEXT_NODE, let content = current.pointee.content {
                total += strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
            } else if current.pointee.type == XML_ELEMENT_NODE {
                total += textLength(current)
            }
            child = current.pointee.next
        }
        return total
    }

    static func attribute(_ node: xmlNodePtr, _ key: String) -> String? {
        guard let value = xmlGetProp(node, key) else { return nil }
        defer { free(value) }  // libxml2 allocates with malloc; xmlFree is a global function pointer.
        return String(cString: value)
    }

    static func textContent(_ node: xmlNodePtr) -> String {
        guard let value = xmlNodeGetContent(node) else { return "" }
        defer { free(value) }  // libxml2 allocates with malloc; xmlFree is a global function pointer.
        return String(cString: value)
    }

    /// One pass over the page: the first `<article>` and `<main>`, the title, the published date, and the
    /// element with the most text in its direct `<p>` children.
    struct Walker {
        let names = Names()
        var article: xmlNodePtr?
        var main: xmlNodePtr?
        var densest: xmlNodePtr?
        var densestLength = 0
        var title: String?
        var published: Day?
        var visited = 0

        mutating func survey(_ root: xmlNodePtr) {
            var stack: [xmlNodePtr] = [root]
            while let node = stack.popLast(), visited < ArticleExtractor.maxNodes {
                visited += 1
                guard node.pointee.type == XML_ELEMENT_NODE else { continue }
                let name = names.of(node)
                switch name {
                case "article" where article == nil: article = node
                case "main" where main == nil: main = node
                case "title" where title == nil: title = ArticleExtractor.textContent(node).collapsingSpaces()
                case "meta": readMeta(node)
                case "time" where published == nil:
                    published = ArticleExtractor.attribute(node, "datetime").flatMap(ArticleExtractor.day)
                case "script":
                    if published == nil, ArticleExtractor.attribute(node, "type")?.lowercased() == "application/ld+json" {
                        published = ArticleExtractor.jsonLDDate(ArticleExtractor.textContent(node))
                    }
                    continue
                default: break
                }
                if ArticleExtractor.skipped.contains(name) && name != "header" { continue }
                var paragraphText = 0
                var child = node.pointee.children
                var children: [xmlNodePtr] = []
                while let current = child {
                    children.append(current)
                    if current.pointee.type == XML_ELEMENT_NODE, names.of(current) == "p" {
                        paragraphText += ArticleExtractor.textLength(current)
                    }
                    child = current.pointee.next
                }
                if paragraphText > densestLength {
                    densestLength = paragraphText
                    densest = node
                }
                stack.append(contentsOf: children.reversed())
            }
        }

        mutating func readMeta(_ node: xmlNodePtr) {
            guard published == nil else { return }
            let key = (ArticleExtractor.attribute(node, "property") ?? ArticleExtractor.attribute(node, "name") ?? "").lowercased()
            guard ["article:published_time", "datepublished", "date", "pubdate", "publishdate", "dc.date"].contains(key),
                let content = ArticleExtractor.attribute(node, "content")
            else { return }
            published = ArticleExtractor.day(content)
        }
    }

    /// The text of an element, paragraph breaks kept, skipped elements and comments left out.
    struct TextCollector {
        let names = Names()
        var paragraphs: [String] = []
        var current: [UInt8] = []
        var visited = 0

        mutating func collect(_ node: xmlNodePtr) {
            visit(node)
            endParagraph()
        }

        var result: String { paragraphs.joined(separator: "\n\n") }

        mutating func visit(_ node: xmlNodePtr) {
            visited += 1
            guard visited < ArticleExtractor.maxNodes else { return }
            switch node.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = node.pointee.content {
                    let length = strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
                    current.append(contentsOf: UnsafeBufferPointer(start: content, count: length))
                }
            case XML_ELEMENT_NODE:
                let name = names.of(node)
                if ArticleExtractor.skipped.contains(name) { return }
                let block = ArticleExtractor.blocks.contains(name)
                if block { endParagraph() }
                var child = node.pointee.children
                while let current = child {
                    visit(current)
                    child = current.pointee.next
                }
                if block { endParagraph() }
            default:
                return  // Comments, processing instructions.
            }
        }

        mutating func endParagraph() {
            let text = ArticleExtractor.collapsingSpaces(current)
            if !text.isEmpty { paragraphs.append(text) }
            current.removeAll(keepingCapacity: true)
        }
    }

    /// UTF-8 text with runs of whitespace (ASCII and no-break spaces) as one space, trimmed.
    static func collapsingSpaces(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C {
                pendingSpace = !out.isEmpty
                index += 1
            } else if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0xA0 {
                pendingSpace = !out.isEmpty
                index += 2
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The day of an ISO 8601 date or date-time (`2026-11-20`, `2026-11-20T08:00:00+08:00`).
    static func day(_ text: String) -> Day? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 10 else { return nil }
        return Day(iso: trimmed.prefix(10))
    }

    /// `"datePublished": "…"` in a JSON-LD block, found without decoding the whole (often invalid) JSON.
    static func jsonLDDate(_ json: String) -> Day? {
        guard let key = json.range(of: "\"datePublished\"") else { return nil }
        let rest = json[key.upperBound...]
        guard let open = rest.firstIndex(of: "\""), let close = rest[rest.index(after: open)...].firstIndex(of: "\"") else {
            return nil
        }
        return day(String(rest[rest.index(after: open)..<close]))
    }
}

extension String {
    /// Runs of whitespace (including non-breaking spaces) as one space, trimmed.
    func collapsingSpaces() -> String {
        var out = ""
        var pendingSpace = false
        for scalar in unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{A0}" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.unicodeScalars.append(" ") }
                out.unicodeScalars.append(scalar)
                pendingSpace = false
            }
        }
        return out
    }
}
