import BriefdApp
import BriefdCore
import Hummingbird

/// On a published issue's page, "Send a test" and "Hand off to listmonk" (or Buttondown), each behind its own
/// confirmation, then what happened; the campaign's id, state and schedule on the page.
struct DeliveryController {
    let app: DeskApp
    var newsroom: Newsroom { app.newsroom }

    func addRoutes(to router: Router<DeskRequestContext>) {
        for (action, handOff) in [("send-test", false), ("hand-off", true)] {
            router.get("/issues/:which/\(action)") { request, context in
                guard let date = DeskApp.day(context.parameters.get("which")) else {
                    return app.notFound(context.session(request))
                }
                return await confirm(date, handOff: handOff, session: context.session(request))
            }
        }
        router.post("/issues/:which/send-test") { request, context in
            guard let date = DeskApp.day(context.parameters.get("which")) else {
                return app.notFound(context.session(request))
            }
            return await sendTest(date, session: context.session(request))
        }
        router.post("/issues/:which/hand-off") { request, context in
            guard let date = DeskApp.day(context.parameters.get("which")) else {
                return app.notFound(context.session(request))
            }
            return await handOff(date, session: context.session(request))
        }
    }

    /// The issue page's delivery values.
    func values(_ issue: PublishedIssue) -> IssuePage.Delivery {
        let delivery = app.config.delivery
        let configured = newsroom.handOffConfigured && issue.importedFrom == nil
        let unavailable = configured ? newsroom.handOffUnavailable : nil
        var values = IssuePage.Delivery(
            canTest: delivery.from != nil && delivery.smtpURL != nil && !delivery.testTo.isEmpty,
            testTo: delivery.testTo.joined(separator: ", "), canHandOff: configured && unavailable == nil,
            service: newsroom.deliveryServiceName, handOffUnavailable: unavailable)
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

    /// `GET /issues/<date>/send-test` and `…/hand-off`: the question, with the form that confirms.
    func confirm(_ date: Day, handOff: Bool, session: String?) async -> Response {
        let service = newsroom.deliveryServiceName
        if handOff, let unavailable = newsroom.handOffUnavailable {
            return app.message(
                "Hand off to \(service)", "The hand-off is not possible now: \(unavailable).", session: session)
        }
        let text: String
        if handOff {
            // What will happen to this issue's campaign, as it is now: made as a draft, or the one there updated and
            // left in its state (a scheduled campaign stays scheduled). Not knowing is said, not taken for "none".
            let then: String
            do {
                if let known = try await newsroom.campaign(of: date) {
                    then =
                        "\(known.service) campaign \(known.campaignID) is updated with the issue as published now and stays \(known.status)"
                        + (known.sendAt.map { known.status == "scheduled" ? " (it sends at \($0))" : "" } ?? "")
                } else {
                    then =
                        "a campaign is made at \(service) as a draft: nothing is sent until someone starts or schedules it there"
                }
            } catch {
                app.logger.error("the desk cannot read the campaign", metadata: ["error": "\(error)"])
                then =
                    "its campaign at \(service) is made or updated (whether it has one could not be read now: see the log)"
            }
            text =
                "Hand the issue of \(date) to \(service)? The gate checks every link now, the quotes and the email first; then \(then)."
        } else {
            text =
                "Send the issue of \(date), as it was built, to \(app.config.delivery.testTo.joined(separator: ", ")) as a test email?"
        }
        let values = MessagePage(
            title: handOff ? "Hand off to \(service)" : "Send a test", text: text, confirmBuild: true,
            buildAction: "/issues/\(date)/" + (handOff ? "hand-off" : "send-test"),
            buildLabel: handOff ? "Hand off the issue of \(date)" : "Send the test", cancel: "/issues/\(date)")
        return app.page("message", values, session: session)
    }

    /// `POST /issues/<date>/send-test`.
    func sendTest(_ date: Day, session: String?) async -> Response {
        do {
            let outcome = try await newsroom.sendTest(date)
            let values = MessagePage(
                title: "Test sent",
                text: "\"\(outcome.subject)\" went to \(outcome.recipients.joined(separator: ", ")).",
                link: "/issues/\(date)", linkText: "Back to the issue")
            return app.page("message", values, session: session)
        } catch {
            let values = MessagePage(
                title: "Test not sent", text: error.description, link: "/issues/\(date)", linkText: "Back to the issue")
            return app.page("message", values, session: session, status: .badRequest)
        }
    }

    /// `POST /issues/<date>/hand-off`: the gate, then the campaign.
    func handOff(_ date: Day, session: String?) async -> Response {
        guard newsroom.isOnline else {
            return app.message(
                "Hand off", "The daemon runs --offline: the gate cannot check the links.", session: session)
        }
        do {
            let outcome = try await newsroom.handOff(date, user: "the desk")
            let happened = CampaignHandOff.describe(
                created: outcome.created, service: outcome.service, campaignID: outcome.campaignID,
                status: outcome.status, sendAt: outcome.sendAt)
            let values = MessagePage(
                title: "Handed off",
                text:
                    "\(outcome.created ? "Made" : "Updated") \(outcome.service) campaign \(outcome.campaignID) for the issue of \(date): \(outcome.status). \(happened.prefix(1).uppercased() + happened.dropFirst()).",
                link: "/issues/\(date)", linkText: "Back to the issue")
            return app.page("message", values, session: session)
        } catch {
            if case .refused(let reasons) = error {
                let values = OutcomePage(
                    title: "Not handed off",
                    text: "The gate held the issue back (briefd send campaign --force REASON sends it anyway):",
                    link: "/issues/\(date)", linkText: "Back to the issue", problems: reasons)
                return app.page("outcome", values, session: session, status: .conflict)
            }
            let values = MessagePage(
                title: "Not handed off", text: error.description, link: "/issues/\(date)",
                linkText: "Back to the issue")
            return app.page("message", values, session: session, status: .badGateway)
        }
    }
}
