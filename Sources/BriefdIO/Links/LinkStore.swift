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
            let statement = try db.makeStatement(
                sql: """
                    INSERT INTO link_check (url, checked_at, verdict, status, final_url, redirects, error, duration_ms, host_outage)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for result in results {
                let redirects = LinkStore.encode(result.redirects)
                try statement.execute(arguments: [
                    result.url, result.checkedAt, result.verdict.rawValue, result.status, result.finalURL, redirects,
                    result.error, result.durationMilliseconds, hostOutage.contains(result.url),
                ])
            }
        }
    }

    /// The checks of `url` as the rot monitor weighs them, oldest first.
    public func healthChecks(of url: String) throws -> [HealthCheck] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT checked_at, verdict, status, host_outage FROM link_check WHERE url = ? ORDER BY checked_at, id",
                arguments: [url]
            ).compactMap { row in
                guard let verdict = LinkVerdict(rawValue: row["verdict"]) else { return nil }
                let outage: Bool = row["host_outage"]
                let kind = HealthCheck.kind(of: verdict)
                return HealthCheck(
                    at: row["checked_at"], kind: outage && kind == .failure ? .hostOutage : kind, status: row["status"],
                    verdict: verdict)
            }
        }
    }

    /// When each of `urls` was last checked.
    public func lastChecked(_ urls: [String]) async throws -> [String: Double] {
        guard !urls.isEmpty else { return [:] }
        // Only the URLs asked about, 500 to a query (SQLite's limit on bound values is far above that), off the pool.
        return try await database.readOffThePool { db in
            var found: [String: Double] = [:]
            for chunk in stride(from: 0, to: urls.count, by: 500).map({ Array(urls[$0..<min($0 + 500, urls.count)]) }) {
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
            for chunk in stride(from: 0, to: urls.count, by: 500).map({ Array(urls[$0..<min($0 + 500, urls.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT url, checked_at, verdict, status, final_url, redirects, error, duration_ms
                        FROM link_check WHERE url IN (\(marks)) AND checked_at >= ? ORDER BY checked_at
                        """, arguments: StatementArguments(chunk + [oldest]))
                while let row = try rows.next() {
                    guard let verdict = LinkVerdict(rawValue: row["verdict"]) else { continue }
                    let redirects: String = row["redirects"]
                    let result = LinkResult(
                        url: row["url"], verdict: verdict, status: row["status"], finalURL: row["final_url"],
                        redirects: LinkStore.decode(redirects),
                        error: row["error"], checkedAt: row["checked_at"], durationMilliseconds: row["duration_ms"],
                        cached: true)
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

    /// Every recorded check of `url`, oldest first.
    public func history(of url: String) throws -> [LinkResult] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT url, checked_at, verdict, status, final_url, error, duration_ms FROM link_check WHERE url = ? ORDER BY checked_at",
                arguments: [url]
            ).compactMap { row in
                guard let verdict = LinkVerdict(rawValue: row["verdict"]) else { return nil }
                return LinkResult(
                    url: row["url"], verdict: verdict, status: row["status"], finalURL: row["final_url"],
                    error: row["error"], checkedAt: row["checked_at"], durationMilliseconds: row["duration_ms"])
            }
        }
    }
}
