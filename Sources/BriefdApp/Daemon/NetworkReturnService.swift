public import BriefdIO
import BriefdCore
import Foundation
public import Logging
public import ServiceLifecycle

/// Reviews a draft again when its turn comes: after a failed review's backoff, and once host names resolve again
/// for drafts whose links could not be checked because the network was down.
public struct NetworkReturnService: Service {
    let desk: DraftLedger
    let links: LinkService
    let logger: Logger

    public init(desk: DraftLedger, links: LinkService, logger: Logger) {
        self.desk = desk
        self.links = links
        self.logger = logger
    }

    public func run() async throws {
        var lastProbe = ContinuousClock.now - .seconds(3600)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(5)) }
            await desk.retryFailedReviews(now: Date())
            // Probing the resolver once a minute at most, and only while some draft waits for it.
            guard ContinuousClock.now - lastProbe >= .seconds(60) else { continue }
            let waiting = await desk.draftsWithUnverifiedLinks
            guard !waiting.isEmpty else { continue }
            lastProbe = ContinuousClock.now
            guard await links.checker.resolver.namesResolve(fresh: true) else { continue }
            logger.notice(
                "host names resolve again; checking the links that could not be checked",
                metadata: ["drafts": "\(waiting.count)"])
            for (path, hash) in waiting { await desk.reviewAgain(path: path, hash: hash) }
        }
    }
}
