public import BriefdIO
import BriefdCore
import Foundation
public import ServiceLifecycle

/// Holds the daemon's link service for the life of the service group and stops it first on a graceful
/// shutdown (it is the last service in the group), so that transfers in flight end at once instead of
/// running into `TimeoutStopSec`.
public struct LinkServiceOwner: Service {
    let links: LinkService

    public init(links: LinkService) { self.links = links }

    public func run() async throws {
        try? await gracefulShutdown()
        await links.shutdown()
    }
}
