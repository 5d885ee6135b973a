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

/// One element of a page as the email checks read it.
public struct PageElement: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    /// The text inside (links only).
    public var text: String
    public var line: Int
}

/// One block of a page: a heading (its level), a paragraph or a list item, with its links.
public struct PageBlock: Sendable, Equatable {
    public struct Link: Sendable, Equatable {
        public var text: String
        public var href: String
        /// Where the link's text starts in the block's text, in characters.
        public var offset: Int
    }

    /// 1–6 for `<h1>`–`<h6>`; 0 for anything else.
    public var headingLevel: Int
    public var text: String
    public var links: [Link]
    /// The whole text is bold (`<strong>`, `<b>`): old issues set their section names that way.
    public var isBold: Bool
    /// The line of the page the block starts on.
    public var line: Int
    /// In the page's chrome rather than its article: an `<aside>` (a "Subscribe" box beside the issue), a
    /// `<footer>` or a landmark with role complementary or contentinfo.
    public var outsideArticle: Bool

    public init(
        headingLevel: Int = 0, text: String, links: [Link] = [], isBold: Bool = false, line: Int = 0,
        outsideArticle: Bool = false
    ) {
        self.outsideArticle = outsideArticle
        self.headingLevel = headingLevel
        self.text = text
        self.links = links
        self.isBold = isBold
        self.line = line
    }
}

/// A page's metadata and article paragraphs as `ArticleExtractor.readPage` found them, before any choice.
public struct PageReading: Sendable, Equatable {
    /// `<meta>` values by lowercased `property`, `name` or `itemprop` ("og:title", "article:published_time"), plus
    /// "link:canonical" and "itemprop:author-name" (a YouTube channel); the first of each.
    public var meta: [String: String] = [:]
    /// The text of each `<script type="application/ld+json">`.
    public var jsonLD: [String] = []
    /// Each `<time datetime>` value, in page order.
    public var times: [String] = []
    public var titleElement: String?
    public var h1: String?
    /// The article's paragraphs, one line each, without the boxes around it.
    public var paragraphs: [String] = []
    public var headings: [String] = []
    /// The text the quote check reads (kept as the snapshot).
    public var article = ExtractedArticle(text: "", title: nil, published: nil)
    /// The page as blocks, when asked for (`readPage(…, withBlocks: true)`).
    public var blocks: [PageBlock] = []

    public init() {}
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

    /// - Parameter charset: from the `Content-Type` header; the encoding is then chosen as browsers choose it
    ///   (`PageEncoding`).
    public static func extract(html: [UInt8], charset: String?) -> ExtractedArticle? {
        withDocument(html: html, charset: charset) { root in
            var walker = Walker()
            walker.survey(root)
            let content = walker.article ?? walker.main ?? walker.densest ?? root
            var text = TextCollector()
            text.collect(content)
            return ExtractedArticle(text: text.result, title: walker.title, published: walker.published)
        }
    }

    /// What `briefd clip` needs of a page: its metadata as the page states it and the article's paragraphs one by
    /// one, without bylines, captions, related-article boxes, newsletter and cookie boxes. The choices (which
    /// title, which date) are made by `PageMetadata`, not here.
    /// - Parameter withBlocks: also cut the page into blocks (`readBlocks`) from the same parse (`briefd import`).
    public static func readPage(html: [UInt8], charset: String?, withBlocks: Bool = false) -> PageReading? {
        withDocument(html: html, charset: charset) { root in
            var walker = Walker()
            walker.readsMetadata = true
            walker.survey(root)
            let content = walker.largestArticle ?? walker.main ?? walker.densest ?? root
            var paragraphs = ParagraphCollector()
            paragraphs.collect(content)
            var text = TextCollector()
            text.collect(walker.article ?? walker.main ?? walker.densest ?? root)
            var reading = walker.reading
            reading.paragraphs = paragraphs.paragraphs
            reading.headings = paragraphs.headings
            reading.article = ExtractedArticle(text: text.result, title: walker.title, published: walker.published)
            if withBlocks {
                var collector = BlockCollector()
                collector.collect(root)
                reading.blocks = collector.blocks
            }
            return reading
        }
    }

    /// The page as a flat list of blocks (headings, paragraphs, list items, lines split at `<br>`), each with its
    /// links and its line in the page: what `IssuePageReader` reads a newsletter's issue from. Navigation, scripts
    /// and forms are left out; nothing else is judged here.
    public static func readBlocks(html: [UInt8], charset: String?) -> [PageBlock]? {
        withDocument(html: html, charset: charset) { root in
            var collector = BlockCollector()
            collector.collect(root)
            return collector.blocks
        }
    }

