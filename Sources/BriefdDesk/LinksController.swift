import BriefdApp
import BriefdCore
import Hummingbird

/// `/links`: suspect and dead links, the issues and drafts citing them, the copies offered, and the alerts.
struct LinksController {
    let app: DeskApp

    func addRoutes(to router: Router<DeskRequestContext>) {
        router.get("/links") { request, context in await page(session: context.session(request)) }
    }

    func page(session: String?) async -> Response {
        let health = await app.newsroom.linkHealth()
        let rows = health.troubled.map { link in
            LinksPage.Row(
                url: link.url, state: link.watched.state.rawValue, failures: link.watched.failures,
                issues: link.issues.map { .init(date: $0, href: "/issues/\($0)") },
                drafts: link.drafts.map { DraftLink(path: DeskText.visible($0), href: DeskApp.draftHref($0)) },
                firstFailure: link.watched.firstFailure.map(app.time) ?? "",
                lastCheck: link.watched.lastCheck.map(app.time) ?? "", status: link.watched.lastStatus,
                reason: link.reason, copies: link.copies.map(copy))
        }
        let alerts = health.alerts.prefix(100).map { entry in
            LinksPage.Alert(
                url: entry.alert.url, kind: "\(entry.alert.kind)", raised: app.time(entry.alert.raisedAt),
                delivered: entry.delivered.joined(separator: ", "), waiting: entry.waiting.joined(separator: ", "))
        }
        let published = rows.filter { !$0.issues.isEmpty }.count
        let values = LinksPage(
            rows: rows,
            counts: health.counts?.description ?? "The watched links cannot be counted now (see the log).",
            troubledPublished: published, troubledWaiting: rows.count - published, alerts: Array(alerts))
        return app.page("links", values, session: session)
    }

    /// A copy as the page links it: the issue's own on the desk, the services' at their address.
    private func copy(_ copy: Newsroom.PageCopy) -> LinksPage.Copy {
        switch copy.kind {
        case .own(let issue, let position, let capturedAt):
            return .init(
                href: "/archive/\(issue)/\(position + 1)",
                label: "the issue's own copy (\(capturedAt.map(app.time) ?? ""))")
        case .savePageNow: return .init(href: copy.href ?? "", label: "Save Page Now snapshot")
        case .wayback: return .init(href: copy.href ?? "", label: "archived copy (Wayback Machine)")
        }
    }
}
