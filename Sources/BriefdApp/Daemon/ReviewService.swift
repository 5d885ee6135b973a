public import BriefdIO
import BriefdCore
import Foundation
public import Logging
public import ServiceLifecycle

/// The link and quote reviews of changed drafts: a fixed number of workers take drafts from the queue and
/// review each through the daemon's one link service, so a burst of drafts queues work instead of starting
/// a task per draft, and the politeness limits hold across all of them.
public struct ReviewService: Service {
    let queue: ReviewQueue
    let desk: DraftLedger
    let holder: WorkspaceHolder
    let links: LinkService
    let workers: Int
    let logger: Logger

    /// - Parameter workers: drafts reviewed at once: enough to keep every host's queue in the link service
    ///   busy; the service's limits, not this, bound what publishers see.
    public init(
        queue: ReviewQueue, desk: DraftLedger, holder: WorkspaceHolder, links: LinkService, workers: Int = 32,
        logger: Logger
    ) {
        self.queue = queue
        self.desk = desk
        self.holder = holder
        self.links = links
        self.workers = max(1, workers)
        self.logger = logger
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<workers { group.addTask { await self.work() } }
            group.addTask {
                // A stop closes the queue: the workers finish the review in hand (the link service, stopped
                // before this service, answers at once) and return.
                try? await gracefulShutdown()
                queue.close()
            }
        }
    }

    private func work() async {
        while let job = await queue.next() {
            guard let draft = await desk.draftForReview(job) else { continue }  // Changed: a newer job follows.
            let workspace = holder.workspace
            let review = RunContext(
                config: workspace.config, registry: workspace.registry, state: links.state, links: links)
            do {
                let outcome = try await review.review([draft], mode: .online(refreshPages: false))
                // Cut short by a stop: no report from half the answers; the next start reviews it again.
                guard outcome.complete else { continue }
                await desk.reviewed(job, findings: outcome.findings[draft.path] ?? [])
            } catch {
                // Never read as clean: the draft stays `checking`, with the reason, and is reviewed again later.
                let wait = await desk.reviewFailed(job, reason: "\(error)")
                logger.error(
                    "cannot review a draft's links and quotes; it stays 'checking' and is tried again",
                    metadata: [
                        "draft": "\(draft.path)", "error": "\(error)", "retry_in": "\(wait.map { "\($0)" } ?? "-")",
                    ])
            }
        }
    }
}
