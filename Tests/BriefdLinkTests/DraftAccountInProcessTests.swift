import BriefdCore
import BriefdIO
import Foundation
import Logging
import Testing

/// The daemon's account of drafts, driven in process: a review that fails leaves its draft `checking` with the
/// reason and is tried again later, never read as clean; the account, INDEX.json and the saved state agree.
@Suite("The daemon's account in process")
struct DraftAccountInProcessTests {
    @Test(.timeLimit(.minutes(1)))
    func aFailedReviewIsCheckingWithItsReasonAndIsTriedAgain() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-account-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        var config = Config.defaults(at: folder + "/briefd.yml")
        config.paths.drafts = folder + "/drafts"
        config.paths.reports = folder + "/reports"
        config.paths.state = folder + "/briefd.sqlite"
        try """
            ---
            title: Notes
            kind: post
            author: Someone
            date: 2026-11-20
            ---
            See [the story](https://example.net/story) for more.
            """.write(toFile: folder + "/drafts/a.md", atomically: true, encoding: .utf8)
        let state = try StateDatabase(path: config.paths.state)
        let reviews = ReviewQueue()
        let desk = try DraftDesk(
            workspace: Workspace(config: config, registry: .empty, fingerprint: "account"), store: DaemonStore(state),
            logger: Logger(label: "test"), reviews: reviews, version: "test")
        await desk.scanAll(reason: "test")
        #expect(await desk.entry(of: "a.md")?.standing.status == .checking)
        let job = try #require(await reviews.next())

        let wait = await desk.reviewFailed(job, reason: "the link history is locked")
        #expect(wait == .seconds(30))
        let failed = try #require(await desk.entry(of: "a.md"))
        #expect(failed.standing.status == .checking)
        #expect(failed.standing.reasons.first?.contains("failed (the link history is locked)") == true)
        await desk.flush()
        let index = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config.paths.reports + "/INDEX.json"))) as? [String: Any])
        #expect((index["drafts"] as? [[String: Any]])?.first?["status"] as? String == "checking")
        #expect(try DaemonStore(state).drafts()[folder + "/drafts/a.md"]?.status == .checking)

        // Not before its wait; then queued again, and its review's findings make it final.
        await desk.retryFailedReviews(now: Date())
        #expect(await desk.entry(of: "a.md")?.standing.reasons.first?.contains("failed") == true)
        await desk.retryFailedReviews(now: Date().addingTimeInterval(31))
        #expect(await desk.entry(of: "a.md")?.standing.reasons.first == "its links and quotes are being checked")
        let again = try #require(await reviews.next())
        #expect(again.path == job.path)
        await desk.reviewed(again, findings: [])
        #expect(await desk.entry(of: "a.md")?.standing.status == .held)  // a blog post: posts are not digest items
    }
}
