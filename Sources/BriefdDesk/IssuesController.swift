import BriefdApp
import BriefdCore
import Foundation
import Hummingbird

/// `/issues` (the published ones), `/issues/next` (the coming one, previewed), `/issues/<date>` (a published one as
/// recorded), their documents and files, the build and the rebuild behind their confirmations, and the JSON API.
struct IssuesController {
    let app: DeskApp
    var newsroom: Newsroom { app.newsroom }

    func addRoutes(to router: Router<DeskRequestContext>) {
        router.get("/issues") { request, context in await archive(session: context.session(request)) }
        router.get("/issues/next/build") { request, context in
            let next = await newsroom.drafts.account.nextIssue
            let values = MessagePage(
                title: "Build the next issue",
                text: "Build the issue of \(next) now, as the schedule would? It is published at once.",
                confirmBuild: true, buildAction: "/issues/next/build", buildLabel: "Build and publish")
            return app.page("message", values, session: context.session(request))
        }
        router.post("/issues/next/build") { request, context in await build(session: context.session(request)) }
        router.get("/issues/:which/rebuild") { request, context in
            guard let date = DeskApp.day(context.parameters.get("which")) else {
                return app.notFound(context.session(request))
            }
            let values = MessagePage(
                title: "Replace the published issue",
                text:
                    "Replace the published issue of \(date)? It is built again from the drafts ready now and published at once; the version published now is kept and can be restored (briefd issues restore).",
                confirmBuild: true, buildAction: "/issues/\(date)/rebuild",
                buildLabel: "Replace the published issue of \(date)")
            return app.page("message", values, session: context.session(request))
        }
        router.post("/issues/:which/rebuild") { request, context in
            guard let date = DeskApp.day(context.parameters.get("which")) else {
                return app.notFound(context.session(request))
            }
            return await build(replacing: date, session: context.session(request))
        }
        router.get("/issues/:which/files/:name") { _, context in
            await file(context.parameters.get("which"), context.parameters.get("name") ?? "")
        }
        router.get("/issues/next") { request, context in
            let images = try DeskForms.query(ImagesQuery.self, request).shown
            return await nextIssue(images: images, session: context.session(request))
        }
        router.get("/issues/:which") { request, context in
            let images = try DeskForms.query(ImagesQuery.self, request).shown
            guard let date = DeskApp.day(context.parameters.get("which")) else {
                return app.notFound(context.session(request))
            }
            return await publishedIssue(date, images: images, session: context.session(request))
        }
        router.get("/issues/:which/:variant") { request, context in
            let variant = context.parameters.get("variant") ?? ""
            guard variant == "web" || variant == "email" else { return Response(status: .notFound) }
            let images = try DeskForms.query(ImagesQuery.self, request).shown
            return await document(context.parameters.get("which") ?? "", email: variant == "email", images: images)
        }
        router.get("/api/issues/next") { _, _ in await apiNextIssue() }
        router.get("/api/issues") { _, _ in await apiIssues() }
    }

    /// `/issues`: every published issue, newest first.
    func archive(session: String?) async -> Response {
        let published = await app.readOrLogged("the published issues", []) { try await newsroom.publishedIssues() }
        let rows = published.map { issue in
            ArchivePage.Row(
                date: issue.date, href: "/issues/\(issue.date)", title: DeskText.visible(issue.title),
                items: ItemCount(items: issue.items, sponsors: issue.sponsors).description,
                builtAt: issue.builtAt.map { app.time(DeskViews.seconds(iso: $0)) } ?? "imported",
                version: issue.version)
        }
        return app.page("archive", ArchivePage(issues: rows), session: session)
    }

    /// `/issues/next`: the coming issue as the templates render it, and what was left out.
    func nextIssue(images: Bool, session: String?) async -> Response {
        do {
            let (date, preview) = try await newsroom.preview()
            let report = preview.report
            let imagesQuery = images ? "?images=1" : ""
            let values = IssuePage(
                title: "Issue \(date) (preview)", date: date.description, isNext: true, hasIssue: preview.web != nil,
                included: report.included.map { DeskViews.includedRow($0) },
                leftOut: report.leftOut.map { DeskViews.leftOutRow($0) }, emailChecked: report.email != nil,
                emailFindings: DeskViews.emailRows(report.email),
                unverified: report.unverifiedLinks + report.unverifiedQuotes > 0,
                unverifiedLinks: DraftAccount.counted(report.unverifiedLinks, "link"),
                unverifiedQuotes: DraftAccount.counted(report.unverifiedQuotes, "quote"),
                web: "/issues/next/web" + imagesQuery, email: "/issues/next/email" + imagesQuery,
                imagesShown: images, imagesToggle: "/issues/next" + (images ? "" : "?images=1"))
            return app.page("issue", values, session: session)
        } catch {
            return app.message("Next issue", "The issue cannot be previewed: \(error)", session: session)
        }
    }

