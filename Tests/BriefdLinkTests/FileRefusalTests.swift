import BriefdIO
import BriefdApp
import Foundation
import SystemPackage
import Testing

/// Reading drafts and config files: each refusal says which call failed and keeps the system's error number.
@Suite(.timeLimit(.minutes(5))) struct FileRefusalTests {
    let folder: String

    init() throws {
        folder =
            FileManager.default.temporaryDirectory.appendingPathComponent("briefd-refusal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func refusal(_ path: String, root: String? = nil, maxBytes: Int = 1_000) -> FileRefusal? {
        if case .refused(_, let reason) = DraftFiles.read(path, root: root, maxBytes: maxBytes) { return reason }
        return nil
    }

    @Test func eachRefusalKeepsWhatFailed() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(refusal(folder + "/missing.md") == .cannotStat(.noSuchFileOrDirectory))
        #expect(refusal(folder + "/missing.md")?.errno == .noSuchFileOrDirectory)
        #expect(refusal(folder) == .notRegularFile)
        try String(repeating: "x", count: 2_000).write(toFile: folder + "/big.md", atomically: true, encoding: .utf8)
        #expect(refusal(folder + "/big.md") == .overLimit(size: 2_000, limit: 1_000, setting: "checks.max_draft_bytes"))
        #expect(
            refusal(folder + "/big.md")?.description
                == "the file is 2000 bytes, over the limit of 1000 (checks.max_draft_bytes)")
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/dangling.md", withDestinationPath: folder + "/nowhere")
        #expect(refusal(folder + "/dangling.md") == .brokenSymlink)
        let inner = folder + "/drafts"
        try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: inner + "/escape.md", withDestinationPath: folder + "/big.md")
        #expect(
            refusal(inner + "/escape.md", root: inner, maxBytes: 10_000)
                == .symlinkOutsideFolder(target: folder + "/big.md"))
        #expect(refusal(folder + "/big.md", maxBytes: 10_000) == nil)
    }

    @Test func aConfigFileThatIsNotUTF8IsRefusedAsSuch() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data([0x61, 0xFF, 0x62]).write(to: URL(fileURLWithPath: folder + "/latin1.yml"))
        let error = #expect(throws: TextFile.ReadError.self) { _ = try TextFile.read(folder + "/latin1.yml") }
        #expect(error?.reason == .notUTF8)
        #expect(error?.path == folder + "/latin1.yml")
    }
}
