import Foundation

/// The facts a page states about itself, each chosen from the sources news sites really use, in order of trust:
/// Open Graph, Twitter cards, JSON-LD (`NewsArticle` and its kin), then the page's own elements.
public struct PageMetadata: Sendable, Equatable {
    /// Without the site-name suffix (" - BBC News"), entities decoded, whitespace collapsed.
    public var title: String?
    /// `<link rel="canonical">` or `og:url`, absolute; nil when neither is on the page's own site.
    public var canonicalURL: String?
    public var siteName: String?
    /// `article:published_time`, JSON-LD `datePublished`, then `<time datetime>`: the date as the page writes it.
    public var published: Day?
    /// `og:type` ("article", "video.other", …), lowercased.
    public var type: String?
    /// JSON-LD `@type` of the article object, when there is one ("NewsArticle", "VideoObject", …).
    public var schemaType: String?
    /// The video channel or the article's named author organisation (YouTube's `itemprop="author"`).
    public var channel: String?
    /// JSON-LD `isAccessibleForFree: false`.
    public var isPaywalled: Bool = false

    public init() {}

    /// JSON-LD `@type`s that describe the page's main content.
    static let contentTypes: [String] = [
        "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle", "BackgroundNewsArticle",
        "Article", "BlogPosting", "LiveBlogPosting", "ScholarlyArticle", "Report", "VideoObject", "PodcastEpisode",
        "AudioObject", "WebPage",
    ]

    public static func choose(from page: PageReading, pageURL: String) -> PageMetadata {
        var metadata = PageMetadata()
        let ld = JSONLDContent.main(in: page.jsonLD)
        let meta = page.meta
        metadata.siteName = clean(meta["og:site_name"]) ?? ld?.publisher
        let rawTitle = [meta["og:title"], meta["twitter:title"], ld?.headline, page.h1, page.titleElement]
            .lazy.compactMap { clean($0) }.first
        metadata.title = rawTitle.map { withoutSiteSuffix($0, site: metadata.siteName, pageURL: pageURL) }
        metadata.published =
            [
                meta["article:published_time"], ld?.datePublished, meta["datepublished"],
                meta["date"], meta["pubdate"], meta["publishdate"], meta["dc.date"], meta["dc.date.issued"],
                meta["dcterms.date"], meta["dcterms.created"], meta["uploaddate"], meta["sailthru.date"],
                meta["parsely-pub-date"],
            ]
            .lazy.compactMap { $0.flatMap(ArticleExtractor.day) }.first
            ?? page.times.lazy.compactMap(ArticleExtractor.day).first
        metadata.type = clean(meta["og:type"])?.lowercased()
        metadata.schemaType = ld?.type
        metadata.channel = clean(meta["itemprop:author-name"]) ?? ld?.author
        metadata.isPaywalled = ld?.isAccessibleForFree == false
        for candidate in [meta["link:canonical"], meta["og:url"]] {
            guard let candidate = clean(candidate), let absolute = WebAddress.resolve(candidate, against: pageURL),
                let address = WebAddress(absolute), address.isHTTP, let page = WebAddress(pageURL),
                sameSite(address.host, page.host)
            else { continue }
            metadata.canonicalURL = absolute
            break
        }
        return metadata
    }

    /// Two hosts of one site: equal, or one a subdomain of the other, `www.` aside ("m.bbc.co.uk", "www.bbc.co.uk").
    static func sameSite(_ a: String, _ b: String) -> Bool {
        func bare(_ host: String) -> String { host.hasPrefix("www.") ? String(host.dropFirst(4)) : host }
        let (x, y) = (bare(a.lowercased()), bare(b.lowercased()))
        return x == y || x.hasSuffix("." + y) || y.hasSuffix("." + x)
    }

    /// Entities decoded (some sites encode twice), whitespace collapsed; nil when nothing is left, or when the
    /// value is too long to be a title, a name or a date (a page can put megabytes in an attribute: the next
    /// candidate is taken instead of copying them into a draft).
    static func clean(_ text: String?) -> String? {
        guard let text, text.utf8.count <= maxValueBytes else { return nil }
        let cleaned = HTMLEntities.decode(text).collapsingSpaces()
        return cleaned.isEmpty ? nil : cleaned
    }

    static let maxValueBytes = 2_000

    static let separators = [" | ", " - ", " – ", " — ", " :: ", " · ", " // ", " » "]

    /// "Title - BBC News" → "Title": the last part after a separator goes when it names the site (its `og:site_name`,
    /// or its host's name: "The Guardian" on theguardian.com, "South China Morning Post" on scmp.com by initials).
    static func withoutSiteSuffix(_ title: String, site: String?, pageURL: String) -> String {
        var result = title
        for _ in 0..<2 {
            guard
                let cut = separators.compactMap({ result.range(of: $0, options: .backwards) }).max(by: {
                    $0.lowerBound < $1.lowerBound
                })
            else { break }
            let head = String(result[..<cut.lowerBound]).trimmingCharacters(in: .whitespaces)
            let tail = String(result[cut.upperBound...]).trimmingCharacters(in: .whitespaces)
            guard !head.isEmpty, namesSite(tail, site: site, pageURL: pageURL) else { break }
            result = head
        }
        return result
    }

