import BriefdCore
import BriefdIO
import BriefdApp
import Foundation
@preconcurrency import Glibc
import HTTPTypes
public import Hummingbird
import Logging
import Metrics
public import NIOCore
public import ServiceLifecycle

/// Serves the desk (`web.listen`) as one of the daemon's services: the routes, and around every one of them the
/// security rules: headers, login, CSRF and origin for every POST, a body size limit.
public struct DeskService: Service {
    let app: DeskApp
    let host: String
    let port: Int
    /// Called with the port the server listens on (the tests ask for port 0).
    let onListening: @Sendable (Int) async -> Void

    public init(app: DeskApp, host: String, port: Int, onListening: @escaping @Sendable (Int) async -> Void = { _ in })
    {
        self.app = app
        self.host = host
        self.port = port
        self.onListening = onListening
    }

    /// The desk's routes behind its guard: what `run()` serves, and what the in-process tests call.
    public static func router(_ app: DeskApp) -> Router<DeskRequestContext> {
        let router = Router(context: DeskRequestContext.self)
        router.add(middleware: DeskGuard(app: app))
        addRoutes(router, app)
        return router
    }

    public func run() async throws {
        let router = DeskService.router(app)
        let onListening = self.onListening
        let logger = app.logger
        let app = self.app
        // A cap on open connections below the process's file limit: a client that opens hundreds and leaves them
        // would otherwise take the descriptors the daemon needs for drafts, reports and the database (and `/healthz`
        // stopped answering at 256 files). Above the cap, connections wait in the listen queue.
        var files = rlimit()
        let fileLimit = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files) == 0 ? Int(clamping: files.rlim_cur) : 1024
        let maxConnections = app.config.web.connectionLimit(fileLimit: fileLimit)
        let application = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(app.config.web.idleTimeoutSeconds)))),
            configuration: .init(
                address: .hostname(host, port: port), serverName: nil,
                availableConnectionsDelegate: .maximum(maxConnections, logger: logger)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                app.listeningPort.withLock { $0 = port }
                logger.notice(
                    "the desk is listening",
                    metadata: [
                        "address": "\(channel.localAddress?.description ?? "?")",
                        "max_connections": "\(maxConnections)",
                    ])
                await onListening(port)
            },
            logger: logger)
        let feed = app.feed
        // Live pages hold their streams open; they end when the daemon stops (each finds its closed tab itself).
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    do {
                        // `run()`, not `runService()`: that one makes a service group of its own which traps
                        // SIGTERM too, so the server stopped on its own before the daemon's group asked it to, and
                        // the group took that for a failure (exit 1 now and then). The daemon alone takes signals.
                        try await application.run()
                    } catch {
                        // A desk that cannot listen (the port is taken) must not stop the daemon: drafts are still
                        // checked and issues built. Said loudly, then the desk waits for the stop like the rest.
                        logger.critical(
                            "the desk cannot listen; the daemon runs on without it",
                            metadata: [
                                "listen": "\(host):\(port)", "error": "\(error)",
                            ])
                        try? await gracefulShutdown()
                    }
                }
            }
        } onGracefulShutdown: {
            feed.finish()
        }
    }

    private static func addRoutes(_ router: Router<DeskRequestContext>, _ app: DeskApp) {
        router.get("/") { request, context in
            let query = try DeskService.decodeQuery(ListQuery.self, request)
            return await app.deskPage(query, session: context.session(request))
        }
        router.get("/drafts/**") { request, context in
            let segments = context.parameters.getCatchAll().map { String($0).removingPercentEncoding ?? "\u{0}" }
            return await app.draftPage(segments, session: context.session(request))
        }
        router.post("/drafts/**") { request, context in
            let segments = context.parameters.getCatchAll().map { String($0).removingPercentEncoding ?? "\u{0}" }
            return await app.applyFix(
                segments, try await DeskService.form(ApplyFixForm.self, request, limit: app.config.web.maxBodyBytes),
                session: context.session(request))
        }
        router.get("/issues/next/build") { request, context in
            let next = await app.drafts.account.nextIssue
            let values = MessagePage(
                title: "Build the next issue",
                text: "Build the issue of \(next) now, as the schedule would? It is published at once.",
                confirmBuild: true, buildAction: "/issues/next/build", buildLabel: "Build and publish")
            return app.page("message", values, session: context.session(request))
        }
        router.post("/issues/next/build") { request, context in await app.build(session: context.session(request)) }
        router.get("/issues") { request, context in await app.archivePage(session: context.session(request)) }
        router.get("/issues/:which/rebuild") { request, context in
            let which = context.parameters.get("which") ?? ""
            guard let date = Day(iso: which), date.description == which else {
                return app.notFound(context.session(request))
            }
            let values = MessagePage(
                title: "Replace the published issue",
                text:
                    "Replace the published issue of \(which)? It is built again from the drafts ready now and published at once; the version published now is kept and can be restored (briefd issues restore).",
                confirmBuild: true, buildAction: "/issues/\(which)/rebuild",
                buildLabel: "Replace the published issue of \(which)")
            return app.page("message", values, session: context.session(request))
        }
        router.post("/issues/:which/rebuild") { request, context in
            let which = context.parameters.get("which") ?? ""
            guard let date = Day(iso: which), date.description == which else {
                return app.notFound(context.session(request))
            }
            return await app.build(replacing: date, session: context.session(request))
        }
        for (action, handOff) in [("send-test", false), ("hand-off", true)] {
            router.get("/issues/:which/\(action)") { request, context in
                await app.confirmDelivery(
                    context.parameters.get("which") ?? "", handOff: handOff, session: context.session(request))
            }
        }
        router.post("/issues/:which/send-test") { request, context in
            await app.sendTest(context.parameters.get("which") ?? "", session: context.session(request))
        }
        router.post("/issues/:which/hand-off") { request, context in
            await app.handOff(context.parameters.get("which") ?? "", session: context.session(request))
        }
        router.get("/issues/:which/files/:name") { request, context in
            app.issueFile(context.parameters.get("which") ?? "", context.parameters.get("name") ?? "")
        }
        router.get("/api/drafts") { _, _ in await app.apiDrafts() }
        router.get("/api/issues/next") { _, _ in await app.apiNextIssue() }
        router.get("/api/issues") { _, _ in await app.apiIssues() }
        router.get("/issues/next") { request, context in
            await app.issuePage(
                "next", images: try DeskService.decodeQuery(ImagesQuery.self, request).shown,
                session: context.session(request))
        }
        router.get("/issues/:which") { request, context in
            await app.issuePage(
                context.parameters.get("which") ?? "",
                images: try DeskService.decodeQuery(ImagesQuery.self, request).shown,
                session: context.session(request))
        }
        router.get("/issues/:which/:variant") { request, context in
            let variant = context.parameters.get("variant") ?? ""
            guard variant == "web" || variant == "email" else { return Response(status: .notFound) }
            return await app.issueDocument(
                context.parameters.get("which") ?? "", variant,
                images: try DeskService.decodeQuery(ImagesQuery.self, request).shown)
        }
        router.get("/links") { request, context in await app.linksPage(session: context.session(request)) }
        router.get("/archive/:which/:number") { request, context in
            await app.archivedCopyPage(
                context.parameters.get("which") ?? "", context.parameters.get("number") ?? "",
                session: context.session(request))
        }
        router.get("/archive/:which/:number/page") { _, context in
            await app.archivedCopyDocument(
                context.parameters.get("which") ?? "", context.parameters.get("number") ?? "")
        }
        router.get("/api/issues/:which/archive") { _, context in
            await app.apiArchive(context.parameters.get("which") ?? "")
        }
        router.get("/clip") { request, context in app.clipForm(session: context.session(request)) }
        router.post("/clip") { request, context in
            await app.clip(
                try await DeskService.form(ClipForm.self, request, limit: app.config.web.maxBodyBytes),
                session: context.session(request))
        }
        router.get("/events") { request, context in
            guard let subscription = app.feed.subscription(client: app.client(request, context)) else {
                return Response(status: .serviceUnavailable, headers: [.retryAfter: "30"])
            }
            context.channel?.closeFuture.whenComplete { _ in subscription.end() }
            let stream = subscription.stream
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
                // A tab that went away is found by the next write: a comment every second finds it, so its slot is free
                // within a second (a closed connection is not otherwise seen while the stream waits for events).
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while !Task.isCancelled {
                            try await Task.sleep(for: .seconds(1))
                            subscription.ping()
                        }
                    }
                    for await path in stream {
                        let event =
                            path.isEmpty ? ": ping\n\n" : "event: draft\ndata: \(DeskService.jsonString(path))\n\n"
                        do {
                            try await writer.write(ByteBuffer(string: event))
                        } catch {
                            subscription.end()
                            group.cancelAll()
                            throw error
                        }
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
        }
        router.get("/healthz") { request, context in
            await app.health(detailed: app.mayReadDetails(request, context))
        }
        router.get("/metrics") { _, _ in await app.metricsText() }
        router.get("/login") { request, context in
            app.page("login", LoginPage(), session: nil)
        }
        router.post("/login") { request, context in
            let form = try await DeskService.form(LoginForm.self, request, limit: 4096)
            let client = app.client(request, context)
            let count: Int
            switch app.security.failures.admit(client) {
            case .wait(let seconds):
                app.logRefusedLogin(client)
                return DeskService.tooManyTries(seconds)
            case .check(let failures): count = failures
            }
            guard app.security.tokenMatches(form.token ?? "") else {
                try? await Task.sleep(for: .milliseconds(500))  // slows guessing; a cancelled sleep only answers sooner
                app.logger.warning("a desk login failed", metadata: ["client": "\(client)", "failures": "\(count)"])
                return app.page(
                    "login", LoginPage(problem: "That token is not the desk's."), session: nil, status: .unauthorized)
            }
            app.security.failures.recordSuccess(client)
            var response = Response(status: .seeOther, headers: [.location: "/"])
            response.setCookie(
                Cookie(
                    name: DeskSecurity.cookieName, value: app.security.openSession(), maxAge: Int(12 * 3600), path: "/",
                    secure: app.security.cookieIsSecure, httpOnly: true, sameSite: .strict))
            return response
        }
        router.post("/logout") { request, context in
            if let id = context.session(request) { app.security.closeSession(id) }
            var response = Response(status: .seeOther, headers: [.location: "/login"])
            response.setCookie(
                Cookie(
                    name: DeskSecurity.cookieName, value: "", maxAge: 0, path: "/", secure: app.security.cookieIsSecure,
                    httpOnly: true, sameSite: .strict))
            return response
        }
        router.get("/static/desk.css") { _, _ in
            DeskService.staticFile(app, "desk.css", type: "text/css; charset=utf-8")
        }
        router.get("/static/desk.js") { _, _ in
            DeskService.staticFile(app, "desk.js", type: "text/javascript; charset=utf-8")
        }
    }

    static func staticFile(_ app: DeskApp, _ name: String, type: String) -> Response {
        guard let data = FileManager.default.contents(atPath: app.config.paths.templates + "/desk/" + name) else {
            return Response(status: .notFound)
        }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// 429 with the wait, for a client whose recent logins or bearer tokens failed.
    static func tooManyTries(_ seconds: Int) -> Response {
        Response(
            status: .tooManyRequests, headers: [.retryAfter: "\(seconds)", .contentType: "text/plain; charset=utf-8"],
            body: .init(
                byteBuffer: ByteBuffer(
                    string: "Too many failed attempts from this address; try again in \(seconds) s.\n")))
    }

    /// The query as `type`, decoded once by Hummingbird's `URLEncodedFormDecoder` (`+` is a space, then
    /// percent-decoding), as the forms are; a query that does not decode (`%zz`, a repeated field) is a 400.
    static func decodeQuery<Fields: Decodable>(_ type: Fields.Type, _ request: Request) throws -> Fields {
        try decode(type, request.uri.query ?? "")
    }

    /// An `application/x-www-form-urlencoded` body as `type`, at most `limit` bytes (more is refused with 413).
    static func form<Fields: Decodable>(_ type: Fields.Type, _ request: Request, limit: Int) async throws -> Fields {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return try decode(type, String(buffer: buffer))
    }

    /// The one decoding of forms and queries. Fields the type does not name are ignored.
    static func decode<Fields: Decodable>(_ type: Fields.Type, _ text: String) throws -> Fields {
        do {
            return try URLEncodedFormDecoder().decode(type, from: text)
        } catch {
            throw HTTPError(.badRequest, message: "The form or query cannot be read: \(error)")
        }
    }

    static func jsonString(_ text: String) -> String {
        // One string in an array: serialisation cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

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
        guard security.hostAllowed(request.head.authority, port: app.listeningPort.withLock { $0 }) else {
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
                    return DeskService.tooManyTries(seconds)
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
            let presented = try DeskService.decode(CSRFField.self, String(buffer: buffer)).csrf
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

    static func pageName(_ path: String) -> String {
        let first = path.split(separator: "/").first.map(String.init) ?? ""
        return [
            "drafts", "issues", "links", "clip", "events", "healthz", "metrics", "login", "logout", "static", "api",
        ].contains(first) ? first : (first.isEmpty ? "desk" : "other")
    }
}

// The fields of the desk's queries and forms; each is decoded by `DeskService.decode`.

/// `/?status=…&section=…` (and `fragment=rows`: the list's rows only, for the live refresh).
struct ListQuery: Decodable {
    var status: String?
    var section: String?
    var fragment: String?
}

/// `?images=1`: the preview loads remote images (only when the editor asks).
struct ImagesQuery: Decodable {
    var images: String?
    var shown: Bool { images == "1" }
}

/// Every POST's CSRF token, read by the guard before the route.
struct CSRFField: Decodable {
    var csrf: String?
}

/// `POST /login`.
struct LoginForm: Decodable {
    var token: String?
}

/// `POST /drafts/<path>`: apply one fix.
struct ApplyFixForm: Decodable {
    var fix: String
    var hash: String
}

/// `POST /clip`.
struct ClipForm: Decodable {
    var url: String?
    var section: String?
    var featured: String?
}
