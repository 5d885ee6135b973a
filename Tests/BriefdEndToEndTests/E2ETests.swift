import Foundation
import Testing

/// Runs the built `briefd` binary on fixture drafts and asserts its output and exit codes.
@Suite("briefd check, end to end", .timeLimit(.minutes(5)))
struct CheckCommandTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").path
    var config: String { Self.fixtures + "/config/briefd.yml" }

    /// A copy of the fixture drafts in a fresh temporary folder, so tests can add hostile files.
    func workspace() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-e2e-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.fixtures + "/drafts") {
            try FileManager.default.copyItem(atPath: Self.fixtures + "/drafts/" + name, toPath: folder + "/" + name)
        }
        return folder
    }

    @Test func cleanDraftsExitZeroWithNoFindings() async throws {
        let run = try await Briefd.run([
            "check", "--offline", "--config", config, Self.fixtures + "/drafts/clean-brief.md",
            Self.fixtures + "/drafts/clean-post.md",
        ])
        #expect(run.status == 0)
        #expect(run.stdout == "2 drafts checked: 0 errors, 0 warnings, 2 clean\n")
    }

    @Test func errorsExitOneWithPathLineAndColumn() async throws {
        let run = try await Briefd.run(["check", "--offline", "--config", config, Self.fixtures + "/drafts"])
        #expect(run.status == 1)
        #expect(
            run.stdout.contains(
                "/drafts/misspelled.md:9:1: error attribution.misspelled-person: 'Mara Fled' is not in the registry; did you mean 'Mara Feld'?\n"
            ))
        #expect(run.stdout.hasSuffix("3 drafts checked: 1 error, 0 warnings, 2 clean\n"))
    }

    @Test func jsonOutputHasTheDocumentedShape() async throws {
        let run = try await Briefd.run([
            "check", "--offline", "--config", config, "--format", "json", Self.fixtures + "/drafts",
        ])
        #expect(run.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["drafts": 3, "errors": 1, "warnings": 0, "infos": 0, "clean": 2])
        let drafts = try #require(object["drafts"] as? [[String: Any]])
        let misspelled = try #require(drafts.first { ($0["path"] as? String)?.hasSuffix("misspelled.md") == true })
        #expect(misspelled["kind"] as? String == "post")
        let finding = try #require((misspelled["findings"] as? [[String: Any]])?.first)
        #expect(finding["rule"] as? String == "attribution.misspelled-person")
        #expect(finding["severity"] as? String == "error")
        #expect(finding["line"] as? Int == 9)
        #expect(finding["column"] as? Int == 1)
        #expect(finding["suggestion"] as? String == "Mara Feld")
    }

    @Test func githubFormatWritesAnnotations() async throws {
        let run = try await Briefd.run([
            "check", "--offline", "--config", config, "--format", "github", Self.fixtures + "/drafts/misspelled.md",
        ])
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix("::error file="))
        #expect(run.stdout.contains(",line=9,col=1,title=attribution.misspelled-person::'Mara Fled'"))
    }

    @Test func badInputGivesOneFindingEachAndTheRunGoesOn() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files: [String: Data] = [
            "empty.md": Data(),
            "binary.md": Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]),
            "latin1.md": Data("---\ntitle: caf".utf8) + Data([0xE9]) + Data("\n---\n".utf8),
            "unclosed.md": Data("---\ntitle: x\n".utf8),
            "list.md": Data("---\n- a\n---\nbody\n".utf8),
            "huge.md": Data(repeating: UInt8(ascii: "a"), count: 10_000),
        ]
        for (name, data) in files { try data.write(to: URL(fileURLWithPath: folder + "/" + name)) }
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent(
            "briefd-secret-\(UUID().uuidString).md"
        ).path
        try "---\ntitle: CONTENT-OUTSIDE-THE-FOLDER\n---\n".write(toFile: outside, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/escape.md", withDestinationPath: outside)

        let run = try await Briefd.run(["check", "--offline", "--config", config, "--format", "json", folder])
        #expect(run.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let drafts = try #require(object["drafts"] as? [[String: Any]])
        var rules: [String: [String]] = [:]
        for draft in drafts {
            let name = (draft["path"] as! String).split(separator: "/").last.map(String.init)!
            rules[name] = (draft["findings"] as! [[String: Any]]).map { $0["rule"] as! String }
        }
        #expect(rules["empty.md"] == ["draft.unreadable"])
        #expect(rules["binary.md"] == ["draft.unreadable"])
        #expect(rules["latin1.md"] == ["draft.unreadable"])
        #expect(rules["unclosed.md"] == ["frontmatter.invalid"])
        #expect(rules["list.md"] == ["frontmatter.invalid"])
        #expect(rules["huge.md"] == ["draft.unreadable"])
        #expect(rules["escape.md"] == ["draft.unreadable"])
        #expect(rules["clean-brief.md"] == [])
        #expect(run.stdout.contains("points outside the drafts folder"))
        #expect(!run.stdout.contains("CONTENT-OUTSIDE-THE-FOLDER"))
    }

    @Test func brokenRegistryExitsTwoWithFileAndLine() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "registry: sources.yml\n".write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        try "people:\n  - name: A B\n    rolez: []\n".write(
            toFile: folder + "/sources.yml", atomically: true, encoding: .utf8)
        let run = try await Briefd.run(["check", "--offline", "--config", folder + "/briefd.yml", folder])
        #expect(run.status == 2)
        #expect(run.stderr.contains("sources.yml:3:5: unknown key 'rolez' in a person; did you mean 'roles'?"))
    }

    @Test func brokenConfigAndUsageExitTwo() async throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "newsleter:\n  name: X\n".write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        let broken = try await Briefd.run(["check", "--offline", "--config", folder + "/briefd.yml", folder])
        #expect(broken.status == 2)
        #expect(
            broken.stderr.contains("briefd.yml:1:1: unknown key 'newsleter' in the config; did you mean 'newsletter'?"))
        #expect(try await Briefd.run(["check", "--offline", "--config", config]).status == 2)
        #expect(
            try await Briefd.run(["check", "--offline", "--format", "xml", "--config", config, folder]).status == 2)
        #expect(try await Briefd.run(["check", "--offline", "--config", config, folder + "/missing"]).status == 2)
    }

    @Test func configCheckPrintsWhatItLoaded() async throws {
        let run = try await Briefd.run(["config", "check", "--config", config])
        #expect(run.status == 0)
        #expect(run.stdout.contains("newsletter: ZGBriefs"))
        #expect(run.stdout.contains("5 publications, 5 people"))
        #expect(run.stdout.contains("max_draft_bytes: 4096"))
        // Every section it loaded, defaults included, and no secret: only the names of the variables that hold them.
        for section in [
            "paths:", "checks:", "links:", "digest:", "schedule:", "watch:", "rot:", "alerts:", "web:", "archive:",
            "delivery:", "log_level:",
        ] {
            #expect(run.stdout.contains("\n\(section)"), "config check does not print \(section)")
        }
    }

    /// A drafts folder that is not there is a mistake in the config, not an empty desk: `config check` and `run` say
    /// so (exit 2) instead of creating it and watching nothing.
    @Test(.timeLimit(.minutes(1)))
    func aMissingDraftsFolderIsAnErrorNotAnEmptyDesk() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "briefd-nodrafts-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "paths: {drafts: draftz, reports: reports, state: var/briefd.sqlite}\nweb: {listen: \"\"}\n"
            .write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        try "publications: []\npeople: []\n".write(toFile: folder + "/sources.yml", atomically: true, encoding: .utf8)
        for command in [["config", "check"], ["run", "--offline"]] {
            let run = try await Briefd.run(command + ["--config", folder + "/briefd.yml"])
            #expect(run.status == 2, "\(command)")
            #expect(
                run.stderr.contains("paths.drafts: the drafts folder \(folder)/draftz does not exist"), "\(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/draftz"))
    }

    @Test func configComesFromTheEnvironmentWhenNotGiven() async throws {
        let run = try await Briefd.run(["config", "check"], environment: ["BRIEFD_CONFIG": config])
        #expect(run.status == 0)
        #expect(run.stdout.contains("config: \(config)"))
    }
}

