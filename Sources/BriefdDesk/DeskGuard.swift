import Foundation
import HTTPTypes
public import Hummingbird
import Metrics
public import NIOCore

/// The desk's request context: Hummingbird's, plus the client's address (failed logins are limited per address)
/// and the connection (a live stream ends when its client goes).
public struct DeskRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    /// The client's IP address as logged and limited ("unknown" when the transport gives none).
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The path's segments after the route's `**`, percent-decoded (one that does not decode is a NUL, which no
    /// draft's name has).
    var pathSegments: [String] {
        parameters.getCatchAll().map { String($0).removingPercentEncoding ?? "\u{0}" }
    }

    /// The session the request's cookie names, when it is a live one.
    func session(_ request: Request) -> String? {
        request.cookies[DeskSecurity.cookieName]?.value
    }
}

/// Around every route: the security headers; the login (unless on loopback without a token); for a POST the CSRF
/// token and the origin; the timing and count of requests.
struct DeskGuard: RouterMiddleware {
    typealias Context = DeskRequestContext
    let app: DeskApp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = DispatchTime.now()
        var response: Response
        do {
            response = try await guarded(request, context: context, next: next)
        } catch let error as HTTPError where error.status == .notFound {
            response = app.notFound(context.session(request))
        } catch let error as HTTPError {
            response = Response(
                status: error.status, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: error.status == .contentTooLarge
                            ? "The request is too large.\n" : "\(error.status.reasonPhrase)\n")))
        } catch let error as any HTTPResponseError {
            response = Response(status: error.status)
        }
        let page = DeskGuard.pageName(request.uri.path)
        Counter(
            label: "briefd_desk_requests_total", dimensions: [("page", page), ("status", "\(response.status.code)")]
        ).increment()
        Timer(label: "briefd_desk_request_seconds", dimensions: [("page", page)]).recordInterval(since: started)
        DeskGuard.secure(&response)
        return response
    }

    private func guarded(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let security = app.security
        let path = request.uri.path
        // Before any route: a page that rebinds its own name to this address (DNS rebinding) sends its own Host.
        // The port the connection came in on (the tests' servers too), else the one the desk said it listens on.
        let port = context.channel?.localAddress?.port ?? app.listeningPort.withLock { $0 }
        guard security.hostAllowed(request.head.authority, port: port) else {
            app.logger.warning(
                "a request for another host was refused",
                metadata: [
                    "host": "\(request.head.authority ?? "none")", "client": "\(context.clientAddress)",
                ])
            return Response(
                status: .misdirectedRequest, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "This desk answers only at its own address.\n")))
        }
        let session = context.session(request)
        let open = path == "/login" || path == "/healthz" || path.hasPrefix("/static/")
        if security.requiresLogin, !open, !security.isValidSession(session) {
            if path == "/metrics", let bearer = request.headers[.authorization], bearer.hasPrefix("Bearer ") {
                let client = app.client(request, context)
                let count: Int
                switch security.failures.admit(client) {
                case .wait(let seconds):
                    app.logRefusedLogin(client)
                    return DeskGuard.tooManyTries(seconds)
                case .check(let failures): count = failures
                }
                if security.tokenMatches(String(bearer.dropFirst(7))) {
                    security.failures.recordSuccess(client)
                    return try await next(request, context)
                }
                app.logger.warning(
                    "a wrong bearer token for /metrics", metadata: ["client": "\(client)", "failures": "\(count)"])
            }
            if request.method == .get && path != "/events" && path != "/metrics" && !path.hasPrefix("/api/") {
                return Response(status: .seeOther, headers: [.location: "/login"])
            }
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        }
        if request.method == .post {
            guard
                security.originAllowed(
                    origin: request.headers[.origin], referer: request.headers[.referer], host: request.head.authority,
                    fetchSite: request.headers[HTTPField.Name("Sec-Fetch-Site")!])
            else {
                return app.message(
                    "Refused", "This form was not sent from the desk's own page.", session: session, status: .forbidden)
            }
            // The CSRF token travels in the form body; it is read here and the body handed on as it was.
            var request = request
            let limit = path == "/login" ? 4096 : app.config.web.maxBodyBytes
            let buffer = try await request.collectBody(upTo: limit)
            let presented = try DeskForms.decode(CSRFField.self, String(buffer: buffer)).csrf
            let expected = path == "/login" ? nil : (security.requiresLogin ? session : nil)
            guard security.csrfMatches(presented, session: expected) else {
                return app.message(
                    "Refused", "This form has expired or was not made by the desk; reload the page and try again.",
                    session: session, status: .forbidden)
            }
            return try await next(request, context)
        }
        return try await next(request, context)
    }

    /// Every response: no framing, no sniffing, no referrer, scripts and styles from the desk only.
    static func secure(_ response: inout Response) {
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] =
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
                + "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }

    /// 429 with the wait, for a client whose recent logins or bearer tokens failed.
    static func tooManyTries(_ seconds: Int) -> Response {
        var response = DeskApp.text(
            "Too many failed attempts from this address; try again in \(seconds) s.\n", status: .tooManyRequests)
        response.headers[.retryAfter] = "\(seconds)"
        return response
    }

    static func pageName(_ path: String) -> String {
        let first = path.split(separator: "/").first.map(String.init) ?? ""
        return [
            "drafts", "issues", "links", "clip", "events", "healthz", "metrics", "login", "logout", "static", "api",
        ].contains(first) ? first : (first.isEmpty ? "desk" : "other")
    }
}
