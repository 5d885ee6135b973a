public import BriefdIO
import BriefdCore
import Foundation
public import ServiceLifecycle

/// `WATCHDOG=1` every half `WATCHDOG_USEC`, while the process is responsive.
public struct WatchdogService: Service {
    let notifier: SystemdNotifier

    public init(notifier: SystemdNotifier) { self.notifier = notifier }

    public func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            notifier.send("WATCHDOG=1")
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
