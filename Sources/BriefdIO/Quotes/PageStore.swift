public import BriefdCore
import GRDB

/// Snapshots of the pages quotes come from (article text, date, status, content hash), so that a comparison
/// can be repeated and explained after the page changes or dies.
public final class PageStore: Sendable {
    private let database: DatabaseQueue

    public init(_ state: StateDatabase) { database = state.queue }

    public func record(_ snapshot: PageSnapshot) throws {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO page_snapshot (url, fetched_at, status, text, sha256, published, problem)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    snapshot.url, snapshot.fetchedAt, snapshot.status, snapshot.text,
                    snapshot.text.map { SHA256.hex(Array($0.utf8)) }, snapshot.published?.description, snapshot.problem,
                ])
        }
    }

    /// The newest snapshot of each of `urls` that has one.
    public func latest(_ urls: [String]) throws -> [String: PageSnapshot] {
        try database.read { db in
            var found: [String: PageSnapshot] = [:]
            for url in Set(urls) {
                guard let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM page_snapshot WHERE url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1", arguments: [url])
                else { continue }
                found[url] = PageSnapshot(
                    url: row["url"], fetchedAt: row["fetched_at"], status: row["status"], text: row["text"],
                    published: (row["published"] as String?).flatMap { Day(iso: $0) }, problem: row["problem"])
            }
            return found
        }
    }
}
