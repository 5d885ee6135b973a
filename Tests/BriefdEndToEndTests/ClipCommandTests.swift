import BriefdTestSupport
import Foundation
import Testing

/// `briefd clip` on the built binary: what it writes and prints, its JSON, and its exit status, against a page
/// served on 127.0.0.1 (the field-by-field checks of site layouts are in BriefdLinkTests' ClipTests).
@Suite("briefd clip, end to end", .timeLimit(.minutes(5)))
struct ClipCommandTests {
    static let page = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>Beijing Names a New Tutoring Czar | The Wire China</title>
        <meta property="og:title" content="Beijing Names a New Tutoring Czar | The Wire China">
        <meta property="article:published_time" content="2026-11-16T09:00:00+08:00">
        </head><body><nav><a href="/">Home</a></nav><article><h1>Beijing Names a New Tutoring Czar</h1>
        <p class="byline">By Mara Feld</p>
        <p>The education ministry has appointed a former provincial official to oversee the after-school tutoring industry, three years after a ban that wiped out most of it.</p>
        <p>Her first task, officials say, is to decide what counts as tutoring in an age of apps.</p>
        </article><footer>© The Wire China</footer></body></html>
        """

    /// A workspace whose registry gives The Wire China the loopback name the server is reached by.
    func workspace() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-clip-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        try """
        publications:
          - {name: The Wire China, domains: [thewirechina.localhost], paywall: true}
        people: []
        """.write(toFile: folder + "/sources.yml", atomically: true, encoding: .utf8)
        try """
        registry: sources.yml
        paths: {drafts: drafts, state: state/briefd.sqlite}
        links: {allow_networks: [127.0.0.0/8], per_host_interval_ms: 0, retries: 0}
        """.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        return folder
    }

    func server() throws -> TestHTTPServer {
        try TestHTTPServer { request in
            request.path.hasPrefix("/2026/")
                ? .respond(status: 200, headers: ["Content-Type": "text/html"], body: Self.page)
                : .respond(status: 404, body: "<title>Not found</title>")
        }
    }

    @Test func writesADraftThatChecksClean() async throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try server()
        defer { server.stop() }
        let url = "http://www.thewirechina.localhost:\(server.port)/2026/11/16/tutoring-czar/?utm_source=newsletter"
        let run = try await Briefd.run([
            "clip", "--config", dir + "/briefd.yml", "--section", "Education / Language", url,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let path = dir + "/drafts/2026-11-16-beijing-names-a-new-tutoring-czar.md"
        #expect(run.stdout.hasPrefix("wrote \(path)\n"), "\(run.stdout)")
        let draft = try String(contentsOfFile: path, encoding: .utf8)
        #expect(
            draft.hasPrefix(
                """
                ---
                title: "Beijing Names a New Tutoring Czar"
                url: "http://www.thewirechina.localhost:\(server.port)/2026/11/16/tutoring-czar/"
                source: "The Wire China"
                published: 2026-11-16
                section: "Education / Language"
                """))
        #expect(draft.contains("paywall: true\n"))
        #expect(
            draft.hasSuffix(
                "---\nThe education ministry has appointed a former provincial official to oversee the after-school tutoring industry, three years after a ban that wiped out most of it.\n\nHer first task, officials say, is to decide what counts as tutoring in an age of apps.\n"
            ))
        // briefd check, with no network, finds nothing wrong and the excerpt verbatim in the kept page.
        let check = try await Briefd.run(["check", "--config", dir + "/briefd.yml", "--cached", path])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("info quote.verified"))
        // The clip read the page but made no link check: --cached says the link's verdict is not known yet.
        #expect(check.stdout.contains("warning link.unverified: "), "\(check.stdout)")
        #expect(check.stdout.hasSuffix("1 draft checked: 0 errors, 1 warning, 0 clean\n"), "\(check.stdout)")
    }

    /// The coming issue is the first issue day not yet published: after this week's issue went out, a clipped brief
    /// is for next week's, not for the issue already out (where it would be held for an issue never built).
    @Test func aBriefClippedAfterThisWeeksIssueIsForTheNextOne() async throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try server()
        defer { server.stop() }
        func coming() async throws -> String {
            let status = try await Briefd.run(["status", "--config", dir + "/briefd.yml", "--format", "json"])
            let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            return ((object?["next_issue"] as? [String: Any])?["date"] as? String) ?? ""
        }
        _ = try await Briefd.run(["issues", "--config", dir + "/briefd.yml"])  // makes the state database
        let thisWeek = try await coming()
        #expect(!thisWeek.isEmpty)
        let published = try Briefd.python(
            """
            import sqlite3
            db = sqlite3.connect('\(dir)/state/briefd.sqlite')
            db.execute("INSERT INTO issue (date, title, item_count, web_url, content_html, version, built_at) VALUES (?, 'ZGBriefs', 0, '', '', 1, 1)", ('\(thisWeek)',))
            db.commit()
            """)
        #expect(published == 0)
        let nextWeek = try await coming()
        #expect(nextWeek > thisWeek)
        let url = "http://www.thewirechina.localhost:\(server.port)/2026/11/16/tutoring-czar/"
        let run = try await Briefd.run([
            "clip", "--config", dir + "/briefd.yml", "--section", "Education / Language", url,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let draft = try String(
            contentsOfFile: dir + "/drafts/2026-11-16-beijing-names-a-new-tutoring-czar.md", encoding: .utf8)
        #expect(draft.contains("issue: \(nextWeek)\n"), "\(draft)")
        #expect(!draft.contains("issue: \(thisWeek)\n"))
    }

    @Test func printAsJSONWritesNothing() async throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try server()
        defer { server.stop() }
        let url = "http://www.thewirechina.localhost:\(server.port)/2026/11/16/tutoring-czar/"
        let run = try await Briefd.run([
            "clip", "--config", dir + "/briefd.yml", "--print", "--format", "json", "--featured", url,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(document["path"] is NSNull)
        let draft = try #require(document["draft"] as? [String: Any])
        #expect(
            Set(draft.keys) == [
                "title", "url", "source", "published", "section", "issue", "featured", "paywall", "format", "via",
                "excerpt",
            ])
        #expect(draft["title"] as? String == "Beijing Names a New Tutoring Czar")
        #expect(draft["published"] as? String == "2026-11-16")
        #expect(draft["featured"] as? Bool == true)
        #expect(draft["format"] is NSNull)
        #expect(
            (document["findings"] as? [[String: Any]])?.contains { $0["rule"] as? String == "quote.verified" } == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/drafts").isEmpty)
    }

    @Test func aMissingPageExitsOneWithItsVerdict() async throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try server()
        defer { server.stop() }
        let url = "http://www.thewirechina.localhost:\(server.port)/gone"
        let run = try await Briefd.run(["clip", "--config", dir + "/briefd.yml", url])
        #expect(run.status == 1)
        #expect(run.stderr == "briefd: \(url): broken: the page answered: not found (404)\n")
        let json = try await Briefd.run(["clip", "--config", dir + "/briefd.yml", "--format", "json", url])
        #expect(json.status == 1)
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: String]
        #expect(document == ["url": url, "verdict": "broken", "reason": "the page answered: not found (404)"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/drafts").isEmpty)
    }

    @Test(arguments: [
        ["clip", "not-a-url"],
        ["clip", "--section", "Sport", "https://www.thewirechina.localhost/x"],
        ["clip", "--issue", "next week", "https://www.thewirechina.localhost/x"],
        ["clip", "--from", "/nonexistent/page.html", "https://www.thewirechina.localhost/x"],
    ])
    func usageProblemsExitTwo(arguments: [String]) async throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try await Briefd.run(arguments + ["--config", dir + "/briefd.yml"])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/drafts").isEmpty)
    }

    @Test func aSavedPageNeedsNoNetwork() async throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.page.write(toFile: dir + "/saved.html", atomically: true, encoding: .utf8)
        let url = "https://www.thewirechina.localhost/2026/11/16/tutoring-czar/"
        let run = try await Briefd.run(["clip", "--config", dir + "/briefd.yml", "--from", dir + "/saved.html", url])
        #expect(run.status == 0, "\(run.stderr)")
        let check = try await Briefd.run(["check", "--config", dir + "/briefd.yml", "--cached", dir + "/drafts"])
        #expect(check.stdout.contains("info quote.verified: the quote is word for word in \(url)"), "\(check.stdout)")
        #expect(check.status == 0)
    }
}
