import BriefdApp
import BriefdCore
import Foundation
import Hummingbird

/// `/clip`: a new draft from an address (`briefd clip`), then its page.
struct ClipController {
    let app: DeskApp

    func addRoutes(to router: Router<DeskRequestContext>) {
        router.get("/clip") { request, context in form(session: context.session(request)) }
        router.post("/clip") { request, context in
            await clip(
                try await DeskForms.form(ClipForm.self, request, limit: app.config.web.maxBodyBytes),
                session: context.session(request))
        }
    }

    /// `GET /clip`: the form (again, with the problem, when a clip failed).
    func form(session: String?, problem: String? = nil, url: String = "") -> Response {
        let values = ClipPage(
            url: url, online: app.newsroom.isOnline,
            sections: [.init(value: "", label: "where this publication's items usually go")]
                + app.config.newsletter.sections.map { .init(value: $0, label: $0) }, problem: problem)
        return app.page("clip", values, session: session, status: problem == nil ? .ok : .unprocessableContent)
    }

    /// `POST /clip`.
    func clip(_ fields: ClipForm, session: String?) async -> Response {
        let url = (fields.url ?? "").trimmingCharacters(in: .whitespaces)
        guard app.newsroom.isOnline else {
            return form(session: session, problem: "The daemon runs --offline: it fetches no page.", url: url)
        }
        guard let address = WebAddress(url), address.isHTTP else {
            return form(session: session, problem: "'\(url)' is not an http(s) address.", url: url)
        }
        let section = fields.section.flatMap { $0.isEmpty ? nil : $0 }
        if let section, !app.config.newsletter.sections.contains(section) {
            return form(session: session, problem: "'\(section)' is not a section.", url: url)
        }
        do {
            guard let relative = try await app.newsroom.clip(url, section: section, featured: fields.featured == "on")
            else { return form(session: session, problem: "Nothing was written.", url: url) }
            return DeskApp.redirect(DeskApp.draftHref(relative))
        } catch let unavailable as ClipRun.Unavailable {
            return form(
                session: session, problem: "The page cannot be had: \(unavailable.verdict): \(unavailable.reason)",
                url: url)
        } catch {
            return form(session: session, problem: "The draft could not be made: \(error)", url: url)
        }
    }
}
