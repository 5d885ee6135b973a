public import BriefdIO
import BriefdCore
import Foundation
public import Logging
public import ServiceLifecycle

/// Preserves the cited pages of each published issue in the daemon: captures them into the issue's WARC as soon
/// as the issue is out (however it was built: the schedule, the desk, the command line), tries failed captures
/// again later, and works the Save Page Now queue. It sleeps until the next step is due or an issue is published
/// (`publications`, rung by the drafts' ledger), and looks at least every `interval` in case another process queued
/// work; the queue itself is in the state database, so a restart loses nothing.
public struct PreservationService: Service {
    let holder: WorkspaceHolder
    let links: LinkService
    let publications: Doorbell
    let interval: Duration
    let logger: Logger
    let environment: [String: String]

    public init(
        holder: WorkspaceHolder, links: LinkService, publications: Doorbell, interval: Duration = .seconds(60),
        logger: Logger, environment: [String: String]
    ) {
        self.holder = holder
        self.links = links
        self.publications = publications
        self.interval = interval
        self.logger = logger
        self.environment = environment
    }

    public func run() async throws {
        var saidMissingKeys: [String] = []
        var checkIndexes = true
        var lastHold: String?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let config = holder.workspace.config
            let now = Date().timeIntervalSince1970
            do {
                let run = CaptureRun(config: config, state: links.state, links: links)
                if checkIndexes {
                    // At start and after each publication: a replaced folder must still hold every capture.
                    checkIndexes = false
                    let again = try await run.reconcile(now: now)
                    if again > 0 {
                        logger.warning(
                            "captures missing from their issue's WARC are taken again", metadata: ["pages": "\(again)"])
                    }
                }
                let captures = try await run.work(now: now)
                if captures != CaptureRun.Outcome() {
                    logger.notice(
                        "captured cited pages",
                        metadata: [
                            "captured": "\(captures.captured)", "retrying": "\(captures.retrying)",
                            "failed": "\(captures.failed)",
                        ])
                }
                for (issue, reason) in captures.unwritten {
                    logger.error(
                        "cannot write the issue's archive; will retry",
                        metadata: ["issue": "\(issue)", "error": "\(reason)"])
                }
                let missing = SavePageNowRun.missingKeys(config, environment: environment)
                if !missing.isEmpty && missing != saidMissingKeys {
                    logger.error(
                        "Save Page Now is configured but its keys are not set; nothing is submitted",
                        metadata: ["unset": "\(missing.joined(separator: ", "))"])
                }
                saidMissingKeys = missing
                if let queue = SavePageNowRun(
                    config: config, state: links.state, links: links, environment: environment)
                {
                    let outcome = try await queue.work(now: now)
                    if outcome.held != lastHold, let held = outcome.held {
                        logger.warning("Save Page Now asked briefd to wait", metadata: ["hold": "\(held)"])
                    }
                    lastHold = outcome.held
                }
            } catch {
                logger.error("preservation pass failed; will retry", metadata: ["error": "\(error)"])
            }
            // Until the next step falls due (a retry, a poll, Save Page Now's pace), an issue is published, or the
            // interval has passed; a step due now (the pace let only one page go) comes back at once.
            var wait = interval
            let queue = SavePageNowRun(
                config: holder.workspace.config, state: links.state, links: links, environment: environment)
            do {
                let notBefore = try await queue?.nextSubmissionAllowed() ?? .infinity
                if let next = try await PreservationStore(links.state).nextDue(submissionsNotBefore: notBefore) {
                    let seconds = min(
                        max(next - Date().timeIntervalSince1970, 0.05), Double(interval.components.seconds))
                    wait = .milliseconds(Int(seconds * 1000))
                }
            } catch {
                // The next look comes after the whole interval; the pass above says whether the database works.
                logger.warning("cannot read when the next capture is due", metadata: ["error": "\(error)"])
            }
            let limit = wait
            // Rung: an issue was published, replaced or restored (said by the doorbell, not guessed from the time
            // the wait took, which a busy machine stretches).
            if await cancelWhenGracefulShutdown({ await publications.wait(upTo: limit) }) == .rung {
                checkIndexes = true
            }
        }
    }
}
