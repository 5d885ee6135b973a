public import BriefdCore
import Foundation

/// Fetches the page a quote comes from through the link checker's HTTP client (same politeness, same address
/// rule), follows redirects, and reads its article with `ArticleExtractor`.
public struct PageFetcher: Sendable {
    let client: CurlHTTPClient
    let settings: LinkSettings

    public init(client: CurlHTTPClient, settings: LinkSettings) {
        self.client = client
        self.settings = settings
    }

    public func fetch(_ url: String) async -> PageSnapshot {
        let now = Date().timeIntervalSince1970
        func unavailable(_ problem: String, status: Int? = nil) -> PageSnapshot {
            PageSnapshot(url: url, fetchedAt: now, status: status, text: nil, published: nil, problem: problem)
        }
        var current = LinkProbe.withoutFragment(url)
        for _ in 0...settings.maxRedirects {
            guard let address = WebAddress(current), address.isHTTP else { return unavailable("\(current) is not a web address") }
            let request = HTTPRequest(url: current, method: .get, hostKey: address.hostKey, maxBodyBytes: settings.maxPageBytes)
            var outcome = await client.send(request)
            if case .failure(let failure) = outcome, failure.isTransient {
                outcome = await client.send(request, delay: Double(settings.retryBaseMilliseconds) / 1000)
            }
            switch outcome {
            case .failure(let failure):
                return unavailable(failure.kind == .timeout ? "the page did not answer in time" : failure.message)
            case .success(let response):
                if LinkProbe.redirectStatuses.contains(response.status) {
                    guard let location = response.headers["location"], let next = WebAddress.resolve(location, against: current) else {
                        return unavailable("a \(response.status) redirect without a Location", status: response.status)
                    }
                    current = LinkProbe.withoutFragment(next)
                    continue
                }
                guard (200..<300).contains(response.status) else {
                    return unavailable("the page answered \(response.status)", status: response.status)
                }
                let type = (response.headers["content-type"] ?? "text/html").lowercased()
                let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? type
                guard ["text/html", "application/xhtml+xml", "text/plain", ""].contains(mediaType) else {
                    return unavailable("the page is \(mediaType), not HTML", status: response.status)
                }
                let charset = type.split(separator: ";").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
                    .first { $0.hasPrefix("charset=") }.map { String($0.dropFirst("charset=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
                let article: ExtractedArticle?
                if mediaType == "text/plain" {
                    article = ExtractedArticle(text: String(decoding: response.body, as: UTF8.self), title: nil, published: nil)
                } else {
                    article = ArticleExtractor.extract(html: response.body, charset: charset)
                }
                guard let article, !article.text.isEmpty else {
                    return unavailable("the page has no readable text", status: response.status)
                }
                return PageSnapshot(
                    url: url, fetchedAt: now, status: response.status, text: article.text, published: article.published,
                    problem: nil)
            }
        }
        return unavailable("more than \(settings.maxRedirects) redirects")
    }
}
