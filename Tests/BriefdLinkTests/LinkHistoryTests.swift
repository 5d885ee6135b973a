import BriefdCore
import BriefdIO
import Foundation
import Testing

/// The link history's retention (`links.history_days`) and the rot pass reading only what a link's health rests on.
@Suite struct LinkHistoryTests {
    static let day = 86_400.0
    static let now = 2_000_000_000.0

    static func store() throws -> (LinkStore, StateDatabase, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "briefd-history-\(UUID().uuidString)"
        )
        .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let state = try StateDatabase(path: folder + "/briefd.sqlite")
        return (LinkStore(state), state, folder)
    }

    static func check(_ url: String, _ verdict: LinkVerdict, daysAgo: Double) -> LinkResult {
        LinkResult(url: url, verdict: verdict, status: verdict == .ok ? 200 : 404, checkedAt: now - daysAgo * day)
    }

    @Test func theRotPassReadsFromEachLinksLastLiveAnswerAndWeighsItTheSame() async throws {
        let (store, _, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = "https://example.org/a"
        let history: [(LinkVerdict, Double)] = [
            (.ok, 30), (.broken, 20), (.broken, 19), (.ok, 10), (.broken, 5), (.blocked, 4), (.broken, 1),
        ]
        try await store.record(history.map { Self.check(url, $0.0, daysAgo: $0.1) })
        let never = "https://example.org/never"
        try await store.record([Self.check(never, .broken, daysAgo: 3), Self.check(never, .timeout, daysAgo: 1)])
        let read = try await store.healthChecks(of: [url, never])
        #expect(read[url]?.map(\.verdict) == [.ok, .broken, .blocked, .broken], "from the last live answer on")
        #expect(read[never]?.count == 2, "no live answer: the whole history")
        // The same health as the whole history gives.
        let whole = history.map { verdict, daysAgo in
            HealthCheck(
                at: Self.now - daysAgo * Self.day, kind: HealthCheck.kind(of: verdict),
                status: verdict == .ok ? 200 : 404, verdict: verdict)
        }
        let policy = RotPolicy()
        #expect(LinkHealth.evaluate(read[url] ?? [], policy: policy) == LinkHealth.evaluate(whole, policy: policy))
        #expect(try await store.latest(of: [url])[url]?.verdict == .broken)
    }

    @Test func pruningKeepsEachLinksLatestAndWhatItsHealthRestsOn() async throws {
        let (store, state, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let alive = "https://example.org/alive"
        let dead = "https://example.org/dead"
        let quiet = "https://example.org/quiet"
        try await store.record([
            Self.check(alive, .ok, daysAgo: 900), Self.check(alive, .ok, daysAgo: 500),
            Self.check(alive, .ok, daysAgo: 2),
            // Live long ago, failing since 700 days: the first failure is its "since" and is kept.
            Self.check(dead, .ok, daysAgo: 800), Self.check(dead, .broken, daysAgo: 700),
            Self.check(dead, .broken, daysAgo: 600), Self.check(dead, .broken, daysAgo: 30),
            Self.check(dead, .broken, daysAgo: 3),
            // Checked only long ago (no longer watched): its last verdict stays.
            Self.check(quiet, .ok, daysAgo: 950), Self.check(quiet, .broken, daysAgo: 900),
        ])
        let pages = PageStore(state)
        for daysAgo in [800.0, 600, 1] {
            try await pages.record(
                PageSnapshot(
                    url: alive, fetchedAt: Self.now - daysAgo * Self.day, status: 200, text: "page \(daysAgo)",
                    published: nil, problem: nil))
        }
        try await pages.record(
            PageSnapshot(
                url: quiet, fetchedAt: Self.now - 900 * Self.day, status: 200, text: "only", published: nil,
                problem: nil))
        let policy = RotPolicy()
        let before = try await store.healthChecks(of: [dead]).mapValues { LinkHealth.evaluate($0, policy: policy) }

        let pruned = try await store.prune(olderThanDays: 400, now: Self.now)
        #expect(pruned.checks == 5, "alive's two old checks, dead's old live one and its 600-day failure, quiet's ok")
        #expect(pruned.pages == 2)
        #expect(try await store.history(of: alive).map(\.checkedAt) == [Self.now - 2 * Self.day])
        #expect(
            try await store.history(of: dead).map { ($0.checkedAt - Self.now) / Self.day } == [-700, -30, -3])
        #expect(try await store.history(of: quiet).map(\.verdict) == [.broken])
        let after = try await store.healthChecks(of: [dead]).mapValues { LinkHealth.evaluate($0, policy: policy) }
        #expect(after[dead]?.state == before[dead]?.state && after[dead]?.state == .dead)
        #expect(after[dead]?.firstFailure == before[dead]?.firstFailure, "failing since the same day")
        #expect(try await pages.latest([alive])[alive]?.text == "page 1.0")
        #expect(try await pages.latest([quiet])[quiet]?.text == "only", "a page's latest snapshot stays")

        // Again: nothing more to prune.
        let again = try await store.prune(olderThanDays: 400, now: Self.now)
        #expect(again.checks == 0 && again.pages == 0)
    }
}
