import Foundation
import Testing

/// `briefd import` on the built binary: its report, JSON and exit status.
@Suite("briefd import, end to end", .timeLimit(.minutes(5)))
struct ImportCommandTests {
    static let page = """
        <html><head><title>ZGBriefs | January 17, 2019</title></head><body>
        <h1>ZGBriefs | January 17, 2019</h1>
        <h3>Religion</h3>
        <p><a href="https://www.christianitytoday.com/news/2019/january/church.html">A church reopens</a> (January 15, 2019, Christianity Today)</p>
        <p>The congregation met again on Sunday.</p>
        <p><a href="https://www.globaltimes.cn/content/1135.shtml">Officials praise the new rules</a> (January 14, 2019, Global Times)</p>
        </body></html>
        """

    func workspace() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-import-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder + "/pages", withIntermediateDirectories: true)
        let root = String(#filePath).components(separatedBy: "/Tests/")[0]
        try
            "registry: \(root)/config/sources.yml\npaths: {drafts: drafts, digests: digests, state: state/briefd.sqlite, templates: \(root)/templates}\n"
            .write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        try Self.page.write(toFile: folder + "/pages/2019-01-17.html", atomically: true, encoding: .utf8)
        return folder
    }

    @Test func importsAFolderAndListsUnknownSources() async throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try await Briefd.run(["import", "--config", dir + "/briefd.yml", dir + "/pages"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("2019-01-17: recorded; 2 items (Religion 2)"), "\(run.stdout)")
        #expect(run.stdout.contains("  - name: Global Times\n    domains: [globaltimes.cn]\n"), "\(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir + "/digests/index.html"))
        let again = try await Briefd.run([
            "import", "--config", dir + "/briefd.yml", "--format", "json", dir + "/pages",
        ])
        #expect(again.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        let issues = try #require(document["issues"] as? [[String: Any]])
        #expect(issues.first?["outcome"] as? String == "already imported from this page; unchanged")
        #expect(
            Set((issues.first?["items"] as? [[String: Any]])?.first?.keys ?? [:].keys)
                == ["section", "title", "url", "source", "published", "featured", "format", "via", "paywall"])
        #expect((document["unknown_sources"] as? [[String: String]])?.first?["name"] == "Global Times")
    }

    /// A clean issue beside the site's chrome (an aside of boxes with headings, a footer's heading): exit 0, and
    /// nothing said about the chrome.
    @Test(.timeLimit(.minutes(1)))
    func aCleanIssueBesideItsSitesChromeImportsWithExitZero() async throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let page = Self.page.replacingOccurrences(
            of: "</body>",
            with: """
                <aside><h3>Subscribe</h3><p><a href="https://www.chinasource.org/subscribe/">Get it weekly</a></p></aside>
                <footer><h4>About ChinaSource</h4><p>Serving the church in China.</p></footer></body>
                """)
        try page.write(toFile: dir + "/pages/2019-01-17.html", atomically: true, encoding: .utf8)
        let run = try await Briefd.run(["import", "--config", dir + "/briefd.yml", dir + "/pages"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("Subscribe") && !run.stdout.contains("About ChinaSource"), "\(run.stdout)")
        #expect(run.stdout.contains("2019-01-17: recorded; 2 items (Religion 2)"), "\(run.stdout)")
    }

    @Test func problemsExitOneAndUsageExitsTwo() async throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try
            "<html><body><h1>ZGBriefs | March 5, 2020</h1><h3>Religion</h3><p><a href=\"https://x.org/a\">An item with no meta</a></p></body></html>"
            .write(toFile: dir + "/pages/broken.html", atomically: true, encoding: .utf8)
        let run = try await Briefd.run([
            "import", "--config", dir + "/briefd.yml", "--dry-run", dir + "/pages/broken.html",
        ])
        #expect(run.status == 1)
        #expect(
            run.stdout.contains(
                "broken.html:1: the item 'An item with no meta' has no readable (date, source) after it"),
            "\(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/digests/index.html"), "a dry run writes nothing")
        #expect(try await Briefd.run(["import", "--config", dir + "/briefd.yml", dir + "/nope.html"]).status == 2)
        #expect(
            try await Briefd.run(["import", "--config", dir + "/briefd.yml", "--since", "soon", dir + "/pages"]).status
                == 2)
    }
}
