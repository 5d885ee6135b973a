import Foundation
import Testing

/// `briefd links` and the link findings of `briefd check`, on the built binary. Nothing here reaches a
/// server: the links are skipped (reserved `.invalid` names, so a broken exclusion still sends nothing),
/// mail addresses, or refused by the address rule before connecting.
@Suite("briefd links, end to end", .timeLimit(.minutes(5)))
struct LinksCommandTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").path

    /// A temporary folder with a config whose state database lives inside it.
    func folder(_ drafts: [String: String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-links-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        try """
        registry: \(Self.fixtures)/config/sources.yml
        paths: {state: state/briefd.sqlite}
        links: {exclude: ['^https://skip\\.invalid/']}
        """.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        for (name, text) in drafts {
            try text.write(toFile: folder + "/drafts/" + name, atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test func dumpListsLinksWithoutCheckingThem() async throws {
        let dir = try folder(["a.md": "See [x](https://one.org/a) and https://two.org/b.\n\n`https://code.org/`\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try await Briefd.run(["links", "--config", dir + "/briefd.yml", "--dump", dir + "/drafts"])
        #expect(run.status == 0)
        #expect(run.stdout == "https://one.org/a\nhttps://two.org/b\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/state/briefd.sqlite"))
    }

    @Test func jsonReportsEachLinkWithItsSources() async throws {
        let dir = try folder([
            "a.md": "[x](https://skip.invalid/1) <mailto:ed@zgbriefs.org>\n\n[y](https://skip.invalid/1)\n"
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try await Briefd.run([
            "links", "--config", dir + "/briefd.yml", "--format", "json", "--quiet", dir + "/drafts",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let links = try #require(document["links"] as? [[String: Any]])
        #expect(links.map { $0["url"] as? String } == ["https://skip.invalid/1", "mailto:ed@zgbriefs.org"])
        #expect(links.map { $0["verdict"] as? String } == ["skipped", "ok"])
        #expect((links[0]["error"] as? String)?.contains("excluded by the pattern") == true)
        #expect((links[0]["sources"] as? [[String: Any]])?.map { $0["line"] as? Int } == [1, 3])
        #expect(FileManager.default.fileExists(atPath: dir + "/state/briefd.sqlite"))
    }

    @Test func aPrivateAddressIsRefusedAndExitsOne() async throws {
        let dir = try folder(["a.md": "Admin at http://127.0.0.1:9/ and [v6](http://[::1]:9/x)\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try await Briefd.run(["links", "--config", dir + "/briefd.yml", "--quiet", dir + "/drafts"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("a.md:1:10: blocked-address http://127.0.0.1:9/: 127.0.0.1 is in 127.0.0.0/8"))
        #expect(run.stdout.contains("blocked-address http://[::1]:9/x: ::1 is in ::1/128"))
        #expect(run.stdout.hasSuffix("2 links checked: 2 blocked-address\n"))
    }

    @Test func checkReportsLinkFindingsUnlessOffline() async throws {
        let brief = """
            ---
            title: Why the Party Is Reining In Its Tech Giants
            url: http://127.0.0.1:9/internal
            source: The Wire China
            published: 2026-11-20
            section: Government / Politics / Foreign Affairs
            ---
            "The licensing rules are a signal to every platform that growth now comes second," the editors wrote in an unsigned piece that ran long.
            """
        let dir = try folder(["brief.md": brief])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let online = try await Briefd.run(["check", "--config", dir + "/briefd.yml", dir + "/drafts"])
        #expect(
            online.stdout.contains(
                "brief.md:3:6: error link.blocked-address: http://127.0.0.1:9/internal was not checked"))
        #expect(online.status == 1)
        let offline = try await Briefd.run(["check", "--offline", "--config", dir + "/briefd.yml", dir + "/drafts"])
        #expect(!offline.stdout.contains("link."))
    }

    @Test func usageProblemsExitTwo() async throws {
        #expect(try await Briefd.run(["links"]).status == 2)
        #expect(try await Briefd.run(["links", "--format", "xml", "x"]).status == 2)
        #expect(
            try await Briefd.run(["links", "--config", Self.fixtures + "/config/briefd.yml", "/no/such/folder"]).status
                == 2)
    }
}
