import BriefdApp
import BriefdCore
import Hummingbird
import Synchronization

/// `/` (every draft with its status, filtered), `/drafts/<path>` (one draft with its findings marked, and a fix
/// applied on request), and `GET /api/drafts`: all read from the account.
struct DraftsController {
    let app: DeskApp
    /// The list's rows as HTML, by filter, made again only when a report changed (`DeskFeed.generation`) or a
    /// template did: with hundreds of drafts, rendering the rows is most of the cost of the page.
    let rowsCache = RowsCache()

    final class RowsCache: Sendable {
        let byFilter = Mutex<[String: RenderedRows]>([:])
    }

    struct RenderedRows: Sendable {
        var generation: Int
        var html: String
        var total: Int
        var counts: [String: Int]
    }

    func addRoutes(to router: Router<DeskRequestContext>) {
        router.get("/") { request, context in
            await list(try DeskForms.query(ListQuery.self, request), session: context.session(request))
        }
        router.get("/drafts/**") { request, context in
            await draftPage(context.pathSegments, session: context.session(request))
        }
        router.post("/drafts/**") { request, context in
            let form = try await DeskForms.form(ApplyFixForm.self, request, limit: app.config.web.maxBodyBytes)
            return await applyFix(context.pathSegments, form, session: context.session(request))
        }
        router.get("/api/drafts") { _, _ in await apiDrafts() }
    }

    /// `/`: every draft with its status, filtered by `status` and `section`.
    func list(_ query: ListQuery, session: String?) async -> Response {
        let statusFilter = query.status.flatMap { $0.isEmpty ? nil : $0 }
        let sectionFilter = query.section.flatMap { $0.isEmpty ? nil : $0 }
        let filter = DeskApp.query(["status": statusFilter, "section": sectionFilter])
        let key = filter + "|" + app.templates.stampKey()
        let generation = app.newsroom.feed.generation
        let rows: RenderedRows
        if let cached = rowsCache.byFilter.withLock({ $0[key] }), cached.generation == generation {
            rows = cached
        } else {
            rows = await render(statusFilter: statusFilter, sectionFilter: sectionFilter, generation: generation)
            rowsCache.byFilter.withLock { cache in
                if cache.count > 64 { cache.removeAll() }
                cache[key] = rows
            }
        }
        if query.fragment == "rows" { return DeskApp.html(rows.html) }
        let config = app.config
        let next = await app.newsroom.drafts.account.nextIssue
        let values = DeskListPage(
            rowsHTML: rows.html, total: rows.total,
            statuses: DraftStatus.allCases.sorted { $0.order < $1.order }.map { status in
                .init(
                    value: status.rawValue, count: rows.counts[status.rawValue] ?? 0,
                    selected: status.rawValue == statusFilter)
            },
            sections: config.newsletter.sections.map { .init(value: $0, selected: $0 == sectionFilter) },
            nextIssue: next.description,
            nextBuild: await app.newsroom.nextBuild().map { app.time($0.timeIntervalSince1970) } ?? "not scheduled",
            query: filter, reloadProblem: DeskViews.reloadProblem(app.newsroom.lastReload, time: app.time))
        return app.page("desk", values, session: session)
    }

    private func render(statusFilter: String?, sectionFilter: String?, generation: Int) async -> RenderedRows {
        let entries = await app.newsroom.drafts.account.drafts
        let shown = entries.filter { entry in
            (statusFilter == nil || entry.standing.status.rawValue == statusFilter)
                && (sectionFilter == nil || entry.facts.section == sectionFilter)
        }.sorted { ($0.standing.status.order, $0.path) < ($1.standing.status.order, $1.path) }
        var counts: [String: Int] = [:]
        for entry in entries { counts[entry.standing.status.rawValue, default: 0] += 1 }
        let html: String
        let page = DeskRowsPage(rows: shown.map { DeskViews.row($0, time: app.time) })
        switch app.templates.render("desk-rows", page, layout: app.layout(session: nil)) {
        case .success(let rendered): html = rendered
        case .failure(let problem):
            html =
                "<tr><td colspan=\"7\">The desk's templates cannot be used: \(DeskApp.escape(problem.description))</td></tr>"
        }
        return RenderedRows(generation: generation, html: html, total: entries.count, counts: counts)
    }

    /// `/drafts/<path>`: the text with each finding marked, the findings, the links and the quotes.
    func draftPage(_ segments: [String], session: String?) async -> Response {
        guard let read = app.newsroom.draftText(segments) else { return app.notFound(session) }
        guard case .success(let draft) = read else {
            return app.message(
                "Draft",
                "\(DeskText.visible(segments.joined(separator: "/"))) cannot be read as a draft (too large, or not a regular file).",
                session: session)
        }
        let newsroom = app.newsroom
        let findings = await newsroom.findings(of: draft)
        let entry = await newsroom.drafts.entry(of: draft.relative)
        // The other drafts citing the same article, linked by their path in the folder (brief.duplicate-url).
        let identity = entry?.facts.identity
        let sameArticle =
            identity == nil
            ? []
            : await newsroom.drafts.account.drafts.filter { $0.facts.identity == identity && $0.path != draft.relative }
                .map { DraftLink(path: DeskText.visible($0.path), href: DeskApp.draftHref($0.path)) }
        let parsed = newsroom.parsed(draft)
        var verdicts: [String: LinkResult] = [:]
        let urls = parsed.map { Array(Set(LinkExtractor.links(in: $0).map(\.url))).sorted() } ?? []
        if !urls.isEmpty {
            verdicts = await app.readOrLogged("the link history", [:]) { try await newsroom.linkVerdicts(urls) }
        }
        let page = DeskViews.draftPage(
            draft, findings: findings, entry: entry, sameArticle: sameArticle, kind: parsed?.kind,
            links: urls.map { (url: $0, verdict: verdicts[$0]) }, time: app.time)
        return app.page("draft", page, session: session)
    }

    /// `POST /drafts/<path>` with `fix` and `hash`: the fix written into the draft, atomically, only while the
    /// draft is the text the page showed (409 otherwise); then the draft's page, which the daemon updates.
    func applyFix(_ segments: [String], _ form: ApplyFixForm, session: String?) async -> Response {
        let name = DeskText.visible(segments.joined(separator: "/"))
        switch await app.newsroom.applyFix(segments, key: form.fix, hash: form.hash) {
        case nil: return app.notFound(session)
        case .applied?: return DeskApp.redirect(DeskApp.draftHref(segments.joined(separator: "/")))
        case .unreadable?: return app.message("Draft", "\(name) cannot be read as a draft.", session: session)
        case .changed?:
            return app.message(
                "The draft changed",
                "\(name) changed since its page was shown, so nothing was written. Open it again to see its findings "
                    + "as they are now.", session: session, status: .conflict)
        case .noSuchFix?:
            return app.message(
                "No such fix", "That fix is no longer offered for \(name); open the draft again.", session: session,
                status: .conflict)
        case .failed(let reason)?:
            return app.message(
                "Not applied", "The fix could not be written to \(name): \(reason)", session: session,
                status: .conflict)
        }
    }

    /// `GET /api/drafts`.
    func apiDrafts() async -> Response {
        let account = await app.newsroom.drafts.account
        let due = await app.newsroom.nextBuild()
        return DeskApp.json(
            AccountDocuments.Drafts(
                nextIssue: .init(
                    date: account.nextIssue, buildAt: due.map { JSONText.timestamp($0.timeIntervalSince1970) }),
                drafts: account.drafts.map { AccountDocuments.DraftEntry(facts: $0.facts, standing: $0.standing) }))
    }
}