    /// Every element named in `names`, in document order, with its attributes (names lowercased), its text and its
    /// line: what the email checks read. Nil when the page cannot be parsed.
    public static func readElements(html: [UInt8], names wanted: Set<String>) -> [PageElement]? {
        withDocument(html: html, charset: "utf-8") { root in
            let names = Names()
            var found: [PageElement] = []
            var stack: [xmlNodePtr] = [root]
            while let node = stack.popLast() {
                guard node.pointee.type == XML_ELEMENT_NODE else { continue }
                let name = names.of(node)
                if wanted.contains(name) {
                    var attributes: [String: String] = [:]
                    var property = node.pointee.properties
                    while let current = property {
                        if let key = current.pointee.name {
                            let key = String(cString: key).lowercased()
                            attributes[key] = attribute(node, key) ?? ""
                        }
                        property = current.pointee.next
                    }
                    found.append(
                        PageElement(
                            name: name, attributes: attributes, text: name == "a" ? textContent(node) : "",
                            line: Int(xmlGetLineNo(node))))
                }
                var children: [xmlNodePtr] = []
                var child = node.pointee.children
                while let current = child {
                    children.append(current)
                    child = current.pointee.next
                }
                stack += children.reversed()
            }
            return found
        }
    }

    private static func withDocument<T>(html: [UInt8], charset: String?, _ body: (xmlNodePtr) -> T?) -> T? {
        precondition(initialized)
        guard !html.isEmpty, html.count < Int(Int32.max) else { return nil }
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue)
        // NOERROR does not cover libxml2's encoding-conversion errors ("encoding error : input conversion
        // failed"), which it prints to stderr: a hostile page would fill the daemon's log. The handler is per
        // thread, hence set before every parse.
        xmlSetStructuredErrorFunc(nil, { _, _ in })
        // Converted here when the encoding is known (PageEncoding says why); libxml2 must then not switch to
        // the encoding the page's own <meta> names (IGNORE_ENC).
        let converted = PageEncoding.utf8(html, declared: charset)
        let bytes = converted ?? html
        let encoding = converted == nil ? nil : "UTF-8"
        let parseOptions = converted == nil ? options : options | Int32(HTML_PARSE_IGNORE_ENC.rawValue)
        guard bytes.count < Int(Int32.max) else { return nil }
        let document: htmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                htmlReadMemory(pointer, Int32(buffer.count), nil, encoding, parseOptions)
            }
        }
        guard let document else { return nil }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { return nil }
        return body(root)
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
        /// Set by `readPage`: also gather every metadata source and the `<article>` with the most paragraph text.
        var readsMetadata = false
        var reading = PageReading()
        var largestArticle: xmlNodePtr?
        var largestArticleLength = 0

        mutating func survey(_ root: xmlNodePtr) {
            var stack: [xmlNodePtr] = [root]
            while let node = stack.popLast(), visited < ArticleExtractor.maxNodes {
                visited += 1
                guard node.pointee.type == XML_ELEMENT_NODE else { continue }
                let name = names.of(node)
                if readsMetadata { gatherMetadata(node, name: name) }
                switch name {
                case "article" where article == nil: article = node
                case "main" where main == nil: main = node
                case "title" where title == nil: title = ArticleExtractor.textContent(node).collapsingSpaces()
                case "meta": readMeta(node)
                case "time" where published == nil:
                    published = ArticleExtractor.attribute(node, "datetime").flatMap(ArticleExtractor.day)
                case "script":
                    if published == nil, ArticleExtractor.attribute(node, "type")?.lowercased() == "application/ld+json"
                    {
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

        /// Every metadata source `PageMetadata` chooses from, first occurrence of each kept.
        mutating func gatherMetadata(_ node: xmlNodePtr, name: String) {
            func keep(_ key: String, _ value: String?) {
                guard let value, !key.isEmpty, reading.meta[key] == nil, reading.meta.count < 500 else { return }
                reading.meta[key] = String(value.prefix(4096))
            }
            switch name {
            case "meta":
                let content = ArticleExtractor.attribute(node, "content")
                for attribute in ["property", "name", "itemprop"] {
                    if let key = ArticleExtractor.attribute(node, attribute)?.lowercased() { keep(key, content) }
                }
            case "link":
                let rel = ArticleExtractor.attribute(node, "rel")?.lowercased() ?? ""
                if rel.split(separator: " ").contains("canonical") {
                    keep("link:canonical", ArticleExtractor.attribute(node, "href"))
                }
                if ArticleExtractor.attribute(node, "itemprop")?.lowercased() == "name",
                    let parent = node.pointee.parent,
                    ArticleExtractor.attribute(parent, "itemprop")?.lowercased() == "author"
                {
                    keep("itemprop:author-name", ArticleExtractor.attribute(node, "content"))
                }
            case "script":
                if ArticleExtractor.attribute(node, "type")?.lowercased() == "application/ld+json",
                    reading.jsonLD.count < 20
                {
                    reading.jsonLD.append(String(ArticleExtractor.textContent(node).prefix(1_000_000)))
                }
            case "time":
                if reading.times.count < 20, let value = ArticleExtractor.attribute(node, "datetime") {
                    reading.times.append(value)
                }
            case "title":
                if reading.titleElement == nil {
                    reading.titleElement = ArticleExtractor.textContent(node).collapsingSpaces()
                }
            case "h1":
                if reading.h1 == nil { reading.h1 = ArticleExtractor.textContent(node).collapsingSpaces() }
            case "article":
                var length = 0
                var child = node.pointee.children
                while let current = child {
                    if current.pointee.type == XML_ELEMENT_NODE {
                        length += ArticleExtractor.paragraphLength(current, names)
                    }
                    child = current.pointee.next
                }
                if length > largestArticleLength {
                    largestArticleLength = length
                    largestArticle = node
                }
            default:
                break
            }
        }

        mutating func readMeta(_ node: xmlNodePtr) {
            guard published == nil else { return }
            let key = (ArticleExtractor.attribute(node, "property") ?? ArticleExtractor.attribute(node, "name") ?? "")
                .lowercased()
            guard
                ["article:published_time", "datepublished", "date", "pubdate", "publishdate", "dc.date"].contains(key),
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

    /// The text length of the `<p>` elements under `node` (any depth, bounded by the page's size).
    static func paragraphLength(_ node: xmlNodePtr, _ names: Names) -> Int {
        if names.of(node) == "p" { return textLength(node) }
        var total = 0
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { total += paragraphLength(current, names) }
            child = current.pointee.next
        }
        return total
    }

    /// Words in a `class` or `id` that mark a box around the article rather than the article: bylines, captions,
    /// related links, newsletter sign-ups, cookie banners, share buttons, advertisements.
    static let boilerplateWords: Set<String> = [
        "byline", "bylines", "author", "authors", "dateline", "timestamp", "caption", "credit", "credits", "newsletter",
        "signup", "subscribe", "subscription", "related", "recommended", "recommendations", "promo", "promotion", "ad",
        "ads", "advert", "advertisement", "sponsored", "cookie", "cookies", "consent", "gdpr", "share", "sharing",
        "social", "comments", "comment", "breadcrumb", "breadcrumbs", "tags", "toolbar", "readmore", "more", "popular",
        "trending", "outbrain", "taboola", "paywall", "meter", "banner", "modal", "popup", "disclaimer", "correction",
        // A summary set above the article (the Guardian's standfirst, a "dek"): the editor's, not the article's words.
        "standfirst", "dek", "strapline", "kicker", "subheadline", "subtitle",
    ]

    static func isBoilerplate(_ node: xmlNodePtr) -> Bool {
        let marks = [
            attribute(node, "class"), attribute(node, "id"), attribute(node, "data-component"),
            attribute(node, "data-gu-name"), attribute(node, "data-testid"),
        ]
        .compactMap { $0?.lowercased() }
        for mark in marks {
            for word in mark.split(whereSeparator: { !$0.isLetter }) where boilerplateWords.contains(String(word)) {
                return true
            }
        }
        if attribute(node, "aria-hidden") == "true" || attribute(node, "hidden") != nil { return true }
        let role = attribute(node, "role")?.lowercased()
        return role == "complementary" || role == "navigation" || role == "dialog" || role == "banner"
    }

    /// The article's `<p>` paragraphs (and its `<h2>`–`<h4>` subheadings, kept apart), in order, each as one line
    /// of text, leaving out what `skipped` and `isBoilerplate` name.
    struct ParagraphCollector {
        let names = Names()
        var paragraphs: [String] = []
        var headings: [String] = []
        var visited = 0

        mutating func collect(_ node: xmlNodePtr) {
            var stack: [xmlNodePtr] = [node]
            while let current = stack.popLast(), visited < ArticleExtractor.maxNodes, paragraphs.count < 10_000 {
                visited += 1
                guard current.pointee.type == XML_ELEMENT_NODE else { continue }
                let name = names.of(current)
                if ArticleExtractor.skipped.contains(name) || name == "figure" || name == "blockquote" { continue }
                if current != node, ArticleExtractor.isBoilerplate(current) { continue }
                if name == "p" || name == "h2" || name == "h3" || name == "h4" {
                    var text = TextCollector()
                    text.collect(current)
                    let line = text.paragraphs.joined(separator: " ")
                    if !line.isEmpty {
                        if name == "p" { paragraphs.append(line) } else { headings.append(line) }
                    }
                    continue
                }
                var children: [xmlNodePtr] = []
                var child = current.pointee.children
                while let each = child {
                    children.append(each)
                    child = each.pointee.next
                }
                stack.append(contentsOf: children.reversed())
            }
        }
    }

    /// Walks the page in document order, cutting blocks at block elements and `<br>`.
    struct BlockCollector {
        let names = Names()
        var blocks: [PageBlock] = []
        var text: [UInt8] = []
        var links: [(text: [UInt8], href: String, offset: Int)] = []
        var boldBytes = 0
        var level = 0
        var line = 0
        var visited = 0
        var depth = 0
        /// How many chrome elements (aside, footer, …) the walk is inside.
        var chrome = 0
        static let chromeElements: Set<String> = ["aside", "footer"]
        static let chromeRoles: Set<String> = ["complementary", "contentinfo"]
        static let skippedHere: Set<String> = [
            "script", "style", "nav", "form", "noscript", "button", "iframe", "svg", "select", "template", "head",
        ]
        static let headings: [String: Int] = ["h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6]

        mutating func collect(_ node: xmlNodePtr) {
            visit(node, bold: false, link: nil)
            flush()
        }

        mutating func visit(_ node: xmlNodePtr, bold: Bool, link: Int?) {
            visited += 1
            guard visited < ArticleExtractor.maxNodes, blocks.count < 100_000 else { return }
            switch node.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                guard let content = node.pointee.content else { return }
                let length = strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
                if text.isEmpty || text.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 }) {
                    line = Int(xmlGetLineNo(node))
                }
                let bytes = UnsafeBufferPointer(start: content, count: length)
                text.append(contentsOf: bytes)
                if bold { boldBytes += bytes.filter { !($0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D) }.count }
                // A block cut inside a link (`<a>…<br>…</a>`, `<a><p>…</p></a>`) took the link with it: the rest of
                // its text is plain text of the next block.
                if let link, link < links.count { links[link].text.append(contentsOf: bytes) }
            case XML_ELEMENT_NODE:
                let name = names.of(node)
                if BlockCollector.skippedHere.contains(name) { return }
                if name == "br" {
                    flush()
                    return
                }
                let heading = BlockCollector.headings[name]
                let block = heading != nil || ArticleExtractor.blocks.contains(name)
                if block { flush() }
                if let heading { level = heading }
                var currentLink = link
                if name == "a", link == nil, let href = ArticleExtractor.attribute(node, "href") {
                    links.append(
                        (
                            [], href,
                            ArticleExtractor.collapsingSpaces(text).count
                                + (text.last.map { $0 == 0x20 || $0 == 0x0A } == true && !text.isEmpty ? 1 : 0)
                        ))
                    currentLink = links.count - 1
                }
                let isBold = bold || name == "strong" || name == "b"
                let isChrome =
                    BlockCollector.chromeElements.contains(name)
                    || ArticleExtractor.attribute(node, "role").map {
                        BlockCollector.chromeRoles.contains($0.lowercased())
                    } == true
                if isChrome {
                    flush()
                    chrome += 1
                }
                defer {
                    if isChrome {
                        flush()
                        chrome -= 1
                    }
                }
                depth += 1
                defer { depth -= 1 }
                guard depth < 512 else { return }
                var child = node.pointee.children
                while let current = child {
                    visit(current, bold: isBold, link: currentLink)
                    child = current.pointee.next
                }
                if block { flush() }
            default:
                return
            }
        }

        mutating func flush() {
            let collapsed = ArticleExtractor.collapsingSpaces(text)
            if !collapsed.isEmpty {
                let letters = text.filter { !($0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D) }.count
                var found: [PageBlock.Link] = []
                for link in links {
                    let linkText = ArticleExtractor.collapsingSpaces(link.text)
                    guard !linkText.isEmpty else { continue }
                    // The offset is found again in the collapsed text: whitespace before the link may have shrunk.
                    let offset =
                        collapsed.range(of: linkText).map {
                            collapsed.distance(from: collapsed.startIndex, to: $0.lowerBound)
                        }
                        ?? min(link.offset, collapsed.count)
                    found.append(PageBlock.Link(text: linkText, href: link.href, offset: offset))
                }
                blocks.append(
                    PageBlock(
                        headingLevel: level, text: collapsed, links: found, isBold: letters > 0 && boldBytes >= letters,
                        line: line, outsideArticle: chrome > 0))
            }
            text.removeAll(keepingCapacity: true)
            links.removeAll()
            boldBytes = 0
            level = 0
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
        guard let open = rest.firstIndex(of: "\""), let close = rest[rest.index(after: open)...].firstIndex(of: "\"")
        else {
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
