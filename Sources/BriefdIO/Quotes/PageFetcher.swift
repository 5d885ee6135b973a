public import BriefdCore
import Foundation
import Synchronization

/// Fetches the page a quote comes from through the link checker's HTTP client (same politeness, same address
/// rule), follows redirects, reads its article with `ArticleExtractor`, and keeps it as a snapshot. A page
/// asked for by several drafts at once is fetched once.
public final class PageFetcher: Sendable {
    let client: CurlHTTPClient
    let settings: LinkSettings
    let store: PageStore
    /// Fetches under way, by URL; an entry leaves once its snapshot is kept.
    private let inFlight = Mutex<[String: Task<PageSnapshot?, Never>]>([:])

    public init(client: CurlHTTPClient, settings: LinkSettings, store: PageStore) {
        self.client = client
        self.settings = settings
        self.store = store
    }

    /// The snapshot of each of `urls`: the kept one unless `refresh`, else fetched now and kept. A URL is
    /// missing only when the client shut down before its page came.
    public func snapshots(of urls: [String], refresh: Bool) async throws -> [String: PageSnapshot] {
        var snapshots = refresh ? [:] : try await store.latest(urls)
        let tasks = Set(urls).filter { snapshots[$0] == nil }.map { url in
            inFlight.withLock { inFlight in
                if let running = inFlight[url] { return running }
                let task = Task { () -> PageSnapshot? in
                    defer { self.inFlight.withLock { $0[url] = nil } }
                    guard let snapshot = await self.fetch(url) else { return nil }
                    try? await self.store.record(snapshot)  // Unkept, it is only fetched again next time.
                    return snapshot
                }
                inFlight[url] = task
                return task
            }
        }
        for task in tasks {
            if let snapshot = await task.value { snapshots[snapshot.url] = snapshot }
        }
        return snapshots
    }

    /// The page now; nil when the client shut down first.
    public func fetch(_ url: String) async -> PageSnapshot? {
        let now = Date().timeIntervalSince1970
        switch await fetchAnswer(url) {
        case .shutDown:
            return nil
        case .unavailable(let problem, let status, _):
            return PageSnapshot(url: url, fetchedAt: now, status: status, text: nil, published: nil, problem: problem)
        case .answer(_, let response):
            return PageFetcher.snapshot(of: url, answer: response, at: now)
        }
    }

    /// The final answer for a page, redirects followed, one retry of a transient failure.
    public enum Answer: Sendable {
        /// `finalURL`: where the answer came from, after redirects (without fragment).
        case answer(finalURL: String, HTTPResponse)
        case unavailable(problem: String, status: Int?, failure: TransportFailure.Kind?)
        /// The client shut down first.
        case shutDown
    }

    public func fetchAnswer(_ url: String) async -> Answer {
        await fetchChain(url, maxBodyBytes: settings.maxPageBytes, keepingWire: false).answer
    }

    /// Every answer on the way to the page, redirects included, each as it went over the wire: what an archive
    /// keeps. The hops are in order; the last one is the final answer when there is one.
    public func capture(_ url: String, maxBodyBytes: Int) async -> (
        hops: [(url: String, response: HTTPResponse)], answer: Answer
    ) {
        await fetchChain(url, maxBodyBytes: maxBodyBytes, keepingWire: true)
    }

    private func fetchChain(_ url: String, maxBodyBytes: Int, keepingWire: Bool) async -> (
        hops: [(url: String, response: HTTPResponse)], answer: Answer
    ) {
        var hops: [(url: String, response: HTTPResponse)] = []
        var current = LinkProbe.withoutFragment(url)
        for _ in 0...settings.maxRedirects {
            guard let address = WebAddress(current), address.isHTTP else {
                return (hops, .unavailable(problem: "\(current) is not a web address", status: nil, failure: nil))
            }
            let request = HTTPRequest(
                url: current, method: .get, hostKey: address.hostKey, maxBodyBytes: maxBodyBytes,
                keepsWireExchange: keepingWire)
            var outcome = await client.send(request)
            if case .failure(let failure) = outcome, failure.isTransient {
                outcome = await client.send(request, delay: Double(settings.retryBaseMilliseconds) / 1000)
            }
            if case .failure(let failure) = outcome, failure.kind == .shuttingDown { return (hops, .shutDown) }
            switch outcome {
            case .failure(let failure):
                let problem = failure.kind == .timeout ? "the page did not answer in time" : failure.message
                return (hops, .unavailable(problem: problem, status: nil, failure: failure.kind))
            case .success(let response):
                hops.append((current, response))
                if LinkProbe.redirectStatuses.contains(response.status) {
                    guard let location = response.headers["location"],
                        let next = WebAddress.resolve(location, against: current)
                    else {
                        return (
                            hops,
                            .unavailable(
                                problem: "a \(response.status) redirect without a Location", status: response.status,
                                failure: nil)
                        )
                    }
                    current = LinkProbe.withoutFragment(next)
                    continue
                }
                return (hops, .answer(finalURL: current, response))
            }
        }
        return (hops, .unavailable(problem: "more than \(settings.maxRedirects) redirects", status: nil, failure: nil))
    }

    /// The snapshot a final answer gives: the article text of a 2xx HTML or plain-text page, else why not.
    static func snapshot(of url: String, answer response: HTTPResponse, at now: Double) -> PageSnapshot {
        func unavailable(_ problem: String) -> PageSnapshot {
            PageSnapshot(url: url, fetchedAt: now, status: response.status, text: nil, published: nil, problem: problem)
        }
        guard (200..<300).contains(response.status) else { return unavailable("the page answered \(response.status)") }
        let (mediaType, charset) = contentType(of: response)
        guard ["text/html", "application/xhtml+xml", "text/plain", ""].contains(mediaType) else {
            return unavailable("the page is \(mediaType), not HTML")
        }
        let article: ExtractedArticle?
        if mediaType == "text/plain" {
            article = ExtractedArticle(text: String(decoding: response.body, as: UTF8.self), title: nil, published: nil)
        } else {
            article = ArticleExtractor.extract(html: response.body, charset: charset)
        }
        guard let article, !article.text.isEmpty else { return unavailable("the page has no readable text") }
        return PageSnapshot(
            url: url, fetchedAt: now, status: response.status, text: article.text, published: article.published,
            problem: nil)
    }

    /// The media type ("text/html") and the charset, if named, of an answer's `Content-Type`.
    public static func contentType(of response: HTTPResponse) -> (mediaType: String, charset: String?) {
        let type = (response.headers["content-type"] ?? "text/html").lowercased()
        let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? type
        let charset = type.split(separator: ";").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("charset=") }
            .map { String($0.dropFirst("charset=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
        return (mediaType, charset)
    }

    /// Keeps a snapshot that a link check read (the link check of a quoted page reads the whole page, so that
    /// the page is requested once, not once for the link and again for the quote).
    func keep(_ snapshot: PageSnapshot) async {
        try? await store.record(snapshot)  // Unkept, the page is only fetched again when a quote needs it.
    }
}
