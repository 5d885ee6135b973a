public import BriefdIO
import BriefdCore
import Foundation
public import Logging
public import ServiceLifecycle

/// Sends `STOPPING=1` as soon as a graceful shutdown begins.
public struct ShutdownNoticeService: Service {
    let notifier: SystemdNotifier
    let logger: Logger

    public init(notifier: SystemdNotifier, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        logger.notice("shutting down")
        notifier.send("STOPPING=1")
    }
}
