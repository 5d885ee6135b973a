import BriefdIO
import BriefdCore
import Foundation
public import Logging
public import ServiceLifecycle
public import UnixSignals

/// SIGTERM or SIGINT: a graceful stop of the whole group (this service returns, and the group's configuration
/// turns that into a graceful shutdown). The signals are trapped before the start-up scan, so one that came
/// during the scan waits here instead of killing the process.
public struct StopSignalService: Service {
    let signals: UnixSignalsSequence
    let logger: Logger

    public init(signals: UnixSignalsSequence, logger: Logger) {
        self.signals = signals
        self.logger = logger
    }

    public func run() async throws {
        for await signal in signals.cancelOnGracefulShutdown() {
            logger.notice("stopping", metadata: ["signal": "\(signal)"])
            return
        }
    }
}
