import BriefdApp
@preconcurrency import Glibc
public import Hummingbird
import Logging
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
        DraftsController(app: app).addRoutes(to: router)
        IssuesController(app: app).addRoutes(to: router)
        DeliveryController(app: app).addRoutes(to: router)
        LinksController(app: app).addRoutes(to: router)
        ArchiveController(app: app).addRoutes(to: router)
        ClipController(app: app).addRoutes(to: router)
        SessionController(app: app).addRoutes(to: router)
        MonitoringController(app: app).addRoutes(to: router)
        LiveUpdatesController(app: app).addRoutes(to: router)
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
        let feed = app.newsroom.feed
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
}
