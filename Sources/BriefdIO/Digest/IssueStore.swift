public import BriefdCore
import Foundation
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

        public init(url: String, identity: String, title: String, placement: String, path: String, source: String = "")
        {
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

    /// Records an issue with its items and files, in one transaction, as a new version: the first build is
    /// version 1, each `--replace` the next, and every version (record, items, files) is kept for `restore`.
    /// - Returns: the version recorded.
    @discardableResult
    public func record(
        _ issue: Record, items: [Item], files: [(name: String, bytes: [UInt8])], builtAt: Double
    ) throws -> Int {
        try database.write { db in
            let version =
                (try Int.fetchOne(
                    db, sql: "SELECT MAX(version) FROM issue_version WHERE issue_date = ?", arguments: [issue.date])
                    ?? 0) + 1
            try db.execute(
                sql: """
                    INSERT INTO issue_version (issue_date, version, built_at, title, item_count, web_url, content_html, items)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    issue.date, version, builtAt, issue.title, issue.itemCount, issue.webURL, issue.contentHTML,
                    JSONText.line(items.map(StoredItem.init)),
                ])
            for file in files {
                try db.execute(
                    sql: "INSERT INTO issue_version_file (issue_date, version, name, bytes) VALUES (?, ?, ?, ?)",
                    arguments: [issue.date, version, file.name, Data(file.bytes)])
            }
            try IssueStore.makeCurrent(db, issue, items: items, files: files, version: version, builtAt: builtAt)
            return version
        }
    }

    private static func makeCurrent(
        _ db: Database, _ issue: Record, items: [Item], files: [(name: String, bytes: [UInt8])], version: Int,
        builtAt: Double
    ) throws {
        try db.execute(sql: "DELETE FROM issue WHERE date = ?", arguments: [issue.date])
        try db.execute(
            sql:
                "INSERT INTO issue (date, title, item_count, web_url, content_html, version, built_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [issue.date, issue.title, issue.itemCount, issue.webURL, issue.contentHTML, version, builtAt])
        try insertItems(db, items, of: issue.date)
        for file in files {
            try db.execute(
                sql: "INSERT INTO issue_file (issue_date, name, sha256, bytes) VALUES (?, ?, ?, ?)",
                arguments: [issue.date, file.name, ContentHash.sha256Hex(file.bytes), file.bytes.count])
        }
    }

    /// An issue's items, in reading order.
    private static func insertItems(_ db: Database, _ items: [Item], of date: String) throws {
        for (position, item) in items.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO issue_item (issue_date, position, url, identity, title, placement, path, source)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    date, position, item.url, item.identity, item.title, item.placement, item.path, item.source,
                ])
        }
    }

    /// One published issue as `briefd issues` and `/api/issues` list it.
    public struct Published: Sendable, Equatable, Encodable {
        public struct Version: Sendable, Equatable, Encodable {
            public var version: Int
            @NullEncoded public var builtAt: String?
            public var items: Int

            enum CodingKeys: String, CodingKey {
                case version, items
                case builtAt = "built_at"
            }
        }
        public var date: String
        /// When the current version was built (ISO 8601 with its zone); nil for an imported issue.
        @NullEncoded public var builtAt: String?
        public var version: Int
        public var versions: [Version]
        public var items: Int
        public var title: String
        /// The page it was imported from, for an issue briefd did not build.
        @NullEncoded public var importedFrom: String?

        enum CodingKeys: String, CodingKey {
            case date, version, versions, items, title
            case builtAt = "built_at"
            case importedFrom = "imported_from"
        }
    }

    /// Every published issue, newest first, with its versions.
    public func published() throws -> [Published] {
        try database.read { db in
            var versions: [String: [Published.Version]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT issue_date, version, built_at, item_count FROM issue_version ORDER BY issue_date, version")
            {
                versions[row["issue_date"], default: []].append(
                    Published.Version(
                        version: row["version"], builtAt: JSONText.timestamp(row["built_at"] as Double),
                        items: row["item_count"]))
            }
            return try Row.fetchAll(
                db,
                sql: "SELECT date, title, item_count, version, built_at, imported_from FROM issue ORDER BY date DESC"
            ).map { row in
                let date: String = row["date"]
                return Published(
                    date: date, builtAt: (row["built_at"] as Double?).map(JSONText.timestamp), version: row["version"],
                    versions: versions[date] ?? [], items: row["item_count"], title: row["title"],
                    importedFrom: row["imported_from"])
            }
        }
    }

    /// Every published issue's items, as the drafts' account needs them.
    public func publishedIssues() throws -> PublishedIssues {
        try database.read(IssueStore.publishedIssues)
    }

    /// The same from async code.
    public func publishedIssuesOffThePool() async throws -> PublishedIssues {
        try await database.readOffThePool(IssueStore.publishedIssues)
    }

    private static func publishedIssues(_ db: Database) throws -> PublishedIssues {
        var issues: [Day: [PublishedIssues.Item]] = [:]
        for date in try String.fetchAll(db, sql: "SELECT date FROM issue") {
            if let day = Day(iso: date) { issues[day] = [] }
        }
        let rows = try Row.fetchCursor(db, sql: "SELECT issue_date, path, identity FROM issue_item")
        while let row = try rows.next() {
            guard let day = Day(iso: row["issue_date"] as String) else { continue }
            issues[day, default: []].append(PublishedIssues.Item(path: row["path"], identity: row["identity"]))
        }
        return PublishedIssues(issues)
    }

    /// What changes whenever an issue is published, replaced or restored, by any process: the daemon compares
    /// it a few times a second to learn of a build made by `briefd build`.
    public func publicationStamp() async throws -> String {
        try await database.readOffThePool { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT COUNT(*) AS n, COALESCE(SUM(version), 0) AS v, COALESCE(MAX(built_at), 0) AS t FROM issue")
            return "\(row?["n"] as Int? ?? 0)/\(row?["v"] as Int? ?? 0)/\(row?["t"] as Double? ?? 0)"
        }
    }

    /// Why a version cannot be restored.
    public struct RestoreError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The files of `version` of the issue of `date`, as that build wrote them.
    public func files(of date: Day, version: Int) throws -> [(name: String, bytes: [UInt8])] {
        try database.read { db in
            try IssueStore.existingVersion(db, date, version)
            return try Row.fetchAll(
                db,
                sql: "SELECT name, bytes FROM issue_version_file WHERE issue_date = ? AND version = ? ORDER BY name",
                arguments: [date.description, version]
            ).map { (name: $0["name"] as String, bytes: [UInt8]($0["bytes"] as Data)) }
        }
    }

    /// Makes `version` of the issue of `date` the published one again (its record, items and files' digests).
    public func restore(date: Day, version: Int) throws {
        try database.write { db in
            let row = try IssueStore.existingVersion(db, date, version)
            let files = try Row.fetchAll(
                db,
                sql: "SELECT name, bytes FROM issue_version_file WHERE issue_date = ? AND version = ? ORDER BY name",
                arguments: [date.description, version]
            ).map { (name: $0["name"] as String, bytes: [UInt8]($0["bytes"] as Data)) }
            let items = try JSONDecoder().decode([StoredItem].self, from: Data((row["items"] as String).utf8)).map(
                \.item)
            let record = Record(
                date: row["issue_date"], title: row["title"], itemCount: row["item_count"], webURL: row["web_url"],
                contentHTML: row["content_html"])
            try IssueStore.makeCurrent(
                db, record, items: items, files: files, version: version, builtAt: row["built_at"])
        }
    }

    /// The kept version's row, or a `RestoreError` naming the versions that are kept.
    @discardableResult
    private static func existingVersion(_ db: Database, _ date: Day, _ version: Int) throws -> Row {
        if let row = try Row.fetchOne(
            db, sql: "SELECT * FROM issue_version WHERE issue_date = ? AND version = ?",
            arguments: [date.description, version])
        {
            return row
        }
        let known = try Int.fetchAll(
            db, sql: "SELECT version FROM issue_version WHERE issue_date = ? ORDER BY version",
            arguments: [date.description])
        throw RestoreError(
            description: known.isEmpty
                ? "no version of the issue of \(date) is kept"
                : "the issue of \(date) has no version \(version); kept: \(known.map(String.init).joined(separator: ", "))"
        )
    }

    /// An item as a version keeps it (JSON in `issue_version.items`).
    struct StoredItem: Codable {
        var url, identity, title, placement, path, source: String

        init(_ item: Item) {
            (url, identity, title, placement, path, source) =
                (item.url, item.identity, item.title, item.placement, item.path, item.source)
        }

        var item: Item {
            Item(url: url, identity: identity, title: title, placement: placement, path: path, source: source)
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
            if let row = try Row.fetchOne(
                db, sql: "SELECT imported_from FROM issue WHERE date = ?", arguments: [issue.date])
            {
                let from: String? = row["imported_from"]
                return from == page ? .alreadyImported : .kept(importedFrom: from)
            }
            try db.execute(
                sql:
                    "INSERT INTO issue (date, title, item_count, web_url, content_html, imported_from) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [issue.date, issue.title, issue.itemCount, issue.webURL, issue.contentHTML, page])
            try IssueStore.insertItems(db, items, of: issue.date)
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
                db,
                sql:
                    "SELECT url, identity, title, placement, path, source FROM issue_item WHERE issue_date = ? ORDER BY position",
                arguments: [date.description]
            ).map {
                Item(
                    url: $0["url"], identity: $0["identity"], title: $0["title"], placement: $0["placement"],
                    path: $0["path"],
                    source: $0["source"])
            }
        }
    }
}
