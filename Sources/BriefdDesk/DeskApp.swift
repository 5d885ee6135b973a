import BriefdCore
public import BriefdApp
import Foundation
import Hummingbird
public import Logging
public import Prometheus
import Synchronization

/// The editors' desk: what the daemon knows, as web pages (`templates/desk/`) and a JSON API. A client of the
/// application (`Newsroom`) and of nothing below it; each area's routes are a controller (`*Controller.swift`), and
/// this type holds what they share: the layout, the templates, the page helpers. Every page is complete without
/// JavaScript; `desk.js` only refreshes the list when a report changes (Server-Sent Events).
public final class DeskApp: Sendable {
    let newsroom: Newsroom
    public let security: DeskSecurity
    let metrics: PrometheusCollectorRegistry
    let logger: Logger
    let templates: DeskTemplates
    /// The port the desk listens on, once it does (the tests ask for port 0); the Host rule compares with it.
    let listeningPort = Mutex<Int?>(nil)

    public init(newsroom: Newsroom, security: DeskSecurity, metrics: PrometheusCollectorRegistry, logger: Logger) {
        self.newsroom = newsroom
        self.security = security
        self.metrics = metrics
        self.logger = logger
        self.templates = DeskTemplates(folder: newsroom.config.paths.templates, logger: logger)
    }

    var config: Config { newsroom.config }

    /// "template: name" for each value a desk template named that its page did not give (logged once each).
    public var templateNamesNotGiven: Set<String> { templates.unknownNames }

    /// What every page's layout shows: the session's CSRF token for its forms, the login, the newsletter.
    func layout(session: String?) -> DeskLayout {
        DeskLayout(
            csrf: security.csrfToken(session: security.requiresLogin ? session : nil),
            loginRequired: security.requiresLogin, newsletter: config.newsletter.name)
    }

    /// A page: the template of `name` with its values (one of the types in DeskPages.swift), inside the layout.
    func page(_ name: String, _ values: Any, session: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        switch templates.render(name, values, layout: layout(session: session)) {
        case .success(let html):
            return DeskApp.html(html, status: status)
        case .failure(let problem):
            logger.error("a desk template cannot be used", metadata: ["error": "\(problem)"])
            return DeskApp.text("The desk's templates cannot be used: \(problem)\n", status: .internalServerError)
        }
    }

    func message(_ title: String, _ text: String, session: String?, status: HTTPResponse.Status = .ok) -> Response {
        page("message", MessagePage(title: title, text: text), session: session, status: status)
    }

    func notFound(_ session: String?) -> Response {
        message("Not found", "There is no such page on the desk.", session: session, status: .notFound)
    }

    /// A page shows what it can when a store cannot be read; the reason goes to the log, not to the reader.
    func readOrLogged<T>(_ what: String, _ fallback: T, _ body: () async throws -> T) async -> T {
        do {
            return try await body()
        } catch {
            logger.error("the desk cannot read \(what)", metadata: ["error": "\(error)"])
            return fallback
        }
    }

    /// "2026-11-28 11:08 +08:00", in the newsletter's time zone (`schedule.timezone`) with its offset: an editor
    /// in another time zone must not read the server's hour as her own.
    func time(_ seconds: Double) -> String { ZonedTime.text(seconds, in: config.daemon.build.timeZone) }

    // MARK: - Responses

    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: JSONText.pretty(value))))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    // MARK: - Addresses and text

    /// A relative path as a URL path: each segment percent-encoded.
    static func pathForURL(_ path: String) -> String {
        path.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? "" }
            .joined(separator: "/")
    }

    private static let segmentCharacters = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#;"))

    /// A draft's page.
    static func draftHref(_ path: String) -> String { "/drafts/" + pathForURL(path) }

    static func query(_ values: [String: String?]) -> String {
        values.compactMap { key, value in
            value.map { "\(key)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        }.sorted().joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func iso(_ seconds: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }

    /// The date a route names, only as the canonical `YYYY-MM-DD`.
    static func day(_ which: String?) -> Day? {
        guard let which, let date = Day(iso: which), date.description == which else { return nil }
        return date
    }
}

extension DraftStatus {
    /// Needs work first: the list is a to-do list.
    var order: Int {
        switch self {
        case .needsWork: 0
        case .unreadable: 1
        case .checking: 2
        case .ready: 3
        case .held: 4
        case .published: 5
        }
    }

    var cssClass: String { rawValue }
}
