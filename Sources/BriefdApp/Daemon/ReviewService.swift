public import BriefdIO
import BriefdCore
import Foundation
import Synchronization
public import Logging
public import ServiceLifecycle

/// The link and quote reviews of changed drafts: at most `workers` reviews at once, each through the daemon's one
/// link service, so a burst of drafts queues work instead of starting a task per draft, and the politeness limits
/// hold across all of them.
///
/// A review is a child task that ends with its draft, not a long-lived worker waiting for the next: an idle daemon
/// keeps no review tasks, and so none of the memory a review's task frames grew to (32 idle workers held about
/// 560 KB after a burst of 300 drafts, measured with heaptrack).
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
        let slots = ReviewSlots(workers)
        await withDiscardingTaskGroup { group in
            group.addTask {
                // A stop closes the queue: the reviews in hand finish (the link service, stopped before this
                // service, answers at once) and no new one starts.
                try? await gracefulShutdown()
                queue.close()
            }
            while true {
                // A slot first, then the job: a job taken from the queue is reviewed at once, and until then the
                // queue keeps only the latest content of each waiting draft.
                await slots.take()
                guard let job = await queue.next() else {
                    slots.give()
                    break
                }
                group.addTask {
                    await self.review(job)
                    slots.give()
                }
            }
        }
    }

    private func review(_ job: ReviewQueue.Job) async {
        guard let draft = await desk.draftForReview(job) else { return }  // Changed: a newer job follows.
        let workspace = holder.workspace
        let review = RunContext(
            config: workspace.config, registry: workspace.registry, state: links.state, links: links)
        do {
            let outcome = try await review.review([draft], mode: .online(refreshPages: false))
            // Cut short by a stop: no report from half the answers; the next start reviews it again.
            guard outcome.complete else { return }
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

/// How many reviews may run at once: `take` waits for a free slot (first come, first served), `give` frees one.
final class ReviewSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Mutex<State>

    init(_ count: Int) { state = Mutex(State(free: count)) }

    func take() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func give() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
