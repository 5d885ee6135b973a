import BriefdCore
import BriefdDesk
import BriefdIO
@testable import BriefdApp
import BriefdTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// The desk in process, as Hummingbird tests itself (`HummingbirdTesting`, a live server on 127.0.0.1): every route,
/// the guard (Host, CSRF, origin, token and its limit, traversal, sizes), the JSON API, the preview's images.
@Suite("The desk in process", .serialized, .timeLimit(.minutes(2)))
struct DeskTests {
    /// A workspace with a few drafts and a desk over it.
    final class Desk: Sendable {
        let folder: String
        let app: DeskApp
        let drafts: DraftLedger
        let feed: DeskFeed
        let holder: WorkspaceHolder
        let state: StateDatabase
        /// nil offline.
        let links: LinkService?

        /// - Parameters:
        ///   - online: give the desk a link service (the hand-off's gate checks links with it).
        ///   - change: config changes after the defaults (delivery settings).
        init(
            token: String? = nil, online: Bool = false, environment: [String: String] = [:],
            change: (inout Config) -> Void = { _ in }
        ) async throws {
            folder =
                FileManager.default.temporaryDirectory.appendingPathComponent("briefd-desk-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
            var config = Config.defaults(at: folder + "/briefd.yml")
            config.paths.drafts = folder + "/drafts"
            config.paths.reports = folder + "/reports"
            config.paths.digests = folder + "/digests"
            config.paths.state = folder + "/briefd.sqlite"
            config.paths.templates = String(#filePath).components(separatedBy: "/Tests/")[0] + "/templates"
            config.web.listen = "127.0.0.1:0"
            change(&config)
            let registry = try RegistryParser.parse(
                "publications:\n  - {name: Sixth Tone, domains: [sixthtone.com]}\n", path: "sources.yml")
            try """
            ---
            title: A Clean Brief
            url: https://www.sixthtone.com/news/1
            source: Sixth Tone
            published: 2026-11-20
            section: \(config.newsletter.sections[0])
            ---
            The rules do not ban anything outright. They make every activity conditional on a licence that the
            regulators can withdraw at any time, which is a different thing from a ban. ![pixel](https://tracker.example.net/p.gif)
            """.write(toFile: folder + "/drafts/clean.md", atomically: true, encoding: .utf8)
            try "---\ntitle: Bidi\nkind: post\nauthor: A\ndate: 2026-11-20\n---\nText.\n"
                .write(toFile: folder + "/drafts/rtl-\u{202E}gnp.md", atomically: true, encoding: .utf8)
            let workspace = Workspace(config: config, registry: registry, fingerprint: "desk")
            let state = try StateDatabase(path: config.paths.state)
            feed = DeskFeed()
            drafts = try await DraftLedger(
                workspace: workspace, store: DaemonStore(state), logger: Logger(label: "test"), reviews: nil,
                version: "test",
                feed: feed)
            await drafts.scanAll(reason: "test")
            holder = WorkspaceHolder(workspace)
            self.state = state
            links =
                online ? LinkService(settings: config.links, registry: registry, state: state, version: "test") : nil
            let newsroom = Newsroom(
                holder: holder, drafts: drafts, feed: feed, state: state, links: links, logger: Logger(label: "test"),
                environment: environment)
            app = DeskApp(
                newsroom: newsroom,
                security: DeskSecurity(token: token, publicURL: config.web.publicURL, listen: config.web),
                metrics: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
        }

        func application() -> some ApplicationProtocol {
            Application(router: DeskService.router(app), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// One raw HTTP/1.1 request, for what a test client will not send (a foreign Host); returns the answer's head.
    /// Waited for on a dispatch thread: blocking a thread of the two-core concurrency pool on `recv` kept the desk
    /// itself (whose handlers need the pool) from answering, and a loaded run once read nothing within the old 5 s.
    static func raw(port: Int, _ text: String, keepOpen: Double = 0) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try rawBlocking(port: port, text, keepOpen: keepOpen) })
            }
        }
    }