    /// `/issues/<date>`: a published issue as its build recorded it, its preservation and its delivery.
    func publishedIssue(_ date: Day, images: Bool, session: String?) async -> Response {
        let which = date.description
        let issue = await app.readOrLogged("the published issues", nil) { try await newsroom.publishedIssue(date) }
        guard let issue else { return app.notFound(session) }
        let items = await app.readOrLogged("the issue's items", []) { try await newsroom.items(of: date) }
        let report = await app.readOrLogged("the build report of \(which)", nil) {
            try await newsroom.buildReport(of: date)
        }
        let imagesQuery = images ? "?images=1" : ""
        let values = IssuePage(
            title: "Issue \(which)", date: which, isNext: false, hasIssue: true, published: true,
            builtAt: issue.builtAt.map { app.time(DeskViews.seconds(iso: $0)) } ?? "imported, not built here",
            version: issue.version, versions: issue.versions.count,
            included: items.map {
                IncludedRow(
                    path: DeskText.visible($0.path), href: DeskApp.draftHref($0.path),
                    title: DeskText.visible($0.title), placement: $0.placement)
            },
            leftOut: (report?.leftOut ?? []).map { DeskViews.leftOutRow($0, linked: false) },
            emailChecked: report?.email != nil, emailFindings: DeskViews.emailRows(report?.email),
            preservation: await ArchiveController(app: app).preservationRows(date),
            delivery: DeliveryController(app: app).values(issue),
            downloads: [
                .init(href: "/issues/\(which)/files/email.html", label: "Email HTML"),
                .init(href: "/issues/\(which)/files/digest.txt", label: "Text"),
                .init(href: "/issues/\(which)/files/digest.md", label: "Markdown"),
            ],
            web: "/issues/\(which)/web" + imagesQuery, email: "/issues/\(which)/email" + imagesQuery,
            imagesShown: images, imagesToggle: "/issues/\(which)" + (images ? "" : "?images=1"))
        return app.page("issue", values, session: session)
    }

    /// `/issues/<date>/files/<name>`: a published issue's email HTML, text or Markdown as recorded, as a download.
    func file(_ which: String?, _ name: String) async -> Response {
        let types = [
            "email.html": "text/html; charset=utf-8", "digest.txt": "text/plain; charset=utf-8",
            "digest.md": "text/markdown; charset=utf-8",
        ]
        guard let type = types[name], let date = DeskApp.day(which) else { return Response(status: .notFound) }
        let bytes = await app.readOrLogged("the issue's files", nil) { try await newsroom.recordedFile(name, of: date) }
        guard let bytes else { return Response(status: .notFound) }
        return Response(
            status: .ok,
            headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(date)-\(name)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The issue's own HTML (web or email), for the preview's frame: sandboxed, no script.
    func document(_ which: String, email: Bool, images: Bool) async -> Response {
        var html: String?
        if which == "next" {
            do {
                let preview = try await newsroom.preview().preview
                html = email ? preview.email : preview.web
            } catch {
                app.logger.error("the desk cannot preview the next issue", metadata: ["error": "\(error)"])
            }
            html = html ?? "<!DOCTYPE html><title>No issue</title><p>No draft is ready for the next issue yet.</p>"
        } else if let date = DeskApp.day(which) {
            html = await app.readOrLogged("the issue's files", nil) {
                try await newsroom.recordedFile(email ? "email.html" : "index.html", of: date)
            }.map { String(decoding: $0, as: UTF8.self) }
        }
        guard let html else { return Response(status: .notFound) }
        var response = DeskApp.html(html)
        // The issue's own styles are inline; it may be framed by the desk only, and runs nothing.
        // No remote resource unless the editor asked for the images on this view (a draft may name a tracking pixel).
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src \(images ? "https: data:" : "data:"); frame-ancestors 'self'; sandbox"
        return response
    }

    /// `POST /issues/next/build` (the coming issue, now) and `POST /issues/<date>/rebuild` (a published issue
    /// replaced, after its own confirmation): the application's one publish path.
    func build(replacing published: Day? = nil, session: String?) async -> Response {
        switch await newsroom.publish(published, replacing: published != nil, trigger: .desk) {
        case .busy:
            return app.message("Build", "A build is already running; reload in a moment.", session: session)
        case .done(let outcome, let date, let followUp):
            var values = DeskViews.outcome(outcome.report)
            if let followUp { values.problems.append(followUp) }
            if outcome.isEmpty {
                values.title = "Not built"
                values.text = "No draft is ready: the issue of \(date) was not built."
            } else {
                values.title = "Built"
                values.text =
                    published == nil
                    ? "The issue of \(date) was built and published."
                    : "The issue of \(date) was replaced: version \(outcome.version ?? 0) is published; the earlier one is kept."
                values.link = "/issues/\(date)"
                values.linkText = "See the issue"
            }
            return app.page("outcome", values, session: session)
        case .failed(let error, let date):
            let advice: String
            switch error.step {
            case .templates: advice = "A template in \(app.config.paths.templates) needs fixing."
            case .writing:
                advice =
                    error.isDiskFull
                    ? "The disk is full: free some space, then build again." : "The digests folder cannot be written."
            case .state: advice = "The state database cannot be used."
            case .published: advice = "It is already published."
            case .busy:
                advice = "Another build, restore or hand-off of this workspace is running; try again when it is done."
            }
            return app.message(
                "Build failed", "The issue of \(date) was not built. \(advice) (\(error))", session: session)
        }
    }

    /// `GET /api/issues/next`.
    func apiNextIssue() async -> Response {
        do {
            return DeskApp.json(AccountDocuments.IssuePlan(try await newsroom.preview().preview.report))
        } catch {
            app.logger.error("the desk cannot assemble the next issue", metadata: ["error": "\(error)"])
            return DeskApp.json(["error": "\(error)"], status: .internalServerError)
        }
    }

    /// `GET /api/issues`.
    func apiIssues() async -> Response {
        do {
            return DeskApp.json(["issues": try await newsroom.publishedIssues()])
        } catch {
            app.logger.error("the desk cannot read the published issues", metadata: ["error": "\(error)"])
            return DeskApp.json(["error": "\(error)"], status: .internalServerError)
        }
    }
}
