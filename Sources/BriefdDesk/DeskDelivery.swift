import BriefdApp
import BriefdCore
import BriefdIO
import Foundation
import Hummingbird

/// The desk's delivery: on a published issue's page, "Send a test" and "Hand off to listmonk", each behind its own
/// confirmation, then what happened; the campaign's id, state and schedule on the page and in `GET /api/issues`.
extension DeskApp {
    /// The issue page's delivery values.
    func deliveryValues(_ issue: IssueStore.Published) -> IssuePage.Delivery {
        let delivery = config.delivery
        let configured = (delivery.listmonk != nil || delivery.buttondown != nil) && issue.importedFrom == nil
        let unavailable = configured ? handOffUnavailable : nil
        var values = IssuePage.Delivery(
            canTest: delivery.from != nil && delivery.smtpURL != nil && !delivery.testTo.isEmpty,
            testTo: delivery.testTo.joined(separator: ", "),
            canHandOff: configured && unavailable == nil,
            service: serviceName, handOffUnavailable: unavailable)
        if let campaign = issue.delivery {
            let summary = campaign.summary
            var text = summary.prefix(1).uppercased() + summary.dropFirst()
            if let sendAt = campaign.sendAt { text += ", sends at \(sendAt)" }
            text += " (version \(campaign.version), last handed off \(campaign.updatedAt))"
            if let reason = campaign.forcedReason {
                text += "; the gate was passed over by \(campaign.forcedBy ?? "someone"): \(reason)"
            }
            values.campaign = text
        }
        return values
    }

    /// Why this daemon cannot hand an issue off now, with the fix; nil when it can. Offered and then refused with a
    /// 502 ("keys are not set") was the desk saying one thing and doing another.
    var handOffUnavailable: String? {
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

    var serviceName: String { config.delivery.buttondown != nil ? "Buttondown" : "listmonk" }

    /// `GET /issues/<date>/send-test` and `…/hand-off`: the question, with the form that confirms.
    func confirmDelivery(_ which: String, handOff: Bool, session: String?) async -> Response {
        guard let date = Day(iso: which), date.description == which else { return notFound(session) }
        if handOff, let unavailable = handOffUnavailable {
            return message(
                "Hand off to \(serviceName)", "The hand-off is not possible now: \(unavailable).", session: session)
        }
        let text: String
        if handOff {
            // What will happen to this issue's campaign, as it is now: made as a draft, or the one there updated and
            // left in its state (a scheduled campaign stays scheduled).
            let known = try? await CampaignStore(state).record(of: which)  // unknown: said as a new campaign
            let then: String
            if let known, !known.isIntent {
                then =
                    "\(known.service) campaign \(known.campaignID) is updated with the issue as published now and stays \(known.status)"
                    + (known.sendAt.map { known.status == "scheduled" ? " (it sends at \($0))" : "" } ?? "")
            } else {
                then =
                    "a campaign is made at \(serviceName) as a draft: nothing is sent until someone starts or schedules it there"
            }
            text =
                "Hand the issue of \(which) to \(serviceName)? The gate checks every link now, the quotes and the email first; then \(then)."
        } else {
            text =
                "Send the issue of \(which), as it was built, to \(config.delivery.testTo.joined(separator: ", ")) as a test email?"
        }
        let values = MessagePage(
            title: handOff ? "Hand off to \(serviceName)" : "Send a test", text: text, confirmBuild: true,
            buildAction: "/issues/\(which)/" + (handOff ? "hand-off" : "send-test"),
            buildLabel: handOff ? "Hand off the issue of \(which)" : "Send the test", cancel: "/issues/\(which)")
        return page("message", values, session: session)
    }

    /// `POST /issues/<date>/send-test`.
    func sendTest(_ which: String, session: String?) async -> Response {
        guard let date = Day(iso: which), date.description == which else { return notFound(session) }
        do {
            let outcome = try await TestSend(config: config, state: state).send(
                issue: date, to: [], environment: environment)
            logger.notice("test email from the desk", metadata: ["issue": "\(which)", "to": "\(outcome.recipients)"])
            let values = MessagePage(
                title: "Test sent",
                text: "\"\(outcome.subject)\" went to \(outcome.recipients.joined(separator: ", ")).",
                link: "/issues/\(which)", linkText: "Back to the issue")
            return page("message", values, session: session)
        } catch {
            let values = MessagePage(
                title: "Test not sent", text: error.description, link: "/issues/\(which)", linkText: "Back to the issue"
            )
            return page("message", values, session: session, status: .badRequest)
        }
    }

    /// `POST /issues/<date>/hand-off`: the gate, then the campaign (a draft; scheduling and `--force` stay on the
    /// command line, where the reason is typed).
    func handOff(_ which: String, session: String?) async -> Response {
        guard let date = Day(iso: which), date.description == which else { return notFound(session) }
        guard let links else {
            return message("Hand off", "The daemon runs --offline: the gate cannot check the links.", session: session)
        }
        let workspace = holder.workspace
        let request = CampaignHandOff.Request(
            issue: date, at: nil, tests: [], force: nil, user: "the desk", daemonRuns: true)
        do {
            let outcome = try await CampaignHandOff(
                config: workspace.config, registry: workspace.registry, state: state
            ).run(request, links: links, environment: environment)
            logger.notice(
                "hand-off from the desk", metadata: ["issue": "\(which)", "campaign": "\(outcome.campaignID)"])
            let happened = CampaignHandOff.describe(
                created: outcome.created, service: outcome.service, campaignID: outcome.campaignID,
                status: outcome.status, sendAt: outcome.sendAt)
            let values = MessagePage(
                title: "Handed off",
                text:
                    "\(outcome.created ? "Made" : "Updated") \(outcome.service) campaign \(outcome.campaignID) for the issue of \(which): \(outcome.status). \(happened.prefix(1).uppercased() + happened.dropFirst()).",
                link: "/issues/\(which)", linkText: "Back to the issue")
            return page("message", values, session: session)
        } catch {
            if case .refused(let reasons) = error {
                let values = OutcomePage(
                    title: "Not handed off",
                    text: "The gate held the issue back (briefd send campaign --force REASON sends it anyway):",
                    link: "/issues/\(which)", linkText: "Back to the issue", problems: reasons)
                return page("outcome", values, session: session, status: .conflict)
            }
            let values = MessagePage(
                title: "Not handed off", text: error.description, link: "/issues/\(which)",
                linkText: "Back to the issue")
            return page("message", values, session: session, status: .badGateway)
        }
    }
}