    private static func rawBlocking(port: Int, _ text: String, keepOpen: Double) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return "" }
        _ = text.withCString { send(fd, $0, strlen($0), 0) }
        // A bound only so that a desk that never answers ends the test; an answer is expected in milliseconds.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        if keepOpen > 0 { usleep(UInt32(keepOpen * 1_000_000)) }
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }

    @Test func everyRouteAnswersWithItsType() async throws {
        let desk = try await Desk()
        try await desk.application().test(.live) { client in
            for (path, type) in [
                ("/", "text/html"), ("/drafts/clean.md", "text/html"), ("/issues/next", "text/html"),
                ("/issues", "text/html"),
                ("/links", "text/html"), ("/clip", "text/html"), ("/issues/next/web", "text/html"),
                ("/healthz", "application/json"),
                ("/api/drafts", "application/json"), ("/api/issues/next", "application/json"),
                ("/api/issues", "application/json"),
                ("/static/desk.css", "text/css"), ("/metrics", "text/plain"),
            ] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(
                        response.headers[.contentType]?.hasPrefix(type) == true,
                        "\(path): \(String(describing: response.headers[.contentType]))")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                }
            }
            try await client.execute(uri: "/nowhere", method: .get) { #expect($0.status == .notFound) }
        }
    }

    /// Every page gives its template every value the template names: a name the page does not have (a template
    /// asking for `hasReloadProblem` when the page gave none) is reported, not shown as nothing quietly.
    @Test func everyPageGivesItsTemplateEveryValueItNames() async throws {
        let desk = try await Desk()
        let date = await desk.drafts.account.nextIssue.description
        let token = desk.app.security.csrfToken(session: nil)
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]
        desk.holder.noteReload(.refused(settings: ["paths.reports"]))
        try await desk.application().test(.live) { client in
            try await client.execute(uri: "/", method: .get) { response in
                // The desk says which settings a refused reload named, and that the old config is in use.
                let body = String(buffer: response.body)
                #expect(body.contains("paths.reports change only when briefd is restarted"), "\(body)")
                #expect(body.contains("The old config is still in use"))
            }
            try await client.execute(
                uri: "/issues/next/build", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(token)")
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("was built and published"))
            }
            for path in [
                "/?status=ready", "/?fragment=rows", "/drafts/clean.md", "/drafts/rtl-%E2%80%AEgnp.md", "/issues/next",
                "/issues/\(date)", "/issues/\(date)?images=1", "/issues", "/links", "/clip", "/login",
                "/issues/next/build", "/issues/\(date)/rebuild", "/issues/\(date)/send-test",
                "/issues/\(date)/hand-off",
                "/nowhere",
            ] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok || response.status == .notFound, "\(path)")
                }
            }
            try await client.execute(
                uri: "/clip", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(token)&url=nonsense")
            ) { #expect($0.status == .unprocessableContent) }
        }
        #expect(desk.app.templateNamesNotGiven.isEmpty, "\(desk.app.templateNamesNotGiven)")
        desk.holder.noteReload(.applied)
        try await desk.application().test(.live) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(!String(buffer: response.body).contains("was not applied"))
            }
        }
    }

    /// Queries and forms are decoded once, by Hummingbird's `URLEncodedFormDecoder` (`+` is a space, `%2F` a slash);
    /// a path segment once too (a draft named `a%41.md` is that file, not `aA.md`); a query or form that does not
    /// decode is a 400, not a guess.
    /// The desk applies a fix (issue 32): an Apply button beside a finding with a fix, a POST with the page's
    /// content hash and the CSRF token, the draft written atomically and the page following; 409 when the draft
    /// changed since the page was shown, and nothing written.
    @Test func aFixIsAppliedFromTheDraftsPageOnlyToTheTextTheEditorSaw() async throws {
        let desk = try await Desk()
        let draft = desk.folder + "/drafts/fixable.md"
        let text = """
            ---
            title: A Section Misspelled
            url: https://www.sixthtone.com/news/2
            source: Sixth Tone
            published: 2026-11-20
            section: Religon
            ---
            The rules do not ban anything outright. They make every activity conditional on a licence that the
            regulators can withdraw at any time, which is a different thing from a ban.

            """
        try text.write(toFile: draft, atomically: true, encoding: .utf8)
        await desk.drafts.scanAll(reason: "test")
        let token = desk.app.security.csrfToken(session: nil)
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]
        try await desk.application().test(.live) { client in
            var fields: [String: String] = [:]
            try await client.execute(uri: "/drafts/fixable.md", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(
                    html.contains("Apply: Use the section &#39;Religion&#39;")
                        || html.contains("Apply: Use the section 'Religion'"), "\(html)")
                for name in ["hash", "fix"] {
                    let marker = "name=\"\(name)\" value=\""
                    if let start = html.range(of: marker) {
                        fields[name] = String(html[start.upperBound...].prefix { $0 != "\"" })
                    }
                }
            }
            let hash = try #require(fields["hash"])
            let fix = try #require(fields["fix"]).replacingOccurrences(of: "&#39;", with: "'")
            let body =
                "csrf=\(token)&hash=\(hash)&fix="
                + (fix.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            // Changed on disk since the page was shown: refused, the editor's text kept.
            let saved = text + "A line added meanwhile.\n"
            try saved.write(toFile: draft, atomically: false, encoding: .utf8)
            try await client.execute(
                uri: "/drafts/fixable.md", method: .post, headers: form, body: ByteBuffer(string: body)
            ) {
                response in
                #expect(response.status == .conflict)
            }
            #expect(try String(contentsOfFile: draft, encoding: .utf8) == saved)
            // As shown: applied, and the draft's page follows.
            try text.write(toFile: draft, atomically: false, encoding: .utf8)
            try await client.execute(
                uri: "/drafts/fixable.md", method: .post, headers: form, body: ByteBuffer(string: body)
            ) {
                response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/drafts/fixable.md")
            }
            #expect(
                try String(contentsOfFile: draft, encoding: .utf8)
                    == text.replacingOccurrences(of: "section: Religon", with: "section: Religion"))
            // Without the CSRF token: refused before the route.
            try await client.execute(
                uri: "/drafts/fixable.md", method: .post, headers: form, body: ByteBuffer(string: "hash=\(hash)&fix=x")
            ) { response in #expect(response.status == .forbidden) }
        }
    }

    @Test func formsQueriesAndPathsAreDecodedOnce() async throws {
        let desk = try await Desk()
        try "---\ntitle: Percent\nkind: post\nauthor: A\ndate: 2026-11-20\n---\nText.\n"
            .write(toFile: desk.folder + "/drafts/a%41.md", atomically: true, encoding: .utf8)
        try "---\ntitle: Decoded twice\nkind: post\nauthor: A\ndate: 2026-11-20\n---\nText.\n"
            .write(toFile: desk.folder + "/drafts/aA.md", atomically: true, encoding: .utf8)
        await desk.drafts.scanAll(reason: "test")
        let sections = Config.defaults(at: "/x").newsletter.sections
        let other = try #require(sections.dropFirst().first).replacingOccurrences(of: " ", with: "+")
        let token = desk.app.security.csrfToken(session: nil)
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]
        try await desk.application().test(.live) { client in
            try await client.execute(uri: "/drafts/a%2541.md", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("<h1>a%41.md</h1>"))
            }
            let encoded = sections[0].replacingOccurrences(of: " ", with: "+").replacingOccurrences(
                of: "/", with: "%2F")
            try await client.execute(uri: "/?fragment=rows&section=" + encoded, method: .get) { response in
                let rows = String(buffer: response.body)
                #expect(rows.contains("clean.md"), "\(rows)")
                #expect(!rows.contains("a%41.md"))
            }
            try await client.execute(uri: "/?fragment=rows&section=" + other, method: .get) { response in
                #expect(!String(buffer: response.body).contains("clean.md"))
            }
            for bad in ["/?status=%zz", "/issues/next?images=%", "/?status=ready&status=held"] {
                try await client.execute(uri: bad, method: .get) { #expect($0.status == .badRequest, "\(bad)") }
            }
            try await client.execute(
                uri: "/clip", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=\(token)&url=%E2%80%AEnot+an+address")
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("not an address"))
            }
            try await client.execute(
                uri: "/clip", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(token)&url=%zz")
            ) { #expect($0.status == .badRequest) }
        }
    }

    /// An issue's own copy of a cited page: the banner page says what it is and when it was taken, and the copy
    /// itself is served only for the frame, sandboxed, running nothing and loading nothing; the JSON API has every
    /// key; an item without a good copy is not found.
    @Test func theIssuesOwnCopyIsServedSandboxedUnderItsBanner() async throws {
        let desk = try await Desk()
        let date = "2026-12-03"
        let folder = desk.folder + "/digests/" + date
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let url = "https://www.sixthtone.com/news/1"
        let page = "<html><body><script>alert(1)</script><p>The captured article.</p></body></html>"
        let response = BriefdCore.HTTPResponse(
            status: 200, headers: ["content-type": "text/html; charset=utf-8"], body: Array(page.utf8),
            wire: WireExchange(
                requestHeader: Array("GET /news/1 HTTP/1.1\r\nHost: www.sixthtone.com\r\n\r\n".utf8),
                responseHeader: Array(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(page.utf8.count)\r\n\r\n"
                        .utf8), truncated: false))
        try IssueArchiveFile.append(
            try WARCWriter.exchange(url: url, response: response, at: 1_796_300_000, warcinfoID: nil), folder: folder,
            issue: date, newsletter: "ZGBriefs", software: "test", now: 1_796_300_000)
        let store = PreservationStore(desk.state)
        try await store.enqueue(
            issue: date, links: [(url: url, excerpt: "The captured article."), (url: url + "?gone", excerpt: "x")],
            savePageNow: false, now: 0)
        try await store.save([
            PageCapture(
                issueDate: date, url: url, position: 0, excerpt: "The captured article.", state: .captured, status: 200,
                finalURL: url, verdict: CaptureVerdict(good: true, excerptFound: true, reason: nil),
                capturedAt: 1_796_300_000, attempts: 1, nextTry: 0),
            PageCapture(
                issueDate: date, url: url + "?gone", position: 1, excerpt: "x", state: .captured, status: 404,
                verdict: CaptureVerdict(good: false, excerptFound: nil, reason: "the page answered 404"),
                capturedAt: 1_796_300_000, attempts: 1, nextTry: 0),
        ])
        try await desk.application().test(.live) { client in
            try await client.execute(uri: "/archive/\(date)/1", method: .get) { response in
                #expect(response.status == .ok)
                let body = String(buffer: response.body)
                #expect(
                    body.contains("This is briefd&#39;s own copy of a cited page, not the live page")
                        || body.contains("This is briefd's own copy of a cited page, not the live page"))
                #expect(
                    body.contains("The brief&#39;s excerpt is in it.") || body.contains("The brief's excerpt is in it.")
                )
                #expect(
                    body.contains(
                        "<iframe class=\"capture\" title=\"The captured page\" src=\"/archive/\(date)/1/page\" sandbox>"
                    ))
            }
            try await client.execute(uri: "/archive/\(date)/1/page", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == page)
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("default-src 'none'") && policy.contains("sandbox"))
                #expect(!policy.contains("script-src"))
            }
            for missing in [
                "/archive/\(date)/2", "/archive/\(date)/3", "/archive/not-a-date/1", "/archive/\(date)/2/page",
            ] {
                try await client.execute(uri: missing, method: .get) { #expect($0.status == .notFound, "\(missing)") }
            }
            try await client.execute(uri: "/api/issues/\(date)/archive", method: .get) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let links = json?["links"] as? [[String: Any]] ?? []
                #expect(links.count == 2)
                #expect(links.first?["copy"] as? String == "/archive/\(date)/1")
                #expect(links.last?["copy"] is NSNull)
                #expect(links.last?["reason"] as? String == "the page answered 404")
            }
        }
    }

    /// A published issue's page offers the hand-off; its confirmation's form hands the issue to listmonk (a
    /// stand-in) past the gate, and the page and `GET /api/issues` then show the campaign.
    @Test func aPublishedIssueIsHandedOffFromItsPage() async throws {
        let service = try ListmonkStandIn(user: "u", token: "t", subscribers: [])
        defer { service.stop() }
        let desk = try await Desk(
            online: true, environment: ["BRIEFD_LISTMONK_USER": "u", "BRIEFD_LISTMONK_TOKEN": "t"]
        ) {
            $0.delivery.from = Mailbox("newsletter@zgbriefs.test")
            $0.delivery.listmonk = ListmonkSettings(url: service.url, lists: [3])
            $0.archive.capture = false
            $0.links.timeoutSeconds = 2
        }
        let date = await desk.drafts.account.nextIssue.description
        let token = desk.app.security.csrfToken(session: nil)
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]
        try await desk.application().test(.live) { client in
            try await client.execute(
                uri: "/issues/next/build", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(token)")
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/issues/\(date)", method: .get) { response in
                let body = String(buffer: response.body)
                #expect(body.contains("Not handed to a mailing service yet."))
                #expect(body.contains("href=\"/issues/\(date)/hand-off\""))
            }
            try await client.execute(uri: "/issues/\(date)/hand-off", method: .get) { response in
                #expect(String(buffer: response.body).contains("action=\"/issues/\(date)/hand-off\""))
            }
            #expect(service.campaigns.isEmpty)  // asking is not doing
            try await client.execute(
                uri: "/issues/\(date)/hand-off", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(token)")
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(
                    String(buffer: response.body).contains("Made listmonk campaign 1 for the issue of \(date): draft."))
            }
            #expect(service.campaigns.count == 1)
            // The mailing service is told who calls it, with briefd's version, not as a link checker.
            #expect(service.userAgents == ["briefd/test (mailing service client)"], "\(service.userAgents)")
            try await client.execute(uri: "/api/issues", method: .get) { response in
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let issue = (json?["issues"] as? [[String: Any]])?.first
                let delivery = issue?["delivery"] as? [String: Any]
                #expect(delivery?["campaign_id"] as? String == "1")
                #expect(delivery?["status"] as? String == "draft")
            }
            try await client.execute(uri: "/issues/\(date)", method: .get) { response in
                #expect(String(buffer: response.body).contains("Campaign 1 at listmonk: draft"))
            }
            // Once scheduled, the confirmation says the campaign stays scheduled; it does not promise a draft.
            try await CampaignStore(desk.state).save(
                issue: date, version: 1, service: "listmonk", campaignID: "1", status: "scheduled",
                sendAt: "2026-12-10T08:00:00Z", forcedReason: nil, now: 0)
            try await client.execute(uri: "/issues/\(date)/hand-off", method: .get) { response in
                let body = String(buffer: response.body)
                #expect(
                    body.contains(
                        "listmonk campaign 1 is updated with the issue as published now and stays scheduled (it sends at 2026-12-10T08:00:00Z)"
                    ), "\(body)")
                #expect(!body.contains("as a draft"))
            }
        }
        await desk.links?.shutdown()
    }

    /// A hand-off the daemon cannot do (its keys were not in its environment) is shown disabled with the reason and
    /// the fix, and its confirmation says so instead of offering a form that would fail.
    @Test func aHandOffWithoutKeysIsShownDisabledWithTheFix() async throws {
        let desk = try await Desk(online: true, environment: [:]) {
            $0.delivery.from = Mailbox("newsletter@zgbriefs.test")
            $0.delivery.listmonk = ListmonkSettings(url: "http://127.0.0.1:9", lists: [3])
            $0.archive.capture = false
        }
        let date = await desk.drafts.account.nextIssue.description
        let token = desk.app.security.csrfToken(session: nil)
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]
        try await desk.application().test(.live) { client in
            try await client.execute(
                uri: "/issues/next/build", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(token)")
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/issues/\(date)", method: .get) { response in
                let body = String(buffer: response.body)
                #expect(!body.contains("href=\"/issues/\(date)/hand-off\""))
                #expect(
                    body.contains(
                        "the daemon was started without BRIEFD_LISTMONK_USER and BRIEFD_LISTMONK_TOKEN: set them in its environment"
                    ),
                    "\(body)")
            }
            try await client.execute(uri: "/issues/\(date)/hand-off", method: .get) { response in
                let body = String(buffer: response.body)
                #expect(!body.contains("action=\"/issues/\(date)/hand-off\""))
                #expect(body.contains("The hand-off is not possible now"))
            }
        }
        await desk.links?.shutdown()
    }

    @Test func aHostOtherThanTheDesksIsRefusedBeforeAnyRoute() async throws {
        let desk = try await Desk()
        try await desk.application().test(.live) { client in
            let port = try #require(client.port)
            let rebound = try await Self.raw(
                port: port,
                "GET /api/drafts HTTP/1.1\r\nHost: rebind.attacker.example:\(port)\r\nConnection: close\r\n\r\n")
            #expect(rebound.hasPrefix("HTTP/1.1 421"), "\(rebound)")
            #expect(!rebound.contains("clean.md"))
            let build = try await Self.raw(
                port: port,
                "POST /issues/next/build HTTP/1.1\r\nHost: rebind.attacker.example:\(port)\r\nOrigin: http://rebind.attacker.example:\(port)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            #expect(build.hasPrefix("HTTP/1.1 421"), "\(build)")
            // Counter-example: the desk's own address.
            let own = try await Self.raw(
                port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
            #expect(own.hasPrefix("HTTP/1.1 200"), "\(own)")
        }
    }

    @Test func aPostNeedsTheDesksTokenAndOrigin() async throws {
        let desk = try await Desk()
        try await desk.application().test(.live) { client in
            try await client.execute(
                uri: "/issues/next/build", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=wrong")
            ) { #expect($0.status == .forbidden) }
            let token = desk.app.security.csrfToken(session: nil)
            try await client.execute(
                uri: "/issues/next/build", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://evil.example"],
                body: ByteBuffer(string: "csrf=\(token)")
            ) { #expect($0.status == .forbidden) }
            #expect(try await IssueStore(desk.state).published().count == 0, "nothing was built")
            // A body over web.max_body_bytes is refused.
            try await client.execute(
                uri: "/clip", method: .post, headers: [.origin: "http://localhost"],
                body: ByteBuffer(string: "csrf=\(token)&url=" + String(repeating: "a", count: 200_000))
            ) { #expect($0.status == .contentTooLarge) }
        }
    }

    @Test func aPathOutsideTheDraftsFolderIsNotFound() async throws {
        let desk = try await Desk()
        try await desk.application().test(.live) { client in
            for path in [
                "/drafts/..%2f..%2fetc%2fpasswd", "/drafts/%2e%2e/briefd.sqlite", "/drafts/.hidden.md",
                "/drafts/clean.txt",
            ] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(!String(buffer: response.body).contains("root:"), "\(path)")
                }
            }
        }
    }

    @Test func wrongBearerTokensFromOneAddressAreSlowedDown() async throws {
        let desk = try await Desk(token: "the-desk-token")
        try await desk.application().test(.live) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<5 {
                try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer guess"]) {
                    statuses.append($0.status)
                }
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == .unauthorized }, "\(statuses)")
            #expect(statuses.suffix(2).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
            // The right token from another address is not held back by this one's failures.
            #expect(desk.app.security.failures.admit("127.0.0.9") == .check(failures: 1))
        }
    }

    /// A report that cannot be written (a file name too long for the file system once `.report.json` and the
    /// temporary prefix are added) makes the draft `unreadable` with the reason, and its retries back off without
    /// telling the live pages again and again (each event made every open page reload itself).
    @Test func aReportThatCannotBeWrittenIsSaidAndItsRetriesStayQuiet() async throws {
        let desk = try await Desk()
        let name = String(repeating: "n", count: 240) + ".md"
        try "---\ntitle: Long\nkind: post\nauthor: A\ndate: 2026-11-20\n---\nText.\n"
            .write(toFile: desk.folder + "/drafts/" + name, atomically: true, encoding: .utf8)
        await desk.drafts.scanAll(reason: "test")
        let entry = try #require(await desk.drafts.entry(of: name))
        #expect(entry.standing.status == .unreadable)
        #expect(entry.standing.reasons.first?.contains("its report cannot be written") == true, "\(entry.standing)")
        let subscription = try #require(desk.feed.subscription(client: "editor"))
        for _ in 0..<20 { await desk.drafts.flush(force: false) }
        await desk.drafts.flush(force: true)
        subscription.end()
        var events: [String] = []
        for await path in subscription.stream { events.append(path) }
        #expect(events.filter { $0 == name }.isEmpty, "the retries told the live pages \(events.count) times")
        #expect(await desk.drafts.upkeepFailuresInARow >= 1)
        // The other drafts are unaffected.
        #expect(await desk.drafts.entry(of: "clean.md")?.standing.status != .unreadable)
    }

    /// One client cannot take every live-update slot: at most eight streams per client, the others' still open.
    @Test func oneClientCannotHoldEveryLiveStream() throws {
        let feed = DeskFeed(maxListeners: 64)
        let mine = (0..<20).compactMap { _ in feed.subscription(client: "203.0.113.7") }
        #expect(mine.count == 8)
        #expect(feed.subscription(client: "198.51.100.4") != nil)
        mine[0].end()
        #expect(feed.subscription(client: "203.0.113.7") != nil)
    }

    /// `/healthz` names files and errors (a failed build's reason, the config's parse error) only to a logged-in
    /// editor or a request made on this machine directly; through a proxy, monitoring sees the states only.
    @Test func healthzDetailsOnlyToAnEditorOrThisMachine() async throws {
        let desk = try await Desk(token: "the-desk-token")
        try await DaemonStore(desk.state).recordBuild(
            due: 0, issueDate: "2026-12-10", finishedAt: 1, outcome: .failed("/etc/briefd/templates/web.mustache: oops")
        )
        try await desk.application().test(.live) { client in
            let direct = try await client.execute(uri: "/healthz", method: .get) { String(buffer: $0.body) }
            #expect(direct.contains("web.mustache"), "\(direct)")
            let proxied = try await client.execute(
                uri: "/healthz", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.7"]
            ) { String(buffer: $0.body) }
            #expect(!proxied.contains("web.mustache"), "\(proxied)")
            #expect(proxied.contains("\"outcome\":\"failed\""), "\(proxied)")
        }
    }

    /// The check and the count are one step: of 50 wrong tokens sent at once from one client, only the first three
    /// are checked; the rest are refused unchecked (429).
    @Test func fiftyParallelWrongTokensAreCheckedAtMostThreeTimes() async throws {
        let desk = try await Desk(token: "the-desk-token")
        try await desk.application().test(.live) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await client.execute(
                            uri: "/metrics", method: .get, headers: [.authorization: "Bearer guess"]
                        ) { $0.status }
                    }
                }
                var statuses: [HTTPResponse.Status] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses.count == 50)
            #expect(statuses.filter { $0 == .unauthorized }.count <= 3, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 47, "\(statuses)")
        }
    }

    /// Behind a reverse proxy every editor comes from the proxy's address: the client is the one the trusted proxy
    /// names in X-Forwarded-For, so a stranger's guesses never lock out an editor; from a peer that is not a trusted
    /// proxy the header is ignored (anyone could write it).
    @Test func throughATrustedProxyAStrangersFailuresDoNotLockOutAnEditor() async throws {
        let desk = try await Desk(token: "the-desk-token") { config in
            config.web.trustedProxies = [IPNetwork("127.0.0.1/32")!]
        }
        try await desk.application().test(.live) { client in
            for _ in 0..<6 {
                _ = try await client.execute(
                    uri: "/metrics", method: .get,
                    headers: [.authorization: "Bearer guess", HTTPField.Name("X-Forwarded-For")!: "203.0.113.7"]
                ) { $0.status }
            }
            let stranger = try await client.execute(
                uri: "/metrics", method: .get,
                headers: [.authorization: "Bearer guess", HTTPField.Name("X-Forwarded-For")!: "203.0.113.7"]
            ) { $0.status }
            #expect(stranger == .tooManyRequests)
            let editor = try await client.execute(
                uri: "/metrics", method: .get,
                headers: [
                    .authorization: "Bearer the-desk-token",
                    HTTPField.Name("X-Forwarded-For")!: "198.51.100.4, 203.0.113.9",
                ]
            ) { $0.status }
            #expect(editor == .ok)
        }
        #expect(
            WebSettings().client(peer: "127.0.0.1", forwardedFor: "203.0.113.7") == "127.0.0.1",
            "X-Forwarded-For from a peer that is not a trusted proxy is believed")
    }

    @Test func thePreviewLoadsNoRemoteImageUnlessAsked() async throws {
        let desk = try await Desk()
        try await desk.application().test(.live) { client in
            try await client.execute(uri: "/issues/next/web", method: .get) { response in
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("img-src data:;") && !policy.contains("https:"), "\(policy)")
            }
            try await client.execute(uri: "/issues/next/web?images=1", method: .get) { response in
                #expect(response.headers[.contentSecurityPolicy]?.contains("img-src https: data:") == true)
            }
            try await client.execute(uri: "/static/desk.js", method: .get) {
                #expect($0.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func bidirectionalControlsInNamesAreShownEscaped() async throws {
        let desk = try await Desk()
        try await desk.application().test(.live) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(
                    page.contains("rtl-&lt;U+202E&gt;gnp.md") || page.contains("rtl-<U+202E>gnp.md"), "escaped name")
                #expect(!page.contains("\u{202E}"))
            }
            // The draft's own page as well (it showed the name raw).
            try await client.execute(uri: "/drafts/rtl-%E2%80%AEgnp.md", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(
                    page.contains("rtl-&lt;U+202E&gt;gnp.md") || page.contains("rtl-<U+202E>gnp.md"), "escaped name")
                #expect(!page.contains("\u{202E}"), "the draft page shows U+202E raw")
            }
        }
    }

    /// The message audit over the desk (issue 31): every page's text has no raw library string and no time without
    /// its zone; the list's counts are the API's; `/api/drafts` and `/api/issues/next` validate against their
    /// schemas (docs/schemas, by scripts/validate_json.py).
    @Test func everyPageReadsAsAnEditorWould() async throws {
        let desk = try await Desk()
        let root = String(#filePath).components(separatedBy: "/Tests/")[0]
        try await desk.application().test(.live) { client in
            var problems: [String] = []
            for path in ["/", "/drafts/clean.md", "/issues/next", "/issues", "/links", "/clip", "/healthz"] {
                try await client.execute(uri: path, method: .get) { response in
                    let html = String(buffer: response.body)
                    // The text an editor reads: tags and scripts out, entities as they show.
                    let text = html.replacing(#/<script[\s\S]*?</script>|<style[\s\S]*?</style>/#, with: "")
                        .replacing(#/<[^>]+>/#, with: "\n").replacingOccurrences(of: "&amp;", with: "&")
                    problems += MessageAudit.problems(in: text, source: path)
                }
            }
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            var statuses: [String: Int] = [:]
            for (uri, schema) in [("/api/drafts", "account"), ("/api/issues/next", "issue-plan")] {
                try await client.execute(uri: uri, method: .get) { response in
                    let file = desk.folder + "/\(schema).json"
                    try Data(buffer: response.body).write(to: URL(fileURLWithPath: file))
                    // The validator is waited for off the concurrency pool (the desk's handlers need it).
                    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
                        DispatchQueue.global().async {
                            continuation.resume(
                                with: Result {
                                    let process = Process()
                                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                                    process.arguments = [
                                        "python3", root + "/scripts/validate_json.py", schema + ".schema.json", file,
                                    ]
                                    try process.run()
                                    process.waitUntilExit()
                                    return process.terminationStatus
                                })
                        }
                    }
                    #expect(status == 0, "\(uri) against \(schema)")
                    if schema == "account" {
                        let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                        for draft in json?["drafts"] as? [[String: Any]] ?? [] {
                            statuses[draft["status"] as? String ?? "", default: 0] += 1
                        }
                    }
                }
            }
            // The list's filter counts are the API's.
            try await client.execute(uri: "/", method: .get) { response in
                let html = String(buffer: response.body)
                for (status, count) in statuses {
                    #expect(html.contains("data-status=\"\(status)\">\(status) (\(count))"), "\(status): \(count)")
                }
                #expect(html.contains("<span id=\"total-count\">\(statuses.values.reduce(0, +))</span>"))
            }
        }
    }

    @Test func theJSONAPIHasEveryKey() async throws {
        let desk = try await Desk()
        try await desk.application().test(.live) { client in
            try await client.execute(uri: "/api/drafts", method: .get) { response in
                let json = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(Set((json["next_issue"] as? [String: Any])?.keys ?? [:].keys) == ["date", "build_at"])
                let first = try #require((json["drafts"] as? [[String: Any]])?.first)
                #expect(
                    Set(first.keys) == [
                        "path", "title", "kind", "section", "issue", "status", "reasons", "errors", "warnings",
                    ])
            }
            try await client.execute(uri: "/api/issues/next", method: .get) { response in
                let json = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(Set(json.keys).isSuperset(of: ["date", "items", "left_out"]))
                #expect((json["items"] as? [[String: Any]])?.first?["path"] as? String == "clean.md")
            }
        }
    }

    @Test func aClosedLiveStreamFreesItsSlotAtOnce() async throws {
        let desk = try await Desk()
        try await desk.application().test(.live) { client in
            let port = try #require(client.port)
            let head = try await Self.raw(port: port, "GET /events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
            // The socket closed on return; the slot must be free well before the 15 s heartbeat.
            let deadline = Date().addingTimeInterval(3)
            while desk.feed.listenerCount > 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(desk.feed.listenerCount == 0)
        }
    }
}
