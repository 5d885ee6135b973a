import BriefdCore
import Foundation
import Testing

/// `briefd build` on the built binary: golden files for every format, byte-identical rebuilds, hostile
/// drafts, the build report, and kills during a build.
@Suite("briefd build, end to end", .timeLimit(.minutes(5)))
struct BuildCommandTests {
    static let fixtures = CheckCommandTests.fixtures + "/digest"
    static let root = String(#filePath).components(separatedBy: "/Tests/")[0]
    static let issueFiles = ["index.html", "email.html", "digest.txt", "digest.md", "build.json"]
    static let topFiles = ["index.html", "feed.xml", "feed.json"]

    /// A temporary workspace: the fixture drafts (plus `extra` folders of drafts), a config that uses the
    /// repository's templates, and empty state and digests folders.
    func workspace(extra: [String] = [], change: String = "") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-build-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        for source in [Self.fixtures + "/drafts"] + extra.map({ Self.fixtures + "/" + $0 }) {
            for name in try FileManager.default.contentsOfDirectory(atPath: source) {
                try FileManager.default.copyItem(atPath: source + "/" + name, toPath: folder + "/drafts/" + name)
            }
        }
        try """
        newsletter: {name: ZGBriefs}
        registry: \(CheckCommandTests.fixtures)/config/sources.yml
        paths: {drafts: drafts, digests: out, state: state/briefd.sqlite, templates: \(Self.root)/templates}
        digest: {site_url: https://briefs.example.org/}
        \(change)
        """.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        return folder
    }

    func build(_ folder: String, _ extra: [String] = ["--issue", "2026-12-02"]) async throws -> Briefd.Run {
        try await Briefd.run(["build", "--config", folder + "/briefd.yml"] + extra)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func everyFormatMatchesItsGoldenFile() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try await build(folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Issue 2026-12-02: 6 items, 1 of them a sponsor, 3 drafts left out"))
        // The same words in `briefd issues` as in the build (the archive page's are in its golden file).
        let issues = try await Briefd.run(["issues", "--config", folder + "/briefd.yml"])
        #expect(issues.stdout.hasPrefix("2026-12-02  6 items, 1 of them a sponsor  built "), "\(issues.stdout)")
        #expect(run.stdout.contains("- g-broken.md [needs-work]: 1 error (first: brief.unknown-source at 4:9"))
        #expect(run.stdout.contains("- f-later-issue.md [held]: meant for a later issue, that of 2026-12-09"))
        #expect(run.stdout.contains("- h-unreadable.md [unreadable]: could not be read: "))
        // In the source tree, so that BRIEFD_WRITE_GOLDEN=1 rewrites the files that are committed.
        let golden = Self.root + "/Tests/BriefdEndToEndTests/Fixtures/digest/expected"
        let outputs =
            Self.issueFiles.map { ("2026-12-02/" + $0, $0) } + [
                ("index.html", "archive.html"), ("feed.xml", "feed.xml"), ("feed.json", "feed.json"),
            ]
        for (produced, expected) in outputs {
            let text = try read(folder + "/out/" + produced)
            if ProcessInfo.processInfo.environment["BRIEFD_WRITE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(atPath: golden, withIntermediateDirectories: true)
                try text.write(toFile: golden + "/" + expected, atomically: true, encoding: .utf8)
            }
            #expect(text == (try read(golden + "/" + expected)), "\(produced) differs from \(expected)")
        }
    }

    @Test func aRebuildIsByteIdentical() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await #expect(try build(folder).status == 0)
        let first = try (Self.issueFiles.map { "2026-12-02/" + $0 } + Self.topFiles).map {
            try Data(contentsOf: URL(fileURLWithPath: folder + "/out/" + $0))
        }
        // A published issue is not replaced by accident: refused (exit 1, saying how), and nothing changes.
        let again = try await build(folder)
        #expect(again.status == 1)
        #expect(again.stderr.contains("is already published at "), "\(again.stderr)")
        #expect(again.stderr.contains("; run again with --replace"), "\(again.stderr)")
        await #expect(try build(folder, ["--issue", "2026-12-02", "--replace"]).status == 0)
        let second = try (Self.issueFiles.map { "2026-12-02/" + $0 } + Self.topFiles).map {
            try Data(contentsOf: URL(fileURLWithPath: folder + "/out/" + $0))
        }
        #expect(first == second)
        // One version folder, no leftovers.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out/.issues").count == 1)
    }

