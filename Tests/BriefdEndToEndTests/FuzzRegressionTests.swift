import Foundation
import Testing

/// Inputs that fuzzing found misbehaving, replayed through the plain `briefd-fuzz` build (`make fuzz-replay` runs
/// every one of them for crashes; this suite checks what a crash check cannot see).
@Suite("Fuzz regressions", .timeLimit(.minutes(5)))
struct FuzzRegressionTests {
    static var fuzzer: String {
        URL(fileURLWithPath: Briefd.executable).deletingLastPathComponent().appendingPathComponent("briefd-fuzz").path
    }

    /// A page declared windows-1252 holding a byte that charset lacks: libxml2 printed "encoding error : input
    /// conversion failed" to stderr despite HTML_PARSE_NOERROR; in the daemon every such page wrote to the journal.
    @Test func aPageInTheWrongCharsetWritesNothingToStderr() throws {
        let input = BuildCommandTests.root + "/Tests/Fuzz/Regressions/html/encoding-error-to-stderr.html"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.fuzzer)
        process.arguments = ["html", input]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.isEmpty, "\(text)")
    }
}
