import BriefdCore
import Foundation
import Testing

/// One JSON spelling (snake_case) and a published shape: every `--format json` output and `build.json` is
/// validated against its schema in `docs/schemas/` by `scripts/validate_json.py` (the `jsonschema` package), which
/// also refuses any camelCase key.
@Suite("JSON outputs against their schemas", .timeLimit(.minutes(5)))
struct JSONSchemaTests {
    static let root = BuildCommandTests.root

    /// Runs the validator; its status and what it said.
    static func validate(_ schema: String, _ files: [String]) throws -> (status: Int32, said: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root + "/scripts/validate_json.py", schema] + files
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, said)
    }

    @Test func everyJSONOutputValidatesAgainstItsSchema() async throws {
        let folder = try BuildCommandTests().workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/briefd.yml"
        var outputs: [(schema: String, arguments: [String])] = [
            (
                "check-report",
                ["check", "--offline", "--format", "json", "--config", config, Self.root + "/examples/drafts"]
            ),
            ("check-report", ["check", "--cached", "--format", "json", "--config", config, folder + "/drafts"]),
            ("issue-plan", ["build", "--dry-run", "--issue", "2026-12-02", "--format", "json", "--config", config]),
            ("account", ["status", "--format", "json", "--config", config]),
        ]
        var written: [(String, String)] = []
        for (index, output) in outputs.enumerated() {
            let run = try await Briefd.run(output.arguments)
            let file = folder + "/output-\(index).json"
            try run.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            written.append((output.schema, file))
        }
        #expect(
            try await Briefd.run(["build", "--issue", "2026-12-02", "--no-capture", "--config", config]).status
                == 0)
        outputs = [
            ("issues", ["issues", "--format", "json", "--config", config]),
            ("rot", ["rot", "--format", "json", "--config", config]),
            ("account", ["status", "--format", "json", "--config", config]),
            ("links", ["links", "--format", "json", "--config", config, folder + "/drafts/a-featured.md"]),
        ]
        for (index, output) in outputs.enumerated() {
            let run = try await Briefd.run(output.arguments)
            let file = folder + "/after-\(index).json"
            try run.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            written.append((output.schema, file))
        }
        written.append(("build-report", folder + "/out/2026-12-02/build.json"))
        for (schema, file) in written {
            let result = try await offThePool { try Self.validate(schema + ".schema.json", [file]) }
            #expect(result.status == 0, "\(file) against \(schema): \(result.said)")
        }
    }

    /// The validator is not vacuous: a `build.json` in the spelling of earlier versions fails it (camelCase keys,
    /// required keys missing) — and briefd still reads such a file.
    @Test func anEarlierBuildJSONFailsTheSchemaAndIsStillRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-schema-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let earlier = """
            {"issue": "2026-12-02", "included": [], "errors": [], "warnings": [], "unverifiedLinks": 2,
             "unverifiedQuotes": 1, "leftOut": [{"path": "a.md", "status": "held", "reason": "later"}]}
            """
        try earlier.write(toFile: folder + "/build.json", atomically: true, encoding: .utf8)
        let result = try Self.validate("build-report.schema.json", [folder + "/build.json"])
        #expect(result.status == 1)
        #expect(result.said.contains("key 'leftOut' is not snake_case"), "\(result.said)")
        let read = try JSONDecoder().decode(BuildReport.self, from: Data(earlier.utf8))
        #expect(read.unverifiedLinks == 2 && read.unverifiedQuotes == 1 && read.leftOut.map(\.path) == ["a.md"])
    }
}
