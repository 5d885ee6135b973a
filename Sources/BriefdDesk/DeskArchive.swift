import BriefdApp
import BriefdCore
import BriefdIO
import Foundation
import Hummingbird

/// The desk's view of preservation: an issue's own copy of a cited page (`/archive/<date>/<n>`, the capture in a
/// sandboxed frame under a banner saying what it is and when it was taken), each issue's preservation table, and
/// the copies offered for a dead link (own copy, Save Page Now, Wayback: in that order).
extension DeskApp {
    /// The capture of item `n` (1-based) of the issue of `date`; nil when there is no good copy.
    private func capture(_ which: String, _ number: String) async -> PageCapture? {
        guard let date = Day(iso: which), date.description == which, let n = Int(number), n >= 1, n <= 100_000
        else { return nil }
        let captures = await readOrLogged("the captures", []) {
            try await PreservationStore(state).captures(of: which)
        }
        return captures.first { $0.position == n - 1 && $0.isGoodCopy }
    }

    /// `GET /archive/<date>/<n>`: the banner and the frame.
    func archivedCopyPage(_ which: String, _ number: String, session: String?) async -> Response {
        guard let capture = await capture(which, number) else {
            return message(
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
            takenAt: capture.capturedAt.map(time) ?? "", issue: which, issueHref: "/issues/\(which)",
            status: capture.status ?? 0, excerpt: excerpt, frame: "/archive/\(which)/\(number)/page")
        return page("capture", values, session: session)
    }

    /// `GET /archive/<date>/<n>/page`: the captured page itself, for the frame only: sandboxed, no script, nothing
    /// fetched from anywhere (the copy must not call the live site, nor track the editor).
    func archivedCopyDocument(_ which: String, _ number: String) async -> Response {
        guard let capture = await capture(which, number),
            let copy = IssueArchiveFile.copy(
                of: capture.finalURL ?? capture.url, folder: config.paths.digests + "/" + which,
                maxBytes: config.archive.maxPageBytes)
        else { return Response(status: .notFound) }
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
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        return response
    }

    /// `GET /api/issues/<date>/archive`: as `briefd archive --format json` has it.
    func apiArchive(_ which: String) async -> Response {
        guard let date = Day(iso: which), date.description == which else { return Response(status: .notFound) }
        do {
            return DeskApp.json(try await PreservationReport(config: config, state: state).preservation(of: which))
        } catch {
            logger.error("the desk cannot read the captures", metadata: ["error": "\(error)"])
            return Response(status: .internalServerError)
        }
    }

    /// The issue page's preservation table.
    func preservationRows(_ which: String) async -> [IssuePage.PreservationRow] {
        let preservation = await readOrLogged("the captures", nil) {
            try await PreservationReport(config: config, state: state).preservation(of: which)
        }
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

    /// The copies of a troubled link, best first: the issue's own, Save Page Now's, then the Wayback lookup's.
    func copies(of urls: [String], wayback: [String: String]) async -> [String: [LinksPage.Copy]] {
        let store = PreservationStore(state)
        let own = await readOrLogged("the captures", [:]) { try await store.goodCopies(of: urls) }
        let snapshots = await readOrLogged("the snapshots", [:]) { try await store.snapshots(of: urls) }
        var copies: [String: [LinksPage.Copy]] = [:]
        for url in urls {
            var list: [LinksPage.Copy] = []
            if let capture = own[url] {
                list.append(
                    .init(
                        href: "/archive/\(capture.issueDate)/\(capture.position + 1)",
                        label: "the issue's own copy (\(capture.capturedAt.map(time) ?? ""))"))
            }
            if let snapshot = snapshots[url]?.snapshot, WebAddress(snapshot)?.isHTTP == true {
                list.append(.init(href: snapshot, label: "Save Page Now snapshot"))
            }
            // The monitor stores the best copy it offered; only a Wayback answer is not already listed.
            if let archived = wayback[url], WebAddress(archived)?.isHTTP == true,
                !archived.contains("/archive/\(own[url]?.issueDate ?? "-")/"), archived != snapshots[url]?.snapshot
            {
                list.append(.init(href: archived, label: "archived copy (Wayback Machine)"))
            }
            copies[url] = list
        }
        return copies
    }
}