    static func namesSite(_ text: String, site: String?, pageURL: String) -> Bool {
        let folded = squeezed(text)
        guard !folded.isEmpty else { return false }
        if let site, squeezed(site) == folded || squeezed(site).hasPrefix(folded) || folded.hasPrefix(squeezed(site)) {
            return true
        }
        guard let host = WebAddress(pageURL)?.host.lowercased() else { return false }
        let labels = host.split(separator: ".").map(String.init).filter {
            !["www", "m", "com", "org", "net", "co", "uk", "cn", "hk", "edu", "gov", "amp"].contains($0)
        }
        let initials = String(text.split(separator: " ").filter { $0.first?.isUppercase == true }.compactMap(\.first))
            .lowercased()
        return labels.contains { label in
            label == folded || folded.hasPrefix(label) || label.hasPrefix(folded) || label == "the" + folded
                || (initials.count >= 3 && label == initials)
        }
    }

    /// Lowercased letters and digits only, a leading "the" dropped: "The Guardian" → "guardian".
    static func squeezed(_ text: String) -> String {
        var folded = NameFolding.fold(text).filter { $0.isLetter || $0.isNumber }
        if folded.hasPrefix("the"), folded.count > 5 { folded.removeFirst(3) }
        return folded
    }
}

/// The main content object of a page's JSON-LD, read leniently: arrays, `@graph`, `@type` as a string or a list.
struct JSONLDContent {
    var type: String?
    var headline: String?
    var datePublished: String?
    var author: String?
    var publisher: String?
    var isAccessibleForFree: Bool?

    /// Deeper than this, a block is not parsed (a hostile page could nest it to exhaust the stack).
    static let maxDepth = 64

    static func main(in blocks: [String]) -> JSONLDContent? {
        var objects: [[String: Any]] = []
        for block in blocks where nestingDepth(block) <= maxDepth {
            // A block that is not JSON (pages get it wrong) gives nothing; the page's other metadata still does.
            guard let json = try? JSONSerialization.jsonObject(with: Data(block.utf8), options: [.fragmentsAllowed])
            else { continue }
            collect(json, into: &objects)
        }
        for wanted in PageMetadata.contentTypes {
            if let object = objects.first(where: { types(of: $0).contains(wanted) }) {
                return read(object, type: wanted)
            }
        }
        return nil
    }

    static func collect(_ value: Any, into objects: inout [[String: Any]], depth: Int = 0) {
        guard depth < maxDepth, objects.count < 1_000 else { return }
        if let object = value as? [String: Any] {
            objects.append(object)
            if let graph = object["@graph"] { collect(graph, into: &objects, depth: depth + 1) }
            if let main = object["mainEntity"] { collect(main, into: &objects, depth: depth + 1) }
        } else if let array = value as? [Any] {
            for element in array { collect(element, into: &objects, depth: depth + 1) }
        }
    }

    static func types(of object: [String: Any]) -> [String] {
        if let type = object["@type"] as? String { return [type] }
        return (object["@type"] as? [Any])?.compactMap { $0 as? String } ?? []
    }

    static func read(_ object: [String: Any], type: String) -> JSONLDContent {
        func name(_ value: Any?) -> String? {
            if let text = value as? String { return text }
            if let object = value as? [String: Any] { return object["name"] as? String }
            if let array = value as? [Any] { return array.lazy.compactMap { name($0) }.first }
            return nil
        }
        var content = JSONLDContent(type: type)
        content.headline = (object["headline"] as? String) ?? (object["name"] as? String)
        content.datePublished = (object["datePublished"] as? String) ?? (object["uploadDate"] as? String)
        content.author = name(object["author"])
        content.publisher = name(object["publisher"])
        if let free = object["isAccessibleForFree"] {
            content.isAccessibleForFree = (free as? Bool) ?? ((free as? String).map { $0.lowercased() == "true" })
        }
        return content
    }

    /// The deepest nesting of `[` and `{` outside strings.
    static func nestingDepth(_ text: String) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in text.utf8 {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > maxDepth { return deepest }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}

/// HTML character references left in text that was already decoded once (`&amp;#39;` in an `og:title`).
enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "mdash": "—", "ndash": "–",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "hellip": "…", "middot": "·", "laquo": "«",
        "raquo": "»",
    ]

    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = text
        for _ in 0..<2 {  // "&amp;#39;" takes two rounds
            guard result.contains("&") else { break }
            result = decodeOnce(result)
        }
        return result
    }

    private static func decodeOnce(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semicolon = after.prefix(10).firstIndex(of: ";") {
                let entity = String(after[..<semicolon])
                if let value = value(of: entity) {
                    output += value
                    rest = after[after.index(after: semicolon)...]
                    continue
                }
            }
            output += "&"
            rest = after
        }
        return output + rest
    }

    private static func value(of entity: String) -> String? {
        if let known = named[entity.lowercased()] { return known }
        guard entity.hasPrefix("#") else { return nil }
        let digits = entity.dropFirst()
        let code =
            digits.lowercased().hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
        return code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }
}
