public import BriefdCore
public import BriefdIO
import Foundation

/// A published issue's delivery from the desk: a test email, and the hand-off to the configured service behind the
/// same gate as `briefd send campaign`.
extension Newsroom {
    /// The service issues are handed to.
    public var deliveryServiceName: String { config.delivery.buttondown != nil ? "Buttondown" : "listmonk" }

    /// Whether a service is configured at all.
    public var handOffConfigured: Bool { config.delivery.listmonk != nil || config.delivery.buttondown != nil }

    /// Why this daemon cannot hand an issue off now, with the fix; nil when it can. Offered and then refused with a
    /// 502 ("keys are not set") was the desk saying one thing and doing another.
    public var handOffUnavailable: String? {
        let delivery = config.delivery
        if links == nil { return "not while the daemon runs --offline (the gate checks every link first)" }
        if let listmonk = delivery.listmonk {
            let missing = ListmonkClient.missingKeys(listmonk, environment: environment)
            if !missing.isEmpty {
                return
                    "the daemon was started without \(missing.joined(separator: " and ")): set them in its environment (docs/delivery.md) and restart it"
            }
        } else if let buttondown = delivery.buttondown, (environment[buttondown.tokenEnv] ?? "").isEmpty {
            return
                "the daemon was started without \(buttondown.tokenEnv): set it in its environment (docs/delivery.md) and restart it"
        }
        if delivery.from == nil { return "delivery.from is not set in \(config.path)" }
        return nil
    }

    /// The campaign the issue of `date` was handed to, as recorded; nil when there is none yet, or only the intent
    /// of a hand-off that did not hear back.
    public func campaign(of date: Day) async throws -> CampaignStore.Record? {
        try await CampaignStore(state).record(of: date.description).flatMap { $0.isIntent ? nil : $0 }
    }

    /// The issue of `date`, as built, to `delivery.test_to`.
    public func sendTest(_ date: Day) async throws(TestSend.SendError) -> TestSend.Outcome {
        let outcome = try await TestSend(config: config, state: state).send(
            issue: date, to: [], environment: environment)
        logger.notice("test email from the desk", metadata: ["issue": "\(date)", "to": "\(outcome.recipients)"])
        return outcome
    }

    /// The gate, then the campaign (a draft at the service; scheduling and `--force` stay on the command line, where
    /// the reason is typed).
    public func handOff(_ date: Day, user: String) async throws(CampaignHandOff.HandOffError) -> CampaignHandOff.Outcome
    {
        guard let links else {
            throw .failed("The daemon runs --offline: the gate cannot check the links.")
        }
        let request = CampaignHandOff.Request(
            issue: date, at: nil, tests: [], force: nil, user: user, daemonRuns: true)
        let outcome = try await CampaignHandOff(config: config, registry: workspace.registry, state: state)
            .run(request, links: links, environment: environment)
        logger.notice("hand-off from the desk", metadata: ["issue": "\(date)", "campaign": "\(outcome.campaignID)"])
        return outcome
    }
}
