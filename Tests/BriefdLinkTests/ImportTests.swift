import BriefdCore
import BriefdIO
import BriefdApp
import BriefdTestSupport
import Foundation
import Testing

/// `briefd import` on issue pages in the newsletter's layouts: every item read as `expected.json` says, problems
/// reported with their lines, recorded once, watched by the rot monitor, listed in the archive, and briefd's own
/// digest.md read back into exactly the items of the issue it was built from.
@Suite(.timeLimit(.minutes(5))) struct ImportTests {
    struct Expected: Decodable, Sendable {
        struct Item: Decodable, Sendable, Equatable {
            var section: String
            var title: String
            var url: String
            var source: String
            var published: String?
            var featured: Bool
            var format: String?
            var via: String?
            var paywall: Bool
        }
        struct Page: Decodable, Sendable {
            var file: String
            var date: String
            var items: [Item]
            var problems: [String]
            var problem_count: Int
            var excerpts: [String: String]
        }
        var pages: [Page]
    }

    static let fixtures = Bundle.module.url(forResource: "Fixtures/import", withExtension: nil)!
    static let expected = try! JSONDecoder().decode(
        Expected.self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))

    /// A workspace with the repository's registry.
    struct Workspace {
        let base: TestWorkspace
        var folder: String { base.folder }
        var config: Config { base.config }
        var registry: Registry { base.registry }
        var state: StateDatabase { base.state }

        init() throws { base = try TestWorkspace(name: "import") }

        func run(_ inputs: [String], dryRun: Bool = false, links: LinkService? = nil) async throws -> ImportRun.Outcome
        {
            try await base.context(links: links).importPages(inputs, dryRun: dryRun, since: nil)
        }

        func remove() { base.remove() }
    }

    @Test(arguments: expected.pages.map(\.file))
    func everyItemOfALayoutIsRead(file: String) async throws {
        let page = Self.expected.pages.first { $0.file == file }!
        let workspace = try Workspace()
        defer { workspace.remove() }
        let outcome = try await workspace.run([Self.fixtures.appendingPathComponent(file).path], dryRun: true)
        let issue = try #require(outcome.pages.first?.issue)
        #expect(issue.date?.description == page.date)
        let items = issue.items.map {
            Expected.Item(
                section: $0.section, title: $0.title, url: $0.url, source: $0.source, published: $0.published,
                featured: $0.featured, format: $0.format, via: $0.via, paywall: $0.paywall)
        }
        #expect(items == page.items)
        #expect(issue.problems.count == page.problem_count, "\(issue.problems)")
        for wanted in page.problems {
            #expect(
                issue.problems.contains { $0.message.contains(wanted) && $0.line > 0 },
                "'\(wanted)' in \(issue.problems)")
        }
        for (title, excerpt) in page.excerpts {
            #expect(issue.items.first { $0.title == title }?.excerpt == excerpt)
        }
        // Standing text is never an item nor part of an excerpt.
        #expect(
            !issue.items.contains {
                $0.excerpt.contains("compilation of links") || $0.excerpt.contains("sponsoring a link")
                    || $0.excerpt.contains("matching grant")
            })
        #expect(outcome.pages.first?.outcome == "dry run")
        #expect(!FileManager.default.fileExists(atPath: workspace.config.paths.digests), "a dry run writes nothing")
    }

    @Test func anImportIsRecordedOnceWatchedByTheRotMonitorAndListedInTheArchive() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let page = Self.fixtures.appendingPathComponent("zgbriefs-2019-01-17.html").path
        let first = try await workspace.run([page])
        #expect(first.pages.first?.outcome == "recorded")
        let store = IssueStore(workspace.state)
        let day = Day(iso: "2019-01-17")!
        let items = try await store.items(of: day)
        #expect(items.count == 9)
        #expect(items.allSatisfy { $0.path == page })
        let archive = try String(contentsOfFile: workspace.config.paths.digests + "/index.html", encoding: .utf8)
        #expect(archive.contains("January 17, 2019"))
        let feed = try String(contentsOfFile: workspace.config.paths.digests + "/feed.xml", encoding: .utf8)
        #expect(feed.contains("China Shuts Down a Prominent Church, Again"))

        // Again: nothing changes.
        let archiveBefore = try Data(contentsOf: URL(fileURLWithPath: workspace.config.paths.digests + "/index.html"))
        let second = try await workspace.run([page])
        #expect(second.pages.first?.outcome == "already imported from this page; unchanged")
        #expect(try await store.items(of: day) == items)
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: workspace.config.paths.digests + "/index.html")) == archiveBefore)

        // The rot monitor watches every imported link, cited by its issue.
        let citations = try await RotMonitor(config: workspace.config, registry: workspace.registry, drafts: [])
            .citations(
                state: workspace.state)
        for item in items { #expect(citations[item.url]?.contains { $0.issue == "2019-01-17" } == true, "\(item.url)") }
    }

    @Test func anIssueBriefdBuiltIsNotOverwritten() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try await IssueStore(workspace.state).record(
            .init(date: "2019-01-17", title: "ZGBriefs | January 17, 2019", itemCount: 1, webURL: "", contentHTML: ""),
            items: [
                IssueStore.Item(
                    url: "https://example.org/built", identity: "x", title: "Built", placement: "Religion", path: "a.md"
                )
            ],
            files: [], builtAt: 0)
        let outcome = try await workspace.run([Self.fixtures.appendingPathComponent("zgbriefs-2019-01-17.html").path])
        #expect(outcome.pages.first?.outcome == "built by briefd; not overwritten")
        #expect(try await IssueStore(workspace.state).items(of: Day(iso: "2019-01-17")!).map(\.title) == ["Built"])
    }

    /// briefd's own digest.md, imported into a fresh workspace, gives back exactly the items of the built issue.
    @Test func briefdsOwnDigestRoundTrips() async throws {
        let built = try Workspace()
        defer { built.remove() }
        let root = String(#filePath).components(separatedBy: "/Tests/")[0]
        var config = built.config
        config.paths.drafts = root + "/examples/drafts"
        let outcome = try await DigestBuild(config: config, registry: built.registry, state: built.state)
            .run(date: Day(iso: "2026-12-03")!, root: config.paths.digests, dryRun: false)
        let folder = try #require(outcome.folder)
        let builtItems = try await IssueStore(built.state).items(of: Day(iso: "2026-12-03")!)
        #expect(builtItems.count >= 4)

        let fresh = try Workspace()
        defer { fresh.remove() }
        let imported = try await fresh.run([folder + "/digest.md"])
        #expect(imported.pages.first?.problems == [])
        let items = try await IssueStore(fresh.state).items(of: Day(iso: "2026-12-03")!)
        #expect(items.map(\.url) == builtItems.map(\.url))
        #expect(items.map(\.title) == builtItems.map(\.title))
        #expect(items.map(\.placement) == builtItems.map(\.placement))
        #expect(items.map(\.source) == builtItems.map(\.source))
    }

    @Test func anAddressIsFetchedThroughTheLinkService() async throws {
        let page = try String(
            contentsOf: Self.fixtures.appendingPathComponent("zgbriefs-2012-05-17.html"), encoding: .utf8)
        let server = try TestHTTPServer { request in
            request.path == "/zgbriefs/2012-05-17"
                ? .respond(status: 200, headers: ["Content-Type": "text/html"], body: page)
                : .respond(status: 404)
        }
        defer { server.stop() }
        let workspace = try Workspace()
        defer { workspace.remove() }
        // Politeness as the daemon's config has it: pages of one site are fetched at least 200 ms apart.
        var settings = workspace.config.links
        settings.perHostIntervalMilliseconds = 200
        let service = LinkService(
            settings: settings, registry: workspace.registry, state: workspace.state, version: "test")
        let url = "http://www.chinasource.localhost:\(server.port)/zgbriefs/2012-05-17"
        let outcome = try await workspace.run(
            [url, "http://www.chinasource.localhost:\(server.port)/gone"], links: service)
        await service.shutdown()
        #expect(outcome.pages.map(\.outcome) == ["recorded", "unreadable"])
        #expect(outcome.pages[1].problems.first?.message == "the page answered 404")
        #expect(try await IssueStore(workspace.state).items(of: Day(iso: "2012-05-17")!).count == 4)
        #expect(server.requests.count == 2)
        let arrivals = server.requests.map(\.receivedAt)
        #expect(arrivals.count == 2 && arrivals[1] - arrivals[0] >= 0.195, "gap \(arrivals) at the server")
    }

    /// Hostile pages: bounded in size and time, never a crash.
    @Test func hostilePagesAreBounded() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let huge = workspace.folder + "/huge.html"
        let item = "<p><a href=\"https://example.org/a\">A title of an item here</a> (May 1, 2020, Reuters)</p>\n"
        try ("<h1>ZGBriefs | May 7, 2020</h1>" + String(repeating: item, count: 260_000)).write(
            toFile: huge, atomically: true, encoding: .utf8)
        let deep = workspace.folder + "/deep.html"
        try
            ("<h1>ZGBriefs | May 7, 2020</h1>" + String(repeating: "<div>", count: 10_000) + item
            + String(repeating: "</div>", count: 10_000))
            .write(toFile: deep, atomically: true, encoding: .utf8)
        let outcome = try await workspace.run([huge, deep], dryRun: true)
        #expect(outcome.pages[0].outcome == "unreadable")
        #expect(
            outcome.pages[0].problems.first?.message.contains("over the limit of 5242880 (links.max_page_bytes)")
                == true)
        #expect(outcome.pages[1].issue?.date?.description == "2020-05-07")
    }
}

/// A build that fails says at which step, so that the scheduler and the desk can tell a template to fix from a
/// full disk.
@Suite(.timeLimit(.minutes(5))) struct BuildErrorTests {
    @Test func aMissingTemplateFailsAtTheTemplatesStep() async throws {
        let workspace = try ImportTests.Workspace()
        defer { workspace.remove() }
        var config = workspace.config
        config.paths.templates = workspace.folder + "/no-templates"
        await #expect {
            _ = try await DigestBuild(config: config, registry: workspace.registry, state: workspace.state)
                .run(date: Day(iso: "2026-12-03")!, root: config.paths.digests, dryRun: false)
        } throws: { error in
            guard let failure = error as? DigestBuild.BuildError else { return false }
            return failure.step == .templates && !failure.isDiskFull && failure.description.contains("template missing")
        }
    }

    @Test func aFullDiskIsRecognisedByItsErrorNumber() {
        #expect(DigestBuild.BuildError(.writing, "x", code: ENOSPC).isDiskFull)
        #expect(!DigestBuild.BuildError(.writing, "x", code: EACCES).isDiskFull)
        #expect(!DigestBuild.BuildError(.templates, "x", code: ENOSPC).isDiskFull)
    }
}
