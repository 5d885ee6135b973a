import Glibc

/// What a captured page is worth: whether it is a good copy of the article, and whether the brief's excerpt is in
/// it. `excerptFound` is nil when the page could not say (a paywall, not HTML, a bot wall, no answer), with the
/// reason; a soft 404 or a challenge page is never a good capture.
public struct CaptureVerdict: Sendable, Equatable, Codable {
    public var good: Bool
    public var excerptFound: Bool?
    public var reason: String?

    public init(good: Bool, excerptFound: Bool?, reason: String?) {
        self.good = good
        self.excerptFound = excerptFound
        self.reason = reason
    }

    /// Judges a captured answer. `body` is the page decoded (no chunking, no compression); `charset` from its
    /// `Content-Type`; `excerpt` the brief's excerpt as plain text, paragraphs separated by blank lines.
    /// `challenged`: the answer carried a challenge header (`cf-mitigated`).
    public static func judge(
        status: Int, mediaType: String, charset: String?, body: [UInt8], truncated: Bool, excerpt: String,
        challenged: Bool = false
    ) -> CaptureVerdict {
        // The signs are looked for in the page's first 512 KiB, lowercased once: a challenge, a not-found title
        // and a paywall's marks are at the top, and a multi-megabyte page is not scanned a dozen times.
        let head = LoweredHead(body)
        guard (200..<300).contains(status) else {
            if challenged || head.containsAny(BotWall.markers) {
                return CaptureVerdict(
                    good: false, excerptFound: nil, reason: "a bot wall or challenge page (\(status))")
            }
            return CaptureVerdict(good: false, excerptFound: nil, reason: "the page answered \(status)")
        }
        guard ["text/html", "application/xhtml+xml", "text/plain", ""].contains(mediaType) else {
            return CaptureVerdict(good: true, excerptFound: nil, reason: "not HTML (\(mediaType))")
        }
        if challenged || head.containsAny(BotWall.markers) {
            return CaptureVerdict(good: false, excerptFound: nil, reason: "a bot wall or challenge page")
        }
        if let title = head.title(), SoftNotFound.saysNotFound(title) {
            return CaptureVerdict(
                good: false, excerptFound: nil, reason: "a soft 404: the page's title says '\(title)'")
        }
        let text: String
        if mediaType == "text/plain" {
            text = String(decoding: body, as: UTF8.self)
        } else {
            text = ArticleExtractor.extract(html: body, charset: charset)?.text ?? ""
        }
        let cut = truncated ? " (the page was cut at the archive's size bound)" : ""
        guard !text.isEmpty else {
            return CaptureVerdict(good: false, excerptFound: nil, reason: "the page has no readable text\(cut)")
        }
        if contains(excerpt: excerpt, in: text) { return CaptureVerdict(good: true, excerptFound: true, reason: nil) }
        if head.containsAny(Paywall.markers) {
            return CaptureVerdict(
                good: true, excerptFound: nil, reason: "a paywall: the captured page shows only part of the article")
        }
        return CaptureVerdict(good: true, excerptFound: false, reason: "the excerpt is not in the captured page\(cut)")
    }

    /// Every paragraph of the excerpt is in the text: word for word, or close enough that the quote check would
    /// call it altered rather than absent.
    public static func contains(excerpt: String, in text: String) -> Bool {
        let paragraphs = excerpt.split(separator: "\n\n").map(String.init).filter {
            !$0.allSatisfy(\.isWhitespace)
        }
        guard !paragraphs.isEmpty else { return false }
        let source = QuoteSource(text: text)
        var cursor = 0
        for paragraph in paragraphs {
            let results = QuoteMatcher.match(
                QuoteFragments(paragraph), quoteText: paragraph, in: source, cursor: &cursor)
            for result in results {
                switch result.outcome {
                case .exact, .outOfOrder: continue
                case .altered(_, let similarity, _) where similarity >= 0.85: continue
                default: return false
                }
            }
        }
        return true
    }
}

/// Signs that a page shows subscribers the article and everyone else a teaser.
enum Paywall {
    static let markers = [
        "\"isaccessibleforfree\":false", "\"isaccessibleforfree\": false", "\"isaccessibleforfree\":\"false\"",
        "\"isaccessibleforfree\": \"false\"", "subscribe to continue reading", "subscribe to read",
        "this article is for subscribers", "subscriber-only", "to continue reading, subscribe", "paywall",
    ]
}

/// The first 512 KiB of a page with ASCII letters lowercased, searched as bytes (Foundation's string search
/// was most of a capture's time): how the link checker and the capture judge both look for a challenge page's marks
/// and a not-found title.
struct LoweredHead {
    static let limit = 512 * 1024
    let bytes: [UInt8]
    let original: ArraySlice<UInt8>

    init(_ body: [UInt8]) {
        original = body.prefix(LoweredHead.limit)
        bytes = original.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    func containsAny(_ markers: [String]) -> Bool {
        markers.contains { firstIndex(of: Array($0.utf8), from: 0) != nil }
    }

    func firstIndex(of needle: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, start + needle.count <= bytes.count else { return nil }
        return bytes.withUnsafeBufferPointer { haystack in
            guard let base = haystack.baseAddress else { return nil }
            var index = start
            let last = haystack.count - needle.count
            while index <= last {
                // memchr finds each candidate's first byte: the vectorised scan a page's megabytes need.
                guard let hit = memchr(base + index, Int32(first), last - index + 1) else { return nil }
                let found = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + found, needle, needle.count) == 0 { return found }
                index = found + 1
            }
            return nil
        }
    }

    /// The first `<title>`'s text, entities decoded, whitespace collapsed.
    func title() -> String? {
        guard let open = firstIndex(of: Array("<title".utf8), from: 0),
            let openEnd = bytes[open...].firstIndex(of: UInt8(ascii: ">")),
            let close = firstIndex(of: Array("</title".utf8), from: openEnd)
        else { return nil }
        let start = original.startIndex + openEnd + 1
        let raw = String(decoding: original[start..<(original.startIndex + close)], as: UTF8.self)
        let words = HTMLAttributes.decodeEntities(raw).split(whereSeparator: \.isWhitespace)
        return words.isEmpty ? nil : words.joined(separator: " ")
    }
}
