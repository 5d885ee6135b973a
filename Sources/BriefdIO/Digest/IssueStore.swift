public import BriefdCore
import GRDB

/// The record of published issues in the state database: each issue's items (URL, title, placement) and
/// files (name, SHA-256), read back for "already published" checks, the archive, the feeds and, later, the
/// link-rot monitor.
public final class IssueStore: Sendable {
    private let database: DatabasePool

    public init(_ state: StateDatabase) { database = state.pool }

    /// One issue as recorded.
    public struct Record: Sendable, Equatable {
        public var date: String
        public var title: String
        public var itemCount: Int
        public var webURL: String
        public var contentHTML: String

        public init(date: String, title: String, itemCount: Int, webURL: String, contentHTML: String) {
            self.date = date
            self.title = title
            self.itemCount = itemCount
            self.webURL = webURL
            self.contentHTML = contentHTML
        }
    }

    public struct Item: Sendable, Equatable {
        public var url: String
        public var identity: String
        public var title: String
        public var placement: String
        public var path: String
        /// The publication's registry name; "" for items recorded before briefd kept it.
        public var source: String

        public init(url: String, identity: String, title: String, placement: String, path: String, source: String = "") {
            self.url = url
            self.identity = identity
            self.title = title
            self.placement = placement
            self.path = path
            self.source = source
        }
    }

    /// URL identity → the date of the first issue before `date` that published it.
    public func publishedBefore(_ date: Day) throws -> [String: Day] {
        try database.read { db in
            var found: [String: Day] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT identity, issue_date FROM issue_item WHERE issue_date < ? ORDER BY issue_date DESC",
                arguments: [date.description])
            while let row = try rows.next() {
                if let day = Day(iso: row["issue_date"] as String) { found[row["identity"]] = day }
            }
            return found
        }
    }

    /// Records (or, for a rebuild, replaces) an issue with its items and files, in one transaction.
    public func record(_ issue: Record, items: [Item], files: [(name: String, bytes: [UInt8])]) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM issue WHERE date = ?", arguments: [issue.date])
            try db.execute(
                sql: "INSERT INTO issue (date, title, item_count, web_url, content_html) VALUES (?, ?, ?, ?, ?)",
                arguments: [issue.date, issue.title, issue.itemCount, issue.webURL, issue.contentHTML])
            for (position, item) in items.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO issue_item (issue_date, position, url, identity, title, placement, path, source)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [issue.date, position, item.url, item.identity, item.title, item.placement, item.path,
                        item.source])
            }
            for file in files {
                try db.execute(
                    sql: "INSERT INTO issue_file (issue_date, name, sha256, bytes) VALUES (?, ?, ?, ?)",
                    arguments: [issue.date, file.name, ContentHash.sha256Hex(file.bytes), file.bytes.count])
            }
        }
    }

    /// Publication (registry name) → section → how many of its published items the section held; the featured
    /// article and the sponsor are not sections.
    public func sectionsUsedBySource() async throws -> [String: [String: Int]] {
        try await database.readOffThePool { db in
            var counts: [String: [String: Int]] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT source, placement, COUNT(*) AS uses FROM issue_item
                    WHERE source != '' AND placement NOT IN ('featured', 'sponsor') GROUP BY source, placement
                    """)
            while let row = try rows.next() {
                counts[row["source"] as String, default: [:]][row["placement"] as String] = row["uses"] as Int
            }
            return counts
        }
    }

    /// What importing an issue did.
    public enum ImportOutcome: Sendable, Equatable {
        case recorded
        /// Imported before from this very page: nothing changed.
        case alreadyImported
        /// Imported before from another page (named), or built by briefd (nil): not overwritten.
        case kept(importedFrom: String?)
    }

    /// Records an issue read from a published page, unless an issue of that date is already recorded: re-importing
    /// changes nothing, and an issue briefd built is never overwritten by an import.
    public func recordImported(_ issue: Record, items: [Item], from page: String) throws -> ImportOutcome {
        try database.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT imported_from FROM issue WHERE date = ?", arguments: [issue.date]) {
                let from: String? = row["imported_from"]
                return from == page ? .alreadyImported : .kept(importedFrom: from)
            }
            try db.execute(
                sql: "INSERT INTO issue (date, title, item_count, web_url, content_html, imported_from) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [issue.date, issue.title, issue.itemCount, issue.webURL, issue.contentHTML, page])
            for (position, item) in items.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO issue_item (issue_date, position, url, identity, title, placement, path, source)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [issue.date, position, item.url, item.identity, item.title, item.placement, item.path, item.source])
            }
            return .recorded
        }
    }

    /// URL → the dates of the issues that published it (the desk's link health page).
    public func issuesCiting(_ urls: [String]) async throws -> [String: [String]] {
        guard !urls.isEmpty else { return [:] }
        return try await database.readOffThePool { db in
            var found: [String: [String]] = [:]
            for chunk in stride(from: 0, to: urls.count, by: 500).map({ Array(urls[$0..<min($0 + 500, urls.count)]) }) {
                let marks = chunk.map { _ in "?" }.joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT url, issue_date FROM issue_item WHERE url IN (\(marks)) ORDER BY issue_date DESC",
                    arguments: StatementArguments(chunk))
                while let row = try rows.next() { found[row["url"] as String, default: []].append(row["issue_date"]) }
            }
            return found
        }
    }

    /// Recorded issues, newest first; `limit` nil for all.
    public func issues(limit: Int? = nil) throws -> [Record] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT date, title, item_count, web_url, content_html FROM issue ORDER BY date DESC LIMIT ?",
                arguments: [limit ?? -1]
            ).map { row in
                Record(
                    date: row["date"], title: row["title"], itemCount: row["item_count"], webURL: row["web_url"],
                    contentHTML: row["content_html"])
            }
        }
    }

    /// The items of the issue of `date`, in reading order.
    public func items(of date: Day) throws -> [Item] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT url, identity, title, placement, path, source FROM issue_item WHERE issue_date = ? ORDER BY position",
                arguments: [date.description]
            ).map { Item(url: $0["url"], identity: $0["identity"], title: $0["title"], placement: $0["placement"], path: $0["path"],
                source: $0["source"]) }
        }
    }
}
