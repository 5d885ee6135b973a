import BriefdApp
import BriefdCore
import Hummingbird

/// An issue's own copy of a cited page (`/archive/<date>/<n>`: the capture in a sandboxed frame under a banner
/// saying what it is and when it was taken), each issue's preservation table, and `GET /api/issues/<date>/archive`.
struct ArchiveController {
    let app: DeskApp

    func addRoutes(to router: Router<DeskRequestContext>) {
        router.get("/archive/:which/:number") { request, context in
            await copyPage(
                context.parameters.get("which"), context.parameters.get("number"),
                session: context.session(request))
        }
        router.get("/archive/:which/:number/page") { _, context in
            await copyDocument(context.parameters.get("which"), context.parameters.get("number"))
        }
        router.get("/api/issues/:which/archive") { _, context in await api(context.parameters.get("which")) }
    }

    /// The good copy of item `number` (1-based) of the issue of `which`; nil when there is none.
    private func capture(_ which: String?, _ number: String?) async -> PageCapture? {
        guard let date = DeskApp.day(which), let n = number.flatMap({ Int($0) }) else { return nil }
        return await app.readOrLogged("the captures", nil) { try await app.newsroom.capture(of: date, item: n) }
    }

    /// `GET /archive/<date>/<n>`: the banner and the frame.
    func copyPage(_ which: String?, _ number: String?, session: String?) async -> Response {
        guard let capture = await capture(which, number), let which, let number else {
            return app.message(
                "No copy", "The issue has no good copy of that item (see the issue's page for why).",
                session: session, status: .notFound)
        }
        var excerpt: String
        switch capture.verdict?.excerptFound {
        case true?: excerpt = "The brief's excerpt is in it."
        case false?: excerpt = "The brief's excerpt is NOT in it."
        case nil:
            excerpt =
                "Whether the excerpt is in it could not be checked: \(capture.verdict?.reason ?? "no reason recorded")."
        }
        if capture.verdict?.excerptFound == false, let reason = capture.verdict?.reason { excerpt += " (\(reason))" }
        let values = CapturePage(
            title: "Copy of \(DeskText.visible(capture.url))", url: DeskText.visible(capture.url),
            finalURL: capture.finalURL.map(DeskText.visible) ?? "",
            redirected: capture.finalURL != nil && capture.finalURL != capture.url,
            takenAt: capture.capturedAt.map(app.time) ?? "", issue: which, issueHref: "/issues/\(which)",
            status: capture.status ?? 0, excerpt: excerpt, frame: "/archive/\(which)/\(number)/page")
        return app.page("capture", values, session: session)
    }

    /// `GET /archive/<date>/<n>/page`: the captured page itself, for the frame only: sandboxed, no script, nothing
    /// fetched from anywhere (the copy must not call the live site, nor track the editor).
    func copyDocument(_ which: String?, _ number: String?) async -> Response {
        guard let capture = await capture(which, number) else { return Response(status: .notFound) }
        let copy: Newsroom.CapturedPage?
        do {
            copy = try app.newsroom.capturedPage(capture)
        } catch {
            // The database says there is a copy and the WARC cannot give it: a fault for the log, not a 404.
            app.logger.error("the desk cannot read a kept copy", metadata: ["error": "\(error)"])
            return DeskApp.text("The kept copy cannot be read now: \(error)\n", status: .internalServerError)
        }
        guard let copy else { return Response(status: .notFound) }
        // The charset is the captured page's word: passed on only when it looks like a charset's name.
        let charset = copy.charset.flatMap { name in
            !name.isEmpty && name.count <= 40
                && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) } ? name : nil
        }
        let type =
            copy.mediaType == "text/plain"
            ? "text/plain; charset=\(charset ?? "utf-8")"
            : "text/html" + (charset.map { "; charset=\($0)" } ?? "")
        var response = Response(
            status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: copy.body)))
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }

    /// `GET /api/issues/<date>/archive`: as `briefd archive --format json` has it.
    func api(_ which: String?) async -> Response {
        guard let date = DeskApp.day(which) else { return Response(status: .notFound) }
        do {
            return DeskApp.json(try await app.newsroom.preservation(of: date))
        } catch {
            app.logger.error("the desk cannot read the captures", metadata: ["error": "\(error)"])
            return Response(status: .internalServerError)
        }
    }

    /// The issue page's preservation table.
    func preservationRows(_ date: Day) async -> [IssuePage.PreservationRow] {
        let preservation = await app.readOrLogged("the captures", nil) { try await app.newsroom.preservation(of: date) }
        return (preservation?.links ?? []).map { link in
            var row = IssuePage.PreservationRow(
                url: DeskText.visible(link.url), captured: link.captured, status: link.status.map(String.init) ?? "–",
                excerpt: link.excerptFound.map { $0 ? "found" : "not found" } ?? "not checked",
                excerptClass: link.excerptFound.map { $0 ? "clean" : "error" } ?? "unverified", reason: link.reason,
                copy: link.copy)
            if let spn = link.savePageNow {
                row.spn = spn.status + (spn.statusExt.map { " (\($0))" } ?? "")
                // Only a web address becomes a link (the service's answer is outside input).
                row.snapshot = spn.snapshot.flatMap { WebAddress($0)?.isHTTP == true ? $0 : nil }
            }
            return row
        }
    }
}
