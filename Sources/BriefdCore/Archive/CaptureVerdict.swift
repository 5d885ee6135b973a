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
    public static func judge(
        status: Int, mediaType: String, charset: String?, body: [UInt8], truncated: Bool, excerpt: String
    ) -> CaptureVerdict {
        let response = HTTPResponse(status: status, body: body)
        guard (200..<300).contains(status) else {
            if BotWall.detect(response) {
                return CaptureVerdict(
                    good: false, excerptFound: nil, reason: "a bot wall or challenge page (\(status))")
            }
            return CaptureVerdict(good: false, excerptFound: nil, reason: "the page answered \(status)")
        }
        guard ["text/html", "application/xhtml+xml", "text/plain", ""].contains(mediaType) else {
            return CaptureVerdict(good: true, excerptFound: nil, reason: "not HTML (\(mediaType))")
        }
        if BotWall.detect(response) {
            return CaptureVerdict(good: false, excerptFound: nil, reason: "a bot wall or challenge page")
        }
        if let title = SoftNotFound.title(in: body), SoftNotFound.saysNotFound(title) {
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
        if Paywall.detect(body) {
            return CaptureVerdict(
                good: true, excerptFound: nil, reason: "a paywall: the captured page shows only part of the article")
        }
        return CaptureVerdict(good: true, excerptFound: false, reason: "the excerpt is not in the captured page\(cut)")
    }

    /// Every paragraph of the excerpt is in the text: word for word, or close enough that the quote check would
    /// call it altered rather than absent.
    public static func contains(excerpt: String, in text: String) -> Bool {
        let source = QuoteSource(text: text)
        let paragraphs = excerpt.split(separator: "\n\n").map(String.init).filter {
            !$0.allSatisfy(\.isWhitespace)
        }
        guard !paragraphs.isEmpty else { return false }
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

    static func detect(_ body: [UInt8]) -> Bool {
        let lowered = String(decoding: body, as: UTF8.self).lowercased()
        return markers.contains { lowered.contains($0) }
    }
}
