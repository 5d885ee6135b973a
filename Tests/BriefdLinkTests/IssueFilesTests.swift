import BriefdCore
import BriefdIO
import Foundation
import Testing

/// One file of a published issue as its current version's build wrote it: what the desk serves for a published
/// issue's page, frames and downloads, read in one query.
@Suite struct IssueFilesTests {
    static func store() throws -> (IssueStore, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-issue-files-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return (IssueStore(try StateDatabase(path: folder + "/briefd.sqlite")), folder)
    }

    static func record(_ date: String, title: String) -> IssueStore.Record {
        IssueStore.Record(date: date, title: title, itemCount: 1, webURL: "", contentHTML: "<p>\(title)</p>")
    }

    static let item = IssueStore.Item(
        url: "https://example.org/a", identity: "example.org/a", title: "A", placement: "section", path: "a.md")

    @Test func theCurrentVersionsFileAfterAReplaceAndARestore() async throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let day = try #require(Day(iso: "2026-12-03"))
        for version in ["first", "second"] {
            _ = try await store.record(
                Self.record(day.description, title: version), items: [Self.item],
                files: [("index.html", Array("<p>\(version)</p>".utf8)), ("digest.txt", Array(version.utf8))],
                builtAt: 0)
        }
        #expect(try await store.currentFile("digest.txt", of: day) == Array("second".utf8))
        #expect(try await store.currentFile("index.html", of: day) == Array("<p>second</p>".utf8))
        try await store.restore(date: day, version: 1)
        #expect(try await store.currentFile("digest.txt", of: day) == Array("first".utf8))
        // A name the build did not write, and an issue not published: nothing.
        #expect(try await store.currentFile("email.html", of: day) == nil)
        #expect(try await store.currentFile("digest.txt", of: try #require(Day(iso: "2026-12-10"))) == nil)
    }

    @Test func anImportedIssueHasNoBuildFiles() async throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let day = try #require(Day(iso: "2019-01-17"))
        #expect(
            try await store.recordImported(
                Self.record(day.description, title: "Imported"), items: [Self.item], from: "https://example.org/issue")
                == .recorded)
        #expect(try await store.currentFile("index.html", of: day) == nil)
    }
}
