public import BriefdCore
import Foundation
import GRDB

/// The state database's link history: every network check of every link (time, verdict, status, final
/// URL), from which the checker's cache and, later, link-rot alerts are read.
public final class LinkStore: Sendable {
    private let database: DatabasePool

    public init(_ state: StateDatabase) {
        database = state.pool
    }

    /// Appends `results` to the history in one transaction; `hostOutage` marks checks made while the whole
    /// host was failing.
    public func record(_ results: [LinkResult], hostOutage: Set<String> = []) async throws {
        guard !results.isEmpty else { return }
        try await database.writeOffThePool { db in
            for result in results {
                try LinkCheckRow(
                    url: result.url, checkedAt: result.checkedAt, verdict: result.verdict.rawValue,
                    status: result.status,
                    finalURL: result.finalURL, redirects: LinkStore.encode(result.redirects), error: result.error,
                    durationMilliseconds: result.durationMilliseconds, hostOutage: hostOutage.contains(result.url)
                ).insert(db)
            }
        }
    }

    /// The checks of each of `urls` as the rot monitor weighs them, oldest first; 500 URLs to a query.
    public func healthChecks(of urls: [String]) async throws -> [String: [HealthCheck]] {
        guard !urls.isEmpty else { return [:] }
        return try await database.readOffThePool { db in
            var found: [String: [HealthCheck]] = [:]
            for chunk in StateDatabase.slices(of: urls) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                // From each link's last live answer on (or its whole history, without one): health is weighed from
                // there (`LinkHealth.evaluate` starts again at a live answer), so older checks are not read.
                let rows = try LinkCheckRow.fetchCursor(
                    db,
                    sql: """
                        WITH last_live AS (
                            SELECT url, MAX(checked_at) AS at FROM link_check
                            WHERE url IN (\(marks)) AND verdict IN (\(LinkStore.liveVerdicts)) GROUP BY url)
                        SELECT link_check.* FROM link_check LEFT JOIN last_live ON last_live.url = link_check.url
                        WHERE link_check.url IN (\(marks)) AND link_check.checked_at >= COALESCE(last_live.at, 0)
                        ORDER BY link_check.checked_at, link_check.id
                        """,
                    arguments: StatementArguments(chunk + chunk))
                while let row = try rows.next() {
                    guard let verdict = LinkVerdict(rawValue: row.verdict) else { continue }
                    let kind = HealthCheck.kind(of: verdict)
                    found[row.url, default: []].append(
                        HealthCheck(
                            at: row.checkedAt, kind: row.hostOutage && kind == .failure ? .hostOutage : kind,
                            status: row.status, verdict: verdict))
                }
            }
            return found
        }
    }

    /// The live verdicts as an SQL list (fixed words of our own, not input).
    static let liveVerdicts = HealthCheck.liveVerdicts.map { "'\($0.rawValue)'" }.joined(separator: ",")

    /// What the history keeps, `links.history_days` back from `now`: every check and kept page since then; of older
    /// ones, each link's latest check, and the first failure after its last live answer (the "failing since" its
    /// health and the Links page show); each page's latest snapshot. Returns how many checks and pages went.
    public func prune(olderThanDays days: Int, now: Double) async throws -> (checks: Int, pages: Int) {
        let cutoff = now - Double(days) * 86_400
        return try await database.writeOffThePool { db in
            try db.execute(
                sql: """
                    DELETE FROM link_check WHERE checked_at < ?
                    AND id NOT IN (SELECT MAX(id) FROM link_check GROUP BY url)
                    AND id NOT IN (
                        SELECT MIN(c.id) FROM link_check c
                        LEFT JOIN (SELECT url, MAX(checked_at) AS at FROM link_check
                                   WHERE verdict IN (\(LinkStore.liveVerdicts)) GROUP BY url) live ON live.url = c.url
                        WHERE c.checked_at >= COALESCE(live.at, 0) AND c.verdict NOT IN (\(LinkStore.liveVerdicts))
                        GROUP BY c.url)
                    """, arguments: [cutoff])
            let checks = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM page_snapshot WHERE fetched_at < ?
                    AND id NOT IN (SELECT MAX(id) FROM page_snapshot GROUP BY url)
                    """, arguments: [cutoff])
            return (checks, db.changesCount)
        }
    }

    private static func checks(of url: String, _ db: Database) throws -> [LinkCheckRow] {
        try LinkCheckRow.fetchAll(
            db, sql: "SELECT * FROM link_check WHERE url = ? ORDER BY checked_at, id", arguments: [url])
    }

    /// When each of `urls` was last checked.
    public func lastChecked(_ urls: [String]) async throws -> [String: Double] {
        guard !urls.isEmpty else { return [:] }
        // Only the URLs asked about, a slice at a time.
        return try await database.readOffThePool { db in
            var found: [String: Double] = [:]
            for chunk in StateDatabase.slices(of: urls) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT url, MAX(checked_at) AS last FROM link_check WHERE url IN (\(marks)) GROUP BY url",
                    arguments: StatementArguments(chunk))
                while let row = try rows.next() { found[row["url"]] = row["last"] }
            }
            return found
        }
    }

    /// The newest result of each of `urls` still young enough to trust: `okAge` seconds for working links,
    /// `brokenAge` for the rest (so bad results are checked again sooner).
    public func freshResults(for urls: [String], now: Double, okAge: Double, brokenAge: Double) async throws
        -> [String: LinkResult]
    {
        let oldest = now - max(okAge, brokenAge)
        let found = try await database.readOffThePool { db in
            var found: [String: LinkResult] = [:]
            for chunk in StateDatabase.slices(of: urls) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try LinkCheckRow.fetchCursor(
                    db, sql: "SELECT * FROM link_check WHERE url IN (\(marks)) AND checked_at >= ? ORDER BY checked_at",
                    arguments: StatementArguments(chunk + [oldest]))
                while let row = try rows.next() {
                    guard let result = row.result(cached: true) else { continue }
                    found[result.url] = result  // Rows come oldest first: the newest wins.
                }
            }
            return found
        }
        return found.filter { _, result in now - result.checkedAt <= (result.ok ? okAge : brokenAge) }
    }

    /// What the history already knows of `urls` (as cited, fragments allowed) within the cache ages of
    /// `settings`, keyed by the URL as cited; nothing is requested.
    public func knownResults(for urls: [String], settings: LinkSettings, now: Double) async throws -> [String:
        LinkResult]
    {
        let history = try await freshResults(
            for: Array(Set(urls.map(LinkProbe.withoutFragment))), now: now, okAge: Double(settings.cacheOKHours) * 3600,
            brokenAge: Double(settings.cacheBrokenHours) * 3600)
        var results: [String: LinkResult] = [:]
        for url in urls { results[url] = history[LinkProbe.withoutFragment(url)] }
        return results
    }

    /// Redirect hops as text, one `status<TAB>url` per line: far cheaper than JSON for ten thousand rows,
    /// and URLs hold neither tabs nor line breaks.
    static func encode(_ redirects: [LinkRedirect]) -> String {
        redirects.map { "\($0.status)\t\($0.url)" }.joined(separator: "\n")
    }

    static func decode(_ text: String) -> [LinkRedirect] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2, let status = Int(parts[0]) else { return nil }
            return LinkRedirect(status: status, url: String(parts[1]))
        }
    }

    /// The newest recorded check of each of `urls` that has one, however old.
    public func latest(of urls: [String]) async throws -> [String: LinkResult] {
        guard !urls.isEmpty else { return [:] }
        return try await database.readOffThePool { db in
            var found: [String: LinkResult] = [:]
            for chunk in StateDatabase.slices(of: urls) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                // Only each link's newest check is read (the history of a long-watched link is long).
                let rows = try LinkCheckRow.fetchCursor(
                    db,
                    sql: """
                        SELECT link_check.* FROM link_check JOIN (
                            SELECT url, MAX(checked_at) AS at FROM link_check WHERE url IN (\(marks)) GROUP BY url
                        ) newest ON newest.url = link_check.url AND newest.at = link_check.checked_at
                        ORDER BY link_check.checked_at, link_check.id
                        """,
                    arguments: StatementArguments(chunk))
                while let row = try rows.next() { found[row.url] = row.result() ?? found[row.url] }  // the newest wins
            }
            return found
        }
    }

    /// Every recorded check of `url`, oldest first.
    public func history(of url: String) async throws -> [LinkResult] {
        try await database.readOffThePool { db in try LinkStore.checks(of: url, db).compactMap { $0.result() } }
    }
}

extension LinkCheckRow {
    /// The check as the core knows it; nil for a verdict this version does not know.
    func result(cached: Bool = false) -> LinkResult? {
        guard let verdict = LinkVerdict(rawValue: verdict) else { return nil }
        return LinkResult(
            url: url, verdict: verdict, status: status, finalURL: finalURL, redirects: LinkStore.decode(redirects),
            error: error, checkedAt: checkedAt, durationMilliseconds: durationMilliseconds, cached: cached)
    }
}