    @Test func aURLFromAnEarlierIssueIsNotRepeated() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await #expect(try build(folder).status == 0)
        // The next week: everything of last week has gone out already; only the held draft is new.
        let next = try await build(folder, ["--issue", "2026-12-09"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("Issue 2026-12-09: 1 item"))
        #expect(next.stdout.contains("Held for the Next Issue"))
        let archive = try read(folder + "/out/index.html")
        #expect(archive.range(of: "2026-12-09/")!.lowerBound < archive.range(of: "2026-12-02/")!.lowerBound)
    }

    @Test func aRepeatedURLWithAnIssueDateIsLeftOutWithAWarning() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await #expect(try build(folder).status == 0)
        // Last week's draft is archived away; a new draft cites the same article.
        try FileManager.default.removeItem(atPath: folder + "/drafts/b-caixin.md")
        try """
        ---
        title: The Same Article Again
        url: https://caixinglobal.com/2026-11-21/credit-database-102222111.html?utm_source=x
        source: Caixin
        published: 2026-11-21
        section: Economy / Trade / Business
        issue: 2026-12-09
        ---
        The same article as last week, cited again with a tracking parameter.
        """.write(toFile: folder + "/drafts/again.md", atomically: true, encoding: .utf8)
        let run = try await build(folder, ["--issue", "2026-12-09"])
        #expect(run.stdout.contains("- again.md [held]: its URL was published in the issue of 2026-12-02"))
        #expect(
            run.stdout.contains(
                "warning: again.md: its URL was published in the issue of 2026-12-02; set 'repeat: true'"))
    }

    @Test func aLinkTheHistorySaysIsBrokenKeepsItsDraftOut() async throws {
        // A loopback port that refuses connections, allowed for this test only: `briefd links` records the
        // link as broken, and the next build (which sends nothing) leaves the draft out.
        let closed = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(closed) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(closed, $0, length) == 0 && getsockname(closed, $0, &length) == 0
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let folder = try workspace(change: "links: {allow_networks: [127.0.0.1/32], retries: 0}")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A publication at that address, so that the draft's only error can be the link's.
        var registry = try read(CheckCommandTests.fixtures + "/config/sources.yml")
        registry = registry.replacingOccurrences(
            of: "publications:\n", with: "publications:\n  - name: Loopback Times\n    domains: [127.0.0.1]\n")
        try registry.write(toFile: folder + "/sources.yml", atomically: true, encoding: .utf8)
        let config = try read(folder + "/briefd.yml").replacingOccurrences(
            of: "registry: \(CheckCommandTests.fixtures)/config/sources.yml", with: "registry: sources.yml")
        try config.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        try """
        ---
        title: A Dead Link
        url: http://127.0.0.1:\(port)/story
        source: Loopback Times
        published: 2026-11-26
        section: Religion
        ---
        This article's page no longer answers, and the link history knows it.
        """.write(toFile: folder + "/drafts/dead.md", atomically: true, encoding: .utf8)
        let links = try await Briefd.run([
            "links", "--quiet", "--config", folder + "/briefd.yml", folder + "/drafts/dead.md",
        ])
        #expect(links.status == 1)
        #expect(links.stdout.contains("broken http://127.0.0.1:\(port)/story"))
        let offline = try await Briefd.run([
            "check", "--offline", "--config", folder + "/briefd.yml", folder + "/drafts/dead.md",
        ])
        #expect(offline.status == 0, "the draft must be clean apart from its link: \(offline.stdout)")
        let run = try await build(folder)
        #expect(run.stdout.contains("- dead.md [needs-work]: 1 error (first: link.broken at 3:6"), "\(run.stdout)")
        #expect(!run.stdout.contains("A Dead Link (dead.md)"))
        let report = try read(folder + "/out/2026-12-02/build.json")
        #expect(report.contains("dead.md"))
    }

    @Test func aQuoteNotInItsKeptPageKeepsTheBriefOut() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A saved copy of d-older.md's source page that does not hold its excerpt.
        try """
        <html><head><meta property="article:published_time" content="2026-11-19"></head><body><article>
        <p>An entirely different article about shipping lanes, fisheries and the weather off the coast.</p>
        </article></body></html>
        """.write(toFile: folder + "/page.html", atomically: true, encoding: .utf8)
        let kept = try await Briefd.run([
            "snapshot", "--config", folder + "/briefd.yml",
            "https://www.foreignaffairs.com/china/strait-after-election",
            folder + "/page.html",
        ])
        #expect(kept.status == 0, "\(kept.stderr)")
        let run = try await build(folder)
        #expect(
            run.stdout.contains("- d-older.md [needs-work]: 1 error (first: quote.not-found at 8:1"), "\(run.stdout)")
        #expect(!run.stdout.contains("The Strait After the Election (d-older.md)"))
    }

    @Test func hostileDraftContentIsEscapedOrDroppedInEveryFormat() async throws {
        let folder = try workspace(extra: ["hostile"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try await build(folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("x-hostile.md"))
        // HTML, XML and JSON outputs: no live markup. Markdown: markup characters backslash-escaped. Plain
        // text has no markup to escape, so the title's characters stand as typed there; the body's raw HTML
        // and the javascript: link are dropped everywhere.
        for name in Self.issueFiles.map({ "2026-12-02/" + $0 }) + Self.topFiles where !name.hasSuffix("build.json") {
            let text = try read(folder + "/out/" + name)
            #expect(
                !text.contains("alert(\"body\")") && !text.contains("alert(&quot;body"),
                "\(name) carries the body's script")
            #expect(!text.contains("<iframe") && !text.contains("evil.example"), "\(name) carries an iframe")
            #expect(!text.contains("<img src=x"), "\(name) carries raw HTML")
            #expect(!text.contains("javascript:"), "\(name) carries a javascript: link")
            if name.hasSuffix(".md") {
                #expect(
                    !text.replacingOccurrences(of: "\\<", with: "").contains("<script"), "\(name) has unescaped markup")
            } else if !name.hasSuffix(".txt") {
                #expect(!text.contains("<script"), "\(name) carries a script tag")
            }
        }
        let web = try read(folder + "/out/2026-12-02/index.html")
        #expect(web.contains("{{mustache}} &lt;script&gt;alert"))
        #expect(web.contains("href=\"https://www.sixthtone.com/news/hostile?a=1&amp;b=&lt;2&gt;\""))
        let atom = try read(folder + "/out/feed.xml")
        #expect(!atom.contains("]]>"))
        let feed = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/out/feed.json")))
        #expect((feed as? [String: Any])?["items"] != nil)
    }

    @Test func dryRunWritesNothingAndEmptyIssuesFail() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dry = try await build(folder, ["--issue", "2026-12-02", "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("Issue 2026-12-02: 6 items"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
        let empty = try await build(folder, ["--issue", "2026-11-01"])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("would be empty"))
        await #expect(try build(folder, ["--issue", "next tuesday"]).status == 2)
    }

    @Test func aBrokenTemplateIsNamedWithItsLine() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Self.root + "/templates", toPath: folder + "/templates")
        try "<p>\n{{#sections}}\n{{name}}\n{{/section}}\n".write(
            toFile: folder + "/templates/web.mustache", atomically: true, encoding: .utf8)
        var config = try read(folder + "/briefd.yml")
        config = config.replacingOccurrences(of: "templates: \(Self.root)/templates", with: "templates: templates")
        try config.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        let run = try await build(folder)
        #expect(run.status == 1)
        #expect(run.stderr.contains("templates/web.mustache:4:"), "\(run.stderr)")
        #expect(run.stderr.contains("does not match the section it closes"))
    }

    @Test func aTemplateThatRendersNothingPublishesNothing() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await #expect(try build(folder).status == 0)
        let published = try Data(contentsOf: URL(fileURLWithPath: folder + "/out/2026-12-02/index.html"))
        // An editor empties the web page's template by mistake, and a draft changes: the next build must fail,
        // naming the template, and the issue already published must stay as it was.
        try FileManager.default.copyItem(atPath: Self.root + "/templates", toPath: folder + "/templates")
        try "{{! nothing here }}\n\n".write(
            toFile: folder + "/templates/web.mustache", atomically: true, encoding: .utf8)
        var config = try read(folder + "/briefd.yml")
        config = config.replacingOccurrences(of: "templates: \(Self.root)/templates", with: "templates: templates")
        try config.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: folder + "/drafts/d-older.md")
        let run = try await build(folder, ["--issue", "2026-12-02", "--replace"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("web.mustache: the template rendered nothing"), "\(run.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/out/2026-12-02/index.html")) == published)
    }

    /// `status` gives times in the newsletter's zone with the offset, and its next build is the one that makes the
    /// coming issue: after that issue was built early, a scheduled time whose issue is already out is passed over
    /// (it once showed "next build" for the issue just published, in UTC beside a Shanghai schedule).
    @Test func statusShowsTheComingIssuesBuildInTheNewslettersZone() async throws {
        let folder = try workspace(change: "schedule: {build: \"0 10 * * *\", timezone: Asia/Shanghai}")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The coming issue (the default issue weekday, Thursday), built now, before its scheduled build.
        let dry = try await build(folder, ["--dry-run"])
        let coming = try #require(dry.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let day = try #require(Day(iso: coming))
        await #expect(try build(folder, ["--issue", coming]).status == 0)
        let status = try await Briefd.run(["status", "--config", folder + "/briefd.yml"])
        #expect(status.stdout.contains("next issue: \(day.adding(days: 7))\n"), "\(status.stdout)")
        // Daily at 10:00 Shanghai: the first day whose Thursday-on-or-after is the next issue is the day after.
        #expect(
            status.stdout.contains(
                "next build: \(day.adding(days: 1)) 10:00 +08:00, for the issue of \(day.adding(days: 7))\n"),
            "\(status.stdout)")
        #expect(
            status.stdout.contains(try Regex(#"finished \d{4}-\d{2}-\d{2} \d{2}:\d{2} \+08:00\n"#)), "\(status.stdout)")
    }

    /// Right after publishing, the issue's links are watched though none was checked yet: `briefd rot` counts them
    /// as never reached (it once said "0 links watched"), none as alive.
    @Test func rotCountsTheJustPublishedLinksAsWatchedAndNeverReached() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await #expect(try build(folder).status == 0)
        let rot = try await Briefd.run(["rot", "--config", folder + "/briefd.yml"])
        #expect(rot.status == 0, "\(rot.stderr)")
        let line = try #require(rot.stdout.split(separator: "\n").first { $0.contains(" watched: ") }, "\(rot.stdout)")
        #expect(line.hasSuffix(" never reached"), "\(line)")
        #expect(line.contains(": 0 alive, 0 suspect, 0 dead, "), "\(line)")
        let json = try await Briefd.run(["rot", "--config", folder + "/briefd.yml", "--format", "json"])
        let counts =
            (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["counts"]
            as? [String: Int]
        #expect((counts?["watched"] ?? 0) > 0 && counts?["watched"] == counts?["never_reached"], "\(json.stdout)")
    }

    /// A workspace whose issue was built by a version of briefd that recorded no build time (no `built_at`, no
    /// `build_run` row): after the upgrade `status` names it as the last build and `briefd issues` as built, with its
    /// folder's time, never as imported or "none yet".
    @Test func anIssueBuiltByAnEarlierVersionIsKnownAsBuilt() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await #expect(try build(folder).status == 0)
        let seeded = try Briefd.python(
            """
            import sqlite3
            db = sqlite3.connect('\(folder)/state/briefd.sqlite')
            db.execute("UPDATE issue SET built_at = NULL")
            db.execute("DELETE FROM build_run")
            db.commit()
            """)
        #expect(seeded == 0)
        let status = try await Briefd.run(["status", "--config", folder + "/briefd.yml"])
        #expect(
            status.stdout.contains("last build: issue 2026-12-02, built (before briefd recorded builds)"),
            "\(status.stdout)")
        let issues = try await Briefd.run(["issues", "--config", folder + "/briefd.yml", "--format", "json"])
        let listed = try JSONSerialization.jsonObject(with: Data(issues.stdout.utf8)) as? [String: Any]
        let first = (listed?["issues"] as? [[String: Any]])?.first
        #expect(first?["built_at"] is String, "\(issues.stdout)")
        #expect(first?["imported_from"] is NSNull)
    }

    @Test func aKilledBuildLeavesTheOldIssueOrTheNewOneNeverAMixture() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await #expect(try build(folder).status == 0)
        let complete = try Self.issueFiles.map {
            try Data(contentsOf: URL(fileURLWithPath: folder + "/out/2026-12-02/" + $0))
        }
        // Change the drafts so that the next build writes a different issue, then kill builds at random moments.
        try FileManager.default.removeItem(atPath: folder + "/drafts/d-older.md")
        var killed = 0
        for attempt in 0..<25 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Briefd.executable)
            process.arguments = ["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-02"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(2_000 + (attempt * 7_919) % 60_000))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
            let now = try Self.issueFiles.map {
                try Data(contentsOf: URL(fileURLWithPath: folder + "/out/2026-12-02/" + $0))
            }
            let newVersion = now[4] != complete[4]
            // Either every file is the old issue's, or every file is the new one's (without the older draft).
            if newVersion {
                let web = String(decoding: now[0], as: UTF8.self)
                #expect(!web.contains("The Strait After the Election") && web.hasSuffix("</html>\n"))
            } else {
                #expect(now == complete)
            }
            for name in Self.topFiles {
                let text = try read(folder + "/out/" + name)
                #expect(
                    text.hasSuffix("</html>\n") || text.hasSuffix("</feed>\n") || text.hasSuffix("}\n"),
                    "\(name) is cut short")
            }
        }
        #expect(killed > 0, "no build was interrupted; the test proved nothing")
    }
}
