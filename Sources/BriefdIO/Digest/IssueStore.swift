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
    public func publishedBefore(_ date: Day) async throws -> [String: Day] {
        try await database.readOffThePool { db in
            var found: [String: Day] = [:]
            let rows = try IssueItemRow.fetchCursor(
                db, sql: "SELECT * FROM issue_item WHERE issue_date < ? ORDER BY issue_date DESC",
                arguments: [date.description])
            while let row = try rows.next() {
                if let day = Day(iso: row.issueDate) { found[row.identity] = day }
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
    ) async throws -> Int {
        let storedItems = JSONText.line(items.map(StoredItem.init))
        return try await database.writeOffThePool { db in
            let version =
                (try Int.fetchOne(
                    db, sql: "SELECT MAX(version) FROM issue_version WHERE issue_date = ?", arguments: [issue.date])
                    ?? 0) + 1
            try IssueVersionRow(
                issueDate: issue.date, version: version, builtAt: builtAt, title: issue.title,
                itemCount: issue.itemCount, webURL: issue.webURL, contentHTML: issue.contentHTML, items: storedItems
            ).insert(db)
            for file in files {
                try IssueVersionFileRow(
                    issueDate: issue.date, version: version, name: file.name, bytes: Data(file.bytes)
                )
                .insert(db)
            }
            try IssueStore.makeCurrent(db, issue, items: items, files: files, version: version, builtAt: builtAt)
            return version
        }
    }

    private static func makeCurrent(
        _ db: Database, _ issue: Record, items: [Item], files: [(name: String, bytes: [UInt8])], version: Int,
        builtAt: Double
    ) throws {
        _ = try IssueRow.deleteOne(db, key: issue.date)
        try IssueRow(
            date: issue.date, title: issue.title, itemCount: issue.itemCount, webURL: issue.webURL,
            contentHTML: issue.contentHTML, version: version, builtAt: builtAt, importedFrom: nil
        ).insert(db)
        try insertItems(db, items, of: issue.date)
        for file in files {
            try IssueFileRow(
                issueDate: issue.date, name: file.name, sha256: ContentHash.sha256Hex(file.bytes),
                bytes: file.bytes.count
            ).insert(db)
        }
    }

    /// An issue's items, in reading order.
    private static func insertItems(_ db: Database, _ items: [Item], of date: String) throws {
        for (position, item) in items.enumerated() {
            try IssueItemRow(
                issueDate: date, position: position, url: item.url, identity: item.identity, title: item.title,
                placement: item.placement, path: item.path, source: item.source
            ).insert(db)
        }
    }

    /// Issues built by a version of briefd that did not record when (before `built_at` existed) are known as built:
    /// their time is taken from their build's record, else from `folderTime` (their folder's `build.json`), so that
    /// no surface takes them for imported or says no build was made. Returns how many were filled in.
    @discardableResult
    public func recordMissingBuildTimes(folderTime: @escaping @Sendable (String) -> Double?) async throws -> Int {
        // Asked with a read first: every `status` runs this, and an upgraded workspace needs the write once.
        let missing = try await database.readOffThePool { db in
            try String.fetchAll(db, sql: "SELECT date FROM issue WHERE built_at IS NULL AND imported_from IS NULL")
        }
        guard !missing.isEmpty else { return 0 }
        return try await database.writeOffThePool { db in
            var filled = 0
            for date in missing {
                let recorded = try Double.fetchOne(
                    db, sql: "SELECT MAX(finished_at) FROM build_run WHERE issue_date = ? AND outcome = 'built'",
                    arguments: [date])
                guard let time = recorded ?? folderTime(date) else { continue }
                try db.execute(
                    sql: "UPDATE issue SET built_at = ? WHERE date = ? AND built_at IS NULL", arguments: [time, date])
                filled += 1
            }
            return filled
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
        /// Every item, the sponsor included (`ItemCount`), counted from the recorded items.
        public var items: Int
        public var sponsors: Int
        public var title: String
        /// The page it was imported from, for an issue briefd did not build.
        @NullEncoded public var importedFrom: String?
        /// The campaign it was handed to (`briefd send campaign`), when it was.
        @NullEncoded public var delivery: CampaignStore.Record?

        enum CodingKeys: String, CodingKey {
            case date, version, versions, items, sponsors, title, delivery
            case builtAt = "built_at"
            case importedFrom = "imported_from"
        }
    }

    /// Every published issue, newest first, with its versions.
    public func published() async throws -> [Published] {
        try await database.readOffThePool { db in
            var versions: [String: [Published.Version]] = [:]
            for row in try IssueVersionRow.order(Column("issue_date"), Column("version")).fetchAll(db) {
                versions[row.issueDate, default: []].append(
                    Published.Version(
                        version: row.version, builtAt: JSONText.timestamp(row.builtAt), items: row.itemCount))
            }
            // Each issue with its campaign, read in the same transaction: every surface lists both as one.
            let campaigns = Dictionary(
                uniqueKeysWithValues: try CampaignRow.fetchAll(db).map { ($0.issueDate, CampaignStore.record($0)) })
            let counts = try IssueStore.itemCounts(db)
            return try IssueRow.order(Column("date").desc).fetchAll(db).map { row in
                let count = counts[row.date] ?? ItemCount(items: row.itemCount, sponsors: 0)
                return Published(
                    date: row.date, builtAt: row.builtAt.map(JSONText.timestamp), version: row.version,
                    versions: versions[row.date] ?? [], items: count.items, sponsors: count.sponsors, title: row.title,
                    importedFrom: row.importedFrom, delivery: campaigns[row.date])
            }
        }
    }

    /// Each published issue's count, from its recorded items (the sponsor included, whatever version of briefd
    /// stored `item_count`).
    public func itemCounts() async throws -> [String: ItemCount] {
        try await database.readOffThePool { db in try IssueStore.itemCounts(db) }
    }

    private static func itemCounts(_ db: Database) throws -> [String: ItemCount] {
        var placements: [String: [String]] = [:]
        for row in try IssueItemRow.fetchAll(db) { placements[row.issueDate, default: []].append(row.placement) }
        return placements.mapValues { ItemCount(placements: $0) }
    }

    /// Every published issue's items, as the drafts' account needs them.
    public func publishedIssues() async throws -> PublishedIssues {
        try await database.readOffThePool { db in
            var issues: [Day: [PublishedIssues.Item]] = [:]
            for date in try String.fetchAll(db, sql: "SELECT date FROM issue") {
                if let day = Day(iso: date) { issues[day] = [] }
            }
            let rows = try IssueItemRow.fetchCursor(db)
            while let row = try rows.next() {
                guard let day = Day(iso: row.issueDate) else { continue }
                issues[day, default: []].append(PublishedIssues.Item(path: row.path, identity: row.identity))
            }
            return PublishedIssues(issues)
        }
    }

    /// What changes whenever an issue is published, replaced or restored, by any process: the daemon compares
    /// it once a second to learn of a build made by `briefd build`.
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

    /// One file of the issue's current version, as its build wrote it (the desk serves a published issue's page,
    /// frames and downloads one file at a time): one query, not the issue list and every file of the version. Nil
    /// when the issue is not published, or was imported (briefd did not build it), or its build wrote no such file.
    public func currentFile(_ name: String, of date: Day) async throws -> [UInt8]? {
        try await database.readOffThePool { db in
            try Data.fetchOne(
                db,
                sql: """
                    SELECT f.bytes FROM issue_version_file f JOIN issue i ON i.date = f.issue_date AND i.version = f.version
                    WHERE f.issue_date = ? AND f.name = ?
                    """,
                arguments: [date.description, name]
            ).map { [UInt8]($0) }
        }
    }

    /// The files of `version` of the issue of `date`, as that build wrote them.
    public func files(of date: Day, version: Int) async throws -> [(name: String, bytes: [UInt8])] {
        try await database.readOffThePool { db in
            try IssueStore.existingVersion(db, date, version)
            return try IssueStore.versionFiles(db, date, version)
        }
    }

    private static func versionFiles(_ db: Database, _ date: Day, _ version: Int) throws -> [(
        name: String, bytes: [UInt8]
    )] {
        try IssueVersionFileRow.filter(Column("issue_date") == date.description && Column("version") == version)
            .order(Column("name")).fetchAll(db).map { (name: $0.name, bytes: [UInt8]($0.bytes)) }
    }

    /// Makes `version` of the issue of `date` the published one again (its record, items and files' digests).
    public func restore(date: Day, version: Int) async throws {
        try await database.writeOffThePool { db in
            let kept = try IssueStore.existingVersion(db, date, version)
            let items = try JSONDecoder().decode([StoredItem].self, from: Data(kept.items.utf8)).map(\.item)
            let record = Record(
                date: kept.issueDate, title: kept.title, itemCount: kept.itemCount, webURL: kept.webURL,
                contentHTML: kept.contentHTML)
            try IssueStore.makeCurrent(
                db, record, items: items, files: try IssueStore.versionFiles(db, date, version), version: version,
                builtAt: kept.builtAt)
        }
    }

    /// The kept version, or a `RestoreError` naming the versions that are kept.
    @discardableResult
    private static func existingVersion(_ db: Database, _ date: Day, _ version: Int) throws -> IssueVersionRow {
        if let row = try IssueVersionRow.fetchOne(db, key: ["issue_date": date.description, "version": version]) {
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
    public func recordImported(_ issue: Record, items: [Item], from page: String) async throws -> ImportOutcome {
        try await database.writeOffThePool { db in
            if let existing = try IssueRow.fetchOne(db, key: issue.date) {
                return existing.importedFrom == page ? .alreadyImported : .kept(importedFrom: existing.importedFrom)
            }
            try IssueRow(
                date: issue.date, title: issue.title, itemCount: issue.itemCount, webURL: issue.webURL,
                contentHTML: issue.contentHTML, version: 1, builtAt: nil, importedFrom: page
            ).insert(db)
            try IssueStore.insertItems(db, items, of: issue.date)
            return .recorded
        }
    }

    /// URL → the dates of the issues that published it (the desk's link health page).
    public func issuesCiting(_ urls: [String]) async throws -> [String: [String]] {
        guard !urls.isEmpty else { return [:] }
        return try await database.readOffThePool { db in
            var found: [String: [String]] = [:]
            for chunk in StateDatabase.slices(of: urls) {
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
    public func issues(limit: Int? = nil) async throws -> [Record] {
        try await database.readOffThePool { db in
            let newestFirst = IssueRow.order(Column("date").desc)
            return try (limit.map { newestFirst.limit($0) } ?? newestFirst).fetchAll(db).map { row in
                Record(
                    date: row.date, title: row.title, itemCount: row.itemCount, webURL: row.webURL,
                    contentHTML: row.contentHTML)
            }
        }
    }

    /// The items of the issue of `date`, in reading order.
    public func items(of date: Day) async throws -> [Item] {
        try await database.readOffThePool { db in
            try IssueItemRow.filter(Column("issue_date") == date.description).order(Column("position")).fetchAll(db)
                .map {
                    Item(
                        url: $0.url, identity: $0.identity, title: $0.title, placement: $0.placement, path: $0.path,
                        source: $0.source)
                }
        }
    }

    /// Every published item with the date of its issue, newest issue first, each issue's items in reading order
    /// (one query, for the rot monitor).
    public func allItems() async throws -> [(issueDate: String, item: Item)] {
        try await database.readOffThePool { db in
            try IssueItemRow.order(Column("issue_date").desc, Column("position")).fetchAll(db).map {
                (
                    $0.issueDate,
                    Item(
                        url: $0.url, identity: $0.identity, title: $0.title, placement: $0.placement, path: $0.path,
                        source: $0.source)
                )
            }
        }
    }
}
