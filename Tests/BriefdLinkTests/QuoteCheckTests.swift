import BriefdCore
import BriefdIO
import BriefdApp
import BriefdTestSupport
import Foundation
import Testing

/// Quote fidelity against real article pages served on 127.0.0.1: every finding, with positions at the words.
@Suite(.timeLimit(.minutes(5))) struct QuoteCheckTests {
    static let article = """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The Party and Its Tech Giants | The Wire China</title>
        <meta property="article:published_time" content="2026-11-20T06:00:00+08:00">
        <script>window.analytics = "The campaign against China’s largest technology companies";</script></head>
        <body><header><nav><a href="/">Home</a> · <a href="/tech">Tech</a> · <a href="/subscribe">Subscribe</a></nav></header>
        <main><article><h1>Why the Party Is Reining In Its Tech Giants</h1>
        <p class="byline">By Mara Feld · November 20, 2026</p>
        <p>The campaign against China’s largest technology companies did not begin with a single decision. It grew
        out of years of unease inside the Party about private firms that had come to hold more data on ordinary
        citizens than any ministry, and about founders whose public profiles rivalled those of senior officials.</p>
        <p>What changed in the past year is the tone. Regulators who once spoke of “guiding” the platform economy now
        speak of “rectifying” it, and the fines, delayed listings and forced restructurings have followed a pattern
        familiar from earlier campaigns against property developers and private tutoring.</p>
        <aside><h2>Related</h2><p>Five charts that explain the platform economy</p></aside>
        <p>“Nobody in the industry thinks this is over,” said one investor in Shanghai.</p>
        </article></main>
        <footer><p>© The Wire China. Regulators who once spoke of nothing at all.</p></footer></body></html>
        """

    /// A server with the article, a PDF, and a page that is gone.
    static func server() throws -> TestHTTPServer {
        try TestHTTPServer { request in
            switch request.path {
            case "/story":
                return .respond(status: 200, headers: ["Content-Type": "text/html; charset=utf-8"], body: article)
            case "/moved": return .respond(status: 301, headers: ["Location": "/story"])
            case "/report.pdf":
                return .respond(status: 200, headers: ["Content-Type": "application/pdf"], body: "%PDF-1.7")
            default: return .respond(status: 404, body: "<title>Not found</title>")
            }
        }
    }

    static func config(state: String) -> Config {
        var config = Config.defaults(at: state + "/briefd.yml")
        config.paths.state = state + "/briefd.sqlite"
        config.links.allowNetworks = [IPNetwork("127.0.0.0/8")!]
        config.links.perHostIntervalMilliseconds = 0
        config.links.retries = 0
        return config
    }

    static func brief(url: String, published: String = "2026-11-20", body: String) -> Draft {
        let text = """
            ---
            title: Why the Party Is Reining In Its Tech Giants
            url: \(url)
            source: The Wire China
            published: \(published)
            section: Government / Politics / Foreign Affairs
            ---
            \(body)
            """
        return DraftParser.parse(path: "brief.md", bytes: Array(text.utf8)).draft!
    }

    /// Fetches the sources of `drafts` from the server and returns each draft's quote findings.
    static func check(_ drafts: [Draft], refresh: Bool = false, folder: String) async throws -> [String: [Finding]] {
        let config = config(state: folder)
        let service = LinkService(
            settings: config.links, registry: .empty, state: try StateDatabase(path: config.paths.state),
            version: "test")
        let urls = drafts.flatMap { QuoteCheck.quotes(in: $0).map(\.url) }
        let snapshots = try await service.pages.snapshots(of: urls, refresh: refresh)
        await service.shutdown()
        return QuoteRun.findings(drafts, snapshots: snapshots, registry: .empty)
    }

    static func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-quotes-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    func findings(_ body: String, path: String = "/story", published: String = "2026-11-20") async throws -> [Finding] {
        let server = try Self.server()
        defer { server.stop() }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let draft = Self.brief(url: server.url + path, published: published, body: body)
        return try await Self.check([draft], folder: folder)["brief.md"] ?? []
    }

    @Test func aVerbatimExcerptIsVerified() async throws {
        let found = try await findings(
            """
            The campaign against China's largest technology companies did not begin with a single decision. It grew
            out of years of unease inside the Party about private firms.
            """)
        #expect(found.map(\.rule) == [.quoteVerified])
        #expect(found.first?.position == SourcePosition(line: 8, column: 1))
    }

    /// As deployed: the page fetched online, labelled gb2312 by its server (most Chinese sites' label), holding GBK
    /// characters; the excerpt quotes the words after the first of them.
    @Test func aQuoteFromAGB2312PageIsVerifiedPastItsGBKCharacters() async throws {
        // 国务院前总理朱镕基说，改革必须继续推进。他还说，开放的大门不会关闭，经济将继续增长。 in GBK (镕 = E9 46).
        let paragraph: [UInt8] = [
            0xB9, 0xFA, 0xCE, 0xF1, 0xD4, 0xBA, 0xC7, 0xB0, 0xD7, 0xDC, 0xC0, 0xED, 0xD6, 0xEC, 0xE9, 0x46, 0xBB, 0xF9,
            0xCB, 0xB5, 0xA3, 0xAC, 0xB8, 0xC4, 0xB8, 0xEF, 0xB1, 0xD8, 0xD0, 0xEB, 0xBC, 0xCC, 0xD0, 0xF8, 0xCD, 0xC6,
            0xBD, 0xF8, 0xA1, 0xA3, 0xCB, 0xFB, 0xBB, 0xB9, 0xCB, 0xB5, 0xA3, 0xAC, 0xBF, 0xAA, 0xB7, 0xC5, 0xB5, 0xC4,
            0xB4, 0xF3, 0xC3, 0xC5, 0xB2, 0xBB, 0xBB, 0xE1, 0xB9, 0xD8, 0xB1, 0xD5, 0xA3, 0xAC, 0xBE, 0xAD, 0xBC, 0xC3,
            0xBD, 0xAB, 0xBC, 0xCC, 0xD0, 0xF8, 0xD4, 0xF6, 0xB3, 0xA4, 0xA1, 0xA3,
        ]
        let page =
            Array("<html><head><title>News</title></head><body><article><p>".utf8) + paragraph
            + Array("</p></article></body></html>".utf8)
        let server = try TestHTTPServer { _ in
            .respondBytes(headers: ["Content-Type": "text/html; charset=gb2312"], body: page)
        }
        defer { server.stop() }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let draft = Self.brief(url: server.url + "/news", body: "改革必须继续推进。他还说，开放的大门不会关闭，经济将继续增长。")
        let found = try await Self.check([draft], folder: folder)["brief.md"] ?? []
        #expect(found.map(\.rule) == [.quoteVerified], "\(found)")
    }

    @Test(arguments: ["[…]", "[...]", "…", "...", ". . ."])
    func omissionsOfEveryStyleAreVerified(mark: String) async throws {
        let found = try await findings(
            "The campaign against China's largest technology companies \(mark) What changed in the past year is the tone."
        )
        #expect(found.map(\.rule) == [.quoteVerified], "\(found)")
        #expect(found.first?.message.contains("2 fragments, in order") == true)
    }

    @Test func aBracketedInsertionIsVerified() async throws {
        let found = try await findings(
            "[Beijing's] regulators who once spoke of \"guiding\" the platform economy now speak of \"rectifying\" it.")
        #expect(found.map(\.rule) == [.quoteVerified], "\(found)")
    }

    @Test func oneChangedWordIsAlteredAtThatWord() async throws {
        let found = try await findings(
            """
            Regulators who once spoke of "guiding" the platform economy now speak of "crushing" it, and the fines,
            delayed listings and forced restructurings have followed a pattern.
            """)
        #expect(found.map(\.rule) == [.quoteAltered], "\(found)")
        let finding = try #require(found.first)
        #expect(finding.position == SourcePosition(line: 8, column: 75))  // the word "crushing"
        #expect(finding.message.contains("'crushing' where the page has 'rectifying'"))
        #expect(finding.suggestion?.contains("“rectifying”") == true)
    }

    @Test func swappedFragmentsAreOutOfOrder() async throws {
        let found = try await findings(
            "What changed in the past year is the tone. [...] It grew out of years of unease inside the Party.")
        #expect(found.map(\.rule) == [.quoteOutOfOrder], "\(found)")
        #expect(found.first?.position == SourcePosition(line: 8, column: 50))  // "It grew"
    }

    @Test func aFabricatedSentenceIsNotFound() async throws {
        let found = try await findings(
            """
            The campaign against China's largest technology companies did not begin with a single decision. [...] \
            Officials promised that the crackdown would end before the spring festival holiday next year.
            """)
        #expect(found.map(\.rule) == [.quoteNotFound], "\(found)")
        #expect(found.first?.position == SourcePosition(line: 8, column: 103))  // "Officials"
    }

    @Test func chromeIsNotTheArticle() async throws {
        // A related-links box is not the article, whatever words it shares with it.
        let found = try await findings("Five charts that explain the platform economy")
        #expect(found.map(\.rule) == [.quoteNotFound], "\(found)")
    }

    @Test func aDateThatDiffersFromThePageIsReported() async throws {
        let found = try await findings("What changed in the past year is the tone.", published: "2026-11-18")
        #expect(Set(found.map(\.rule)) == [.quoteVerified, .briefDateMismatch])
        let mismatch = try #require(found.first { $0.rule == .briefDateMismatch })
        #expect(mismatch.position == SourcePosition(line: 5, column: 12))
        #expect(mismatch.suggestion == "2026-11-20")
    }

    @Test(arguments: [("/gone", "answered 404"), ("/report.pdf", "application/pdf, not HTML")])
    func anUnreadableSourceIsSaidWhy(path: String, reason: String) async throws {
        let found = try await findings("What changed in the past year is the tone.", path: path)
        #expect(found.map(\.rule) == [.quoteSourceUnavailable])
        #expect(found.first?.message.contains(reason) == true, "\(found)")
    }

    @Test func redirectsAreFollowedAndSnapshotsKeptUntilRefresh() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let draft = Self.brief(url: server.url + "/moved", body: "What changed in the past year is the tone.")
        #expect(try await Self.check([draft], folder: folder)["brief.md"]?.map(\.rule) == [.quoteVerified])
        let requests = server.requests.count
        #expect(requests == 2)  // The redirect and the page.
        // The snapshot answers the next check; --refresh fetches again.
        #expect(try await Self.check([draft], folder: folder)["brief.md"]?.map(\.rule) == [.quoteVerified])
        #expect(server.requests.count == requests)
        _ = try await Self.check([draft], refresh: true, folder: folder)
        #expect(server.requests.count == requests + 2)
    }

    @Test func snapshotsAreKeptCompressedAndReadBackWhole() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = PageStore(try StateDatabase(path: folder + "/briefd.sqlite"))
        let text = String(repeating: "The campaign against China’s largest technology companies. ", count: 2_000)
        try await store.record(
            PageSnapshot(
                url: "https://a.org/x", fetchedAt: 1, status: 200, text: text, published: Day(iso: "2026-11-20"),
                problem: nil))
        let back = try #require(try await store.latest(["https://a.org/x"])["https://a.org/x"])
        #expect(back.text == text)
        #expect(back.published == Day(iso: "2026-11-20"))
        // Stored deflated, not as text: ask SQLite itself.
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: try RotMonitorTests.pythonExecutable())
        probe.arguments = [
            "-c",
            """
            import sqlite3
            row = sqlite3.connect('\(folder)/briefd.sqlite').execute(
                "SELECT text IS NULL, length(text_deflated), text_bytes FROM page_snapshot").fetchone()
            print(*row)
            """,
        ]
        let output = Pipe()
        probe.standardOutput = output
        try probe.run()
        let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        let numbers = answer.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(numbers.count == 3, "\(answer)")
        #expect(numbers.first == 1)
        #expect(numbers.count == 3 && numbers[1] * 10 < numbers[2], "\(answer)")
    }

    @Test func aPostsBlockQuoteIsComparedWithTheLinkInItsLeadIn() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = """
            ---
            kind: post
            title: Notes
            author: Joann Pittman
            date: 2026-11-24
            ---
            Mara Feld, writing in [The Wire China](\(server.url)/story), put it this way:

            > "Nobody in the industry thinks this is over," said one investor in Beijing.
            """
        let draft = DraftParser.parse(path: "post.md", bytes: Array(text.utf8)).draft!
        let found = try await Self.check([draft], folder: folder)["post.md"] ?? []
        #expect(found.map(\.rule) == [.quoteAltered], "\(found)")
        #expect(found.first?.message.contains("'Beijing' where the page has 'Shanghai'") == true, "\(found)")
        #expect(found.first?.position == SourcePosition(line: 9, column: 70))  // "Beijing"
    }
}