/// The built `briefd` binary, beside this test bundle in the build folder.
enum Briefd {
    struct Run: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: String {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("briefd").path
    }

    /// Runs briefd (or `program`, another executable) with `arguments` to the end, waited for off the concurrency
    /// pool: a process run held a pool thread for its whole life, and with two cores two such runs starved every
    /// other test of the run (doorbells heard after 25 s).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        program: String = executable
    ) async throws -> Run {
        try await offThePool {
            try runBlocking(arguments, environment: environment, directory: directory, program: program)
        }
    }

    /// The same, blocking the calling thread: only for a thread of its own (a `DispatchQueue` worker).
    static func runBlocking(
        _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        program: String = executable
    ) throws -> Run {
        let process = Process()
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["BRIEFD_CONFIG"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so a large report cannot fill a pipe and stall.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

@Suite("The bundled examples", .timeLimit(.minutes(5)))
struct ExampleDraftTests {
    /// The examples' findings, line by line, are pinned: the clean drafts stay clean and each deliberate
    /// mistake is reported at its line.
    @Test func examplesGiveExactlyTheExpectedFindings() async throws {
        let root = String(#filePath).components(separatedBy: "/Tests/")[0]
        let expected = try String(
            contentsOfFile: CheckCommandTests.fixtures + "/examples.expected", encoding: .utf8)
        let run = try await Briefd.run(
            ["check", "--offline", "--config", "config/briefd.yml", "examples/drafts"], directory: root)
        #expect(run.status == 1)
        #expect(run.stdout == expected)
        for clean in [
            "2026-11-20-tech-giants.md", "2026-11-21-caixin-database.md", "2026-11-22-weibo-video.md",
            "post-licensing-rules.md", "sponsor-december.md",
        ] {
            #expect(!run.stdout.contains(clean), "\(clean) should be clean")
        }
    }
}

@Suite("Quotes in the bundled examples", .timeLimit(.minutes(5)))
struct ExampleQuoteTests {
    /// With the saved pages in examples/pages kept as snapshots, `check --cached` (no network) shows a verified
    /// excerpt, a verified block quote and an altered excerpt at the changed word.
    @Test func savedPagesVerifyAndFlagTheExamplesQuotes() async throws {
        let root = String(#filePath).components(separatedBy: "/Tests/")[0]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "briefd-examples-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try
            "registry: \(root)/config/sources.yml\npaths: {drafts: \(root)/examples/drafts, state: \(folder)/briefd.sqlite}\n"
            .write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        let pages = try String(contentsOfFile: root + "/examples/pages/pages.txt", encoding: .utf8)
        for line in pages.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ").map(String.init)
            let kept = try await Briefd.run([
                "snapshot", "--config", folder + "/briefd.yml", parts[0], root + "/examples/pages/" + parts[1],
            ])
            #expect(kept.status == 0, "\(kept.stderr)")
        }
        let run = try await Briefd.run(
            ["check", "--cached", "--config", folder + "/briefd.yml", "examples/drafts"], directory: root)
        #expect(
            run.stdout.contains(
                "examples/drafts/2026-11-20-tech-giants.md:9:1: info quote.verified: the quote is word for word in https://www.chinafile.com/"
            ))
        #expect(run.stdout.contains("examples/drafts/post-licensing-rules.md:12:3: info quote.verified"))
        #expect(
            run.stdout.contains(
                "examples/drafts/2026-11-21-caixin-database.md:9:54: warning quote.altered: the quote differs from https://www.caixinglobal.com/"
            ))
        #expect(run.stdout.contains("'Thursday' where the page has 'Wednesday'"))
        // --cached sends no request and knows no link history here: each link is named as not checked, each quote
        // without a kept page as not compared; none passes in silence (once it did, and read as clean).
        let linkLines = run.stdout.split(separator: "\n").filter { $0.contains(" link.") }
        #expect(linkLines.count == 9, "\(run.stdout)")
        #expect(
            linkLines.allSatisfy {
                $0.contains("warning link.unverified: ") && $0.contains(" was not checked: no result in the history")
            })
        #expect(
            run.stdout.contains(
                "examples/drafts/2026-11-22-weibo-video.md:10:1: warning quote.source-unavailable: the quote was not compared with https://www.youtube.com/watch?v=dQw4w9WgXcQ: no copy of the page is kept"
            ))
    }
}
