import BriefdCore
import BriefdIO
import BriefdApp
import BriefdTestSupport
import Foundation
import Testing

/// `briefd clip` against pages in the layouts of real news sites, served on 127.0.0.1 under `*.localhost` names
/// (curl resolves those to loopback itself), through the real link service: fields, excerpt, the file written.
@Suite(.timeLimit(.minutes(5))) struct ClipTests {
    struct Site: Decodable, Sendable {
        var name: String
        var file: String
        var host: String
        var path: String
        var content_type: String?
        var title: String
        var url: String
        var source: String
        var published: String?
        var format: String?
        var via: String?
        var paywall: Bool
        var excerpt_starts: String
        var excerpt_excludes: [String]
        var note: String?
    }

    struct Expected: Decodable, Sendable {
        var sites: [Site]
        var registry: String
    }

    static let fixtures = Bundle.module.url(forResource: "Fixtures/clip", withExtension: nil)!
    static let expected: Expected = try! JSONDecoder().decode(
        Expected.self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))

    static func page(_ file: String) -> String {
        try! String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8)
    }

    /// Serves every fixture at its host and path (query ignored), a redirect chain to the BBC page, a PDF, a 404.
    static func server() throws -> TestHTTPServer {
        let sites = expected.sites
        return try TestHTTPServer { request in
            let host = (request.headers["host"] ?? "").split(separator: ":").first.map(String.init) ?? ""
            let path = String(request.path.split(separator: "?", maxSplits: 1).first ?? "")
            switch path {
            case "/old-address": return .respond(status: 301, headers: ["Location": "/older-address"])
            case "/older-address":
                return .respond(status: 302, headers: ["Location": "/news/world-asia-china-67000001"])
            case "/report.pdf":
                return .respond(status: 200, headers: ["Content-Type": "application/pdf"], body: "%PDF-1.7\n")
            default: break
            }
            guard
                let site = sites.first(where: {
                    $0.host == host && $0.path.hasPrefix(path) && !path.isEmpty && path != "/"
                })
            else {
                return .respond(status: 404, headers: ["Content-Type": "text/html"], body: "<title>Not found</title>")
            }
            return .respond(
                status: 200, headers: ["Content-Type": site.content_type ?? "text/html; charset=utf-8"],
                body: page(site.file))
        }
    }

    /// A workspace with the fixtures' registry.
    struct Workspace {
        let base: TestWorkspace
        var folder: String { base.folder }
        var config: Config { base.config }
        var registry: Registry { base.registry }
        var state: StateDatabase { base.state }

        init() throws { base = try TestWorkspace(name: "clip", registry: ClipTests.expected.registry) }

        func clip(_ url: String, write: Bool = false, section: String? = nil, page: ClipRun.Page = .web) async throws
            -> ClipRun.Outcome
        {
            let service = LinkService(settings: config.links, registry: registry, state: state, version: "test")
            defer { Task { await service.shutdown() } }
            return try await base.context(links: service).clip(
                url, page: page, section: section, issue: nil, featured: false, write: write,
                today: Day(year: 2026, month: 11, day: 27)!)
        }

        func drafts() throws -> [String] { try base.drafts() }
        func remove() { base.remove() }
    }

    @Test(arguments: expected.sites.map(\.name))
    func everyFieldOfASiteLayoutIsRight(site name: String) async throws {
        let site = Self.expected.sites.first { $0.name == name }!
        let server = try Self.server()
        defer { server.stop() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        let origin = "http://\(site.host):\(server.port)"
        let outcome = try await workspace.clip(origin + site.path)
        let draft = outcome.result.draft
        #expect(draft.title == site.title)
        #expect(draft.url == site.url.replacingOccurrences(of: "{origin}", with: origin))
        #expect(draft.source == site.source)
        #expect(draft.published?.description == site.published)
        #expect(draft.format == site.format)
        #expect(draft.via == site.via)
        #expect(draft.paywall == site.paywall)
        let excerpt = draft.excerpt.joined(separator: "\n\n")
        #expect(excerpt.hasPrefix(site.excerpt_starts), "\(excerpt)")
        for unwanted in site.excerpt_excludes { #expect(!excerpt.contains(unwanted), "'\(unwanted)' in \(excerpt)") }
        if let note = site.note {
            #expect(outcome.result.notes.contains { $0.contains(note) }, "\(outcome.result.notes)")
        }
        // One request per page: no HEAD first, no second fetch for the quote.
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.headers["user-agent"]?.hasPrefix("briefd/") == true)
        // The excerpt is the page's words: the quote check against the kept page says so.
        #expect(outcome.findings.contains { $0.rule == .quoteVerified }, "\(outcome.findings)")
        #expect(outcome.path == nil)
        #expect(try workspace.drafts().isEmpty, "--print writes nothing")
    }

    @Test func theWrittenDraftIsCleanAndNeverOverwritesAnother() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        let url = "http://www.bbc.localhost:\(server.port)/news/world-asia-china-67000001"
        let first = try await workspace.clip(url, write: true)
        let name = "2026-11-18-china-s-village-teachers-face-a-quiet-exodus"
        #expect(first.path == workspace.config.paths.drafts + "/\(name).md")
        let written = try String(contentsOfFile: first.path!, encoding: .utf8)
        #expect(written == first.markdown)
        // What briefd check would say of it, from scratch: no error, the quote verified against the kept page.
        let checked = DraftChecker(
            config: workspace.config, registry: workspace.registry, today: Day(year: 2026, month: 11, day: 27)!
        )
        .check(path: first.path!, bytes: Array(written.utf8))
        #expect(!checked.report.hasErrors, "\(checked.report.findings)")
        let review = try await RunContext(
            config: workspace.config, registry: workspace.registry, state: workspace.state, links: nil
        )
        .review([checked.draft!], mode: .cached)
        // Reading the page was no link check: the cached review names the link as not checked yet.
        #expect(review.findings[first.path!]?.map(\.rule) == [.linkUnverified, .quoteVerified])
        #expect(first.findings.allSatisfy { $0.severity != .error })

        let second = try await workspace.clip(url, write: true)
        #expect(second.path == workspace.config.paths.drafts + "/\(name)-2.md")
        #expect(try workspace.drafts() == ["\(name)-2.md", "\(name).md"])
        #expect(try String(contentsOfFile: first.path!, encoding: .utf8) == written, "the first draft is untouched")
    }

    @Test func aRedirectChainEndsAtTheCanonicalAddress() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        let outcome = try await workspace.clip("http://www.bbc.localhost:\(server.port)/old-address")
        #expect(outcome.result.draft.url == "https://www.bbc.localhost/news/world-asia-china-67000001")
        #expect(server.requests.map(\.path) == ["/old-address", "/older-address", "/news/world-asia-china-67000001"])
    }

    @Test func aPublicationsUsualSectionIsChosen() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        let earlier = """
            ---
            title: An earlier BBC piece
            url: https://www.bbc.localhost/news/1
            source: BBC News
            published: 2026-11-01
            section: Religion
            ---
            Some words from the earlier piece, enough of them to be an excerpt of the usual house length.
            """
        try earlier.write(toFile: workspace.config.paths.drafts + "/earlier.md", atomically: true, encoding: .utf8)
        // Published issues count too: two Sixth Tone items ran in Books.
        try await IssueStore(workspace.state).record(
            .init(date: "2026-11-05", title: "ZGBriefs", itemCount: 2, webURL: "", contentHTML: ""),
            items: (1...2).map {
                IssueStore.Item(
                    url: "https://www.sixthtone.localhost/news/\($0)", identity: "\($0)", title: "T",
                    placement: "Books", path: "x.md", source: "Sixth Tone")
            }, files: [], builtAt: 0)
        let bbc = try await workspace.clip("http://www.bbc.localhost:\(server.port)/news/world-asia-china-67000001")
        #expect(bbc.result.draft.section == "Religion")
        let sixthTone = try await workspace.clip("http://www.sixthtone.localhost:\(server.port)/news/1016001")
        #expect(sixthTone.result.draft.section == "Books")
        let asked = try await workspace.clip(
            "http://www.sixthtone.localhost:\(server.port)/news/1016001", section: "Travel / Food")
        #expect(asked.result.draft.section == "Travel / Food")
        let reuters = try await workspace.clip(
            "http://www.reuters.localhost:\(server.port)/markets/currencies/chinas-yuan-steadies-2026-11-20/")
        #expect(reuters.result.draft.section == workspace.config.newsletter.sections.first)
    }

    @Test(arguments: [
        ("/report.pdf", "not-html"), ("/gone", "broken"),
    ])
    func aPageThatCannotBeHadIsAnError(path: String, verdict: String) async throws {
        let server = try Self.server()
        defer { server.stop() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        await #expect {
            try await workspace.clip("http://www.bbc.localhost:\(server.port)\(path)", write: true)
        } throws: { ($0 as? ClipRun.Unavailable)?.verdict == verdict }
        #expect(try workspace.drafts().isEmpty)
    }

    @Test func anInternalAddressIsNeverRequested() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        await #expect {
            try await workspace.clip("http://169.254.169.254/latest/meta-data/", write: true)
        } throws: { ($0 as? ClipRun.Unavailable)?.verdict == "blocked-address" }
        #expect(try workspace.drafts().isEmpty)
    }

    @Test func aSavedPageIsReadAndKeptForTheQuote() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let bytes = Array(
            Self.page("paywalled.html").replacingOccurrences(
                of: "<div class=\"paywall-message\">",
                with:
                    "<p>The state-backed champions have absorbed two rivals and are in talks with a third, according to people familiar with the deals, leaving fewer and larger firms to compete for the subsidies that Beijing has promised.</p><div>"
            ).utf8)
        let outcome = try await workspace.clip(
            "https://www.thewirechina.localhost/2026/11/16/quiet-consolidation-chip-makers/", write: true,
            page: .saved(file: "saved.html", bytes: bytes))
        #expect(outcome.result.draft.paywall)
        #expect(outcome.result.draft.excerpt.count == 2)
        #expect(!outcome.result.notes.contains { $0.contains("shows only") })
        #expect(outcome.findings.contains { $0.rule == .quoteVerified })
    }

    /// Hostile pages: bounded in size and time, never a crash.
    @Test func hostilePagesAreBounded() async throws {
        let huge =
            "<html><head><title>Huge</title></head><body><article>"
            + String(repeating: "<p>All work and no play makes a very long page indeed, for sure.</p>", count: 320_000)
            + "</article></body></html>"
        let deep =
            "<html><body>" + String(repeating: "<div>", count: 10_000)
            + "<p>A paragraph at the bottom of ten thousand nested elements, which is still a paragraph of prose.</p>"
            + String(repeating: "</div>", count: 10_000) + "</body></html>"
        let server = try TestHTTPServer { request in
            .respond(status: 200, headers: ["Content-Type": "text/html"], body: request.path == "/huge" ? huge : deep)
        }
        defer { server.stop() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        #expect(huge.utf8.count > 20_000_000)
        let big = try await workspace.clip("http://www.huge.localhost:\(server.port)/huge")
        // Read up to links.max_page_bytes (5 MiB), the rest never read: still a draft, within the word range.
        #expect(big.result.draft.excerpt.first?.hasPrefix("All work and no play") == true)
        #expect(
            ExcerptCutter.wordCount(big.result.draft.excerpt.joined(separator: " "))
                <= workspace.config.checks.excerptWords.upperBound)
        let nested = try await workspace.clip("http://www.deep.localhost:\(server.port)/deep")
        // libxml2 stops building the tree at its depth limit (256): no excerpt, and the note says what to do.
        #expect(nested.result.draft.excerpt.isEmpty)
        #expect(nested.result.notes.contains { $0.hasPrefix("the page has no article text to excerpt") })
    }
}
