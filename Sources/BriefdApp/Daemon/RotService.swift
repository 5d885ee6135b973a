public import BriefdIO
import BriefdCore
import Foundation
public import Logging
public import ServiceLifecycle

/// The link-rot monitor in the daemon: a pass every `interval` checks the links that are due (each published
/// link every `rot.recheck_hours`, spread over that interval) and delivers alerts, retrying failed sinks. Its
/// checks go through the daemon's one link service, within the same politeness limits as the drafts' reviews.
public struct RotService: Service {
    let holder: WorkspaceHolder
    /// Which drafts cite which link: the account's answer.
    let account: DraftLedger
    let links: LinkService
    let interval: Duration
    let logger: Logger
    let environment: [String: String]

    public init(
        holder: WorkspaceHolder, account: DraftLedger, links: LinkService, interval: Duration, logger: Logger,
        environment: [String: String]
    ) {
        self.holder = holder
        self.account = account
        self.links = links
        self.interval = interval
        self.logger = logger
        self.environment = environment
    }

    public func run() async throws {
        var lastPrune = ContinuousClock.now - .seconds(86_400)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let workspace = holder.workspace
            let config = workspace.config
            if ContinuousClock.now - lastPrune >= .seconds(86_400) {
                // Once a day (and at start): the history kept to `links.history_days`.
                lastPrune = ContinuousClock.now
                await prune(config.links.historyDays)
            }
            do {
                let seconds = Double(interval.components.seconds)
                let drafts = await account.account.drafts.map(\.facts)
                let pass = try await RotMonitor(config: config, registry: workspace.registry, drafts: drafts)
                    .pass(now: Date().timeIntervalSince1970, everything: false, passInterval: seconds, links: links)
                for alert in pass.alerts {
                    logger.warning("link rot", metadata: ["kind": "\(alert.kind.rawValue)", "url": "\(alert.url)"])
                }
                let delivery = await AlertDispatcher(
                    settings: config.alerts, newsletter: config.newsletter.name, environment: environment,
                    version: links.version
                )
                .deliver(RotStore(links.state), statePath: config.paths.state, now: Date().timeIntervalSince1970)
                for (sink, error) in delivery.errors {
                    logger.error(
                        "alerts not delivered; will retry", metadata: ["sink": "\(sink.rawValue)", "error": "\(error)"])
                }
                // Each pass said once (at info): what was checked, and that its alerts were handed to the sinks.
                logger.info(
                    "link-rot pass",
                    metadata: [
                        "checked": "\(pass.checked)", "watched": "\(pass.watched)", "alerts": "\(pass.alerts.count)",
                        "unverified": "\(pass.unverified)", "undelivered_sinks": "\(delivery.errors.count)",
                    ])
            } catch {
                logger.error("link-rot pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    private func prune(_ days: Int) async {
        do {
            let pruned = try await LinkStore(links.state).prune(olderThanDays: days, now: Date().timeIntervalSince1970)
            if pruned.checks + pruned.pages > 0 {
                logger.notice(
                    "the link history was pruned to links.history_days",
                    metadata: ["days": "\(days)", "checks": "\(pruned.checks)", "pages": "\(pruned.pages)"])
            }
        } catch {
            // Tried again at the next day's look; the history only grows meanwhile.
            logger.error("cannot prune the link history", metadata: ["error": "\(error)"])
        }
    }
}
