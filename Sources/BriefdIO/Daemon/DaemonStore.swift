public import BriefdCore
import GRDB

/// What the daemon remembers between runs: each draft's size, modification time, hash and status (so an
/// unchanged draft is not checked again after a restart), the schedule's last handled due time, and the
/// builds it ran.
public final class DaemonStore: Sendable {
    private let database: DatabasePool

    public init(_ state: StateDatabase) { database = state.pool }

    public struct DraftRecord: Sendable, Equatable {
        public var path: String
        public var size: Int
        public var mtime: Double
        public var sha256: String
        public var status: DraftStatus
        /// The fingerprint of what the report was made with (config, registry, briefd's version, online or
        /// not): a report made with other inputs is stale even if the draft did not change.
        public var inputs: String
        public var errors: Int
        public var warnings: Int
        public var checkedAt: Double
        public var brief: CitedBrief?

        public init(
            path: String, size: Int, mtime: Double, sha256: String, status: DraftStatus, inputs: String, errors: Int,
            warnings: Int, checkedAt: Double, brief: CitedBrief? = nil
        ) {
            self.path = path
            self.size = size
            self.mtime = mtime
            self.sha256 = sha256
            self.status = status
            self.inputs = inputs
            self.errors = errors
            self.warnings = warnings
            self.checkedAt = checkedAt
            self.brief = brief
        }
    }

    public func drafts() throws -> [String: DraftRecord] {
        try database.read { db in
            var records: [String: DraftRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM draft_state") {
                var brief: CitedBrief?
                if let identity: String = row["identity"], let line: Int = row["url_line"], let column: Int = row["url_column"] {
                    brief = CitedBrief(path: row["path"], identity: identity, position: SourcePosition(line: line, column: column))
                }
                let record = DraftRecord(
                    path: row["path"], size: row["size"], mtime: row["mtime"], sha256: row["sha256"],
                    status: DraftStatus(rawValue: row["status"]) ?? .needsWork, inputs: row["inputs"], errors: row["errors"],
                    warnings: row["warnings"], checkedAt: row["checked_at"], brief: brief)
                records[record.path] = record
            }
            return records
        }
    }

    /// Saves and forgets drafts in one transaction.
    public func update(saving records: [DraftRecord], removing paths: [String]) async throws {
        guard !records.isEmpty || !paths.isEmpty else { return }
        try await database.writeOffThePool { db in
            for record in records {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO draft_state
                        (path, size, mtime, sha256, status, inputs, errors, warnings, checked_at, identity, url_line, url_column)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        record.path, record.size, record.mtime, record.sha256, record.status.rawValue, record.inputs, record.errors,
                        record.warnings, record.checkedAt, record.brief?.identity, record.brief?.position.line,
                        record.brief?.position.column,
                    ])
            }
            for path in paths { try db.execute(sql: "DELETE FROM draft_state WHERE path = ?", arguments: [path]) }
        }
    }

    public func lastHandledDue(_ name: String) throws -> Double? {
        try database.read { db in try DaemonStore.lastDue(db, name) }
    }

    /// The same, for async code (the daemon's STATUS line asks several times a second).
    public func lastHandledDueOffThePool(_ name: String) async throws -> Double? {
        try await database.readOffThePool { db in try DaemonStore.lastDue(db, name) }
    }

    private static func lastDue(_ db: Database, _ name: String) throws -> Double? {
        try Double.fetchOne(db, sql: "SELECT last_due FROM schedule_state WHERE name = ?", arguments: [name])
    }

    public func setLastHandledDue(_ name: String, _ due: Double) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO schedule_state (name, last_due) VALUES (?, ?)", arguments: [name, due])
        }
    }

    /// How a scheduled build ended. `description` is what `build_run.outcome` stores and `briefd status` prints.
    public enum BuildOutcome: Sendable, Equatable, CustomStringConvertible {
        case built, empty, alreadyBuilt
        case failed(String)

        public var description: String {
            switch self {
            case .built: "built"
            case .empty: "empty"
            case .alreadyBuilt: "already built"
            case .failed(let reason): "failed: \(reason)"
            }
        }

        /// The metrics' label: the kind of outcome without its reason.
        public var kind: String {
            switch self {
            case .built: "built"
            case .empty: "empty"
            case .alreadyBuilt: "already_built"
            case .failed: "failed"
            }
        }
    }

    public struct BuildRecord: Sendable, Equatable {
        public var due: Double
        public var issueDate: String
        public var finishedAt: Double
        public var outcome: String
    }

    public func recordBuild(due: Double, issueDate: String, finishedAt: Double, outcome: BuildOutcome) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO build_run (due, issue_date, finished_at, outcome) VALUES (?, ?, ?, ?)",
                arguments: [due, issueDate, finishedAt, outcome.description])
        }
    }

    public func lastBuild() throws -> BuildRecord? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM build_run ORDER BY id DESC LIMIT 1").map {
                BuildRecord(due: $0["due"], issueDate: $0["issue_date"], finishedAt: $0["finished_at"], outcome: $0["outcome"])
            }
        }
    }
}
