import BriefdApp
import BriefdCore
import Foundation
import Testing

/// `briefd check --fix` (issue 32): the safe fixes written atomically with the file's mode kept, the others only
/// with --unsafe, a diff with --dry-run, nothing the second time, and never over a file saved meanwhile.
@Suite("briefd check --fix", .timeLimit(.minutes(3)))
struct CheckFixTests {
    static let post = """
        ---
        kind: post
        title: Notes
        author: Joann Pittman
        date: 2026-11-24
        ---
        Mara Fled, writing in The Wire China, said:

        > The rules do not ban anything outright.

        Li Wen, senior fellow of the Shanghai Policy Lab, said:

        > Licences can be withdrawn at any time.

        """

    func workspace() throws -> (folder: String, config: String, draft: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-fix-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        let root = BuildCommandTests.root
        try "registry: \(root)/config/sources.yml\npaths: {drafts: drafts, state: state/briefd.sqlite}\n".write(
            toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        let draft = folder + "/drafts/post.md"
        try Self.post.write(toFile: draft, atomically: true, encoding: .utf8)
        chmod(draft, 0o640)
        return (folder, folder + "/briefd.yml", draft)
    }

    func inode(_ path: String) -> UInt64 {
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_ino) : 0
    }

    @Test func safeFixesAreWrittenAtomicallyOnceAndUnsafeOnesOnlyWhenAsked() async throws {
        let (folder, config, draft) = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // --dry-run: the diff, and the file untouched.
        let dry = try await Briefd.run(["check", "--offline", "--fix", "--dry-run", "--config", config, draft])
        #expect(
            dry.stdout.contains(
                "-Mara Fled, writing in The Wire China, said:\n+Mara Feld, writing in The Wire China, said:\n"),
            "\(dry.stdout)")
        #expect(!dry.stdout.contains("+Li Wen, director"), "an unsafe fix is not in a safe run's diff")
        #expect(try String(contentsOfFile: draft, encoding: .utf8) == Self.post)

        let before = inode(draft)
        let fixed = try await Briefd.run(["check", "--offline", "--fix", "--config", config, draft])
        #expect(fixed.stderr.contains("fixed \(draft): Use the registry's spelling: Mara Feld"), "\(fixed.stderr)")
        #expect(
            fixed.stderr.contains(
                "not applied in \(draft): Use the registry's role: Director, Shanghai Policy Lab: not safe"),
            "\(fixed.stderr)")
        let text = try String(contentsOfFile: draft, encoding: .utf8)
        #expect(text == Self.post.replacingOccurrences(of: "Mara Fled", with: "Mara Feld"))
        // Written beside and renamed (a new inode), the mode kept, no temporary left.
        #expect(inode(draft) != before)
        var status = stat()
        stat(draft, &status)
        #expect(status.st_mode & 0o777 == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/drafts") == ["post.md"])
        // What is left is reported: the role, a warning.
        #expect(fixed.stdout.contains("warning attribution.role-mismatch"), "\(fixed.stdout)")
        #expect(!fixed.stdout.contains("misspelled-person"))

        // Idempotent: a second safe run changes nothing.
        let again = try await Briefd.run(["check", "--offline", "--fix", "--config", config, draft])
        #expect(!again.stderr.contains("fixed "), "\(again.stderr)")
        #expect(try String(contentsOfFile: draft, encoding: .utf8) == text)

        // --unsafe applies the registry's role too.
        let unsafe = try await Briefd.run(["check", "--offline", "--fix", "--unsafe", "--config", config, draft])
        #expect(unsafe.status == 0, "\(unsafe.stdout)\(unsafe.stderr)")
        #expect(
            try String(contentsOfFile: draft, encoding: .utf8).contains(
                "Li Wen, director of Shanghai Policy Lab, said:"))
    }

    /// A file saved between the check and the write is left as the editor saved it, and named.
    @Test func aFileChangedSinceItWasReadIsNeverOverwritten() throws {
        let (folder, _, draft) = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let registry = try RegistryParser.parse(
            try String(contentsOfFile: BuildCommandTests.root + "/config/sources.yml", encoding: .utf8),
            path: "sources.yml")
        let checker = DraftChecker(
            config: Config.defaults(at: folder + "/briefd.yml"), registry: registry, today: Day(iso: "2026-11-27")!)
        let checked = CheckRun(checker: checker).runKeepingDrafts(paths: [draft])
        let saved = Self.post + "A paragraph the editor added meanwhile.\n"
        try saved.write(toFile: draft, atomically: false, encoding: .utf8)
        let outcomes = FixRun.apply(
            reports: checked.reports, drafts: checked.drafts, includingUnsafe: true, dryRun: false)
        #expect(outcomes.first?.refused?.contains("the file changed since it was read") == true, "\(outcomes)")
        #expect(try String(contentsOfFile: draft, encoding: .utf8) == saved)
    }
}
