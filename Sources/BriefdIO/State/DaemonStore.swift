public import BriefdCore
import Foundation
import GRDB

/// What the daemon remembers between runs: each draft's size, modification time, hash and status (so an
/// unchanged draft is not checked again after a restart), the schedule's last handled due time, and the
/// builds it ran.
public final class DaemonStore: Sendable {
    private let database: DatabasePool
    public let state: StateDatabase

    public init(_ state: StateDatabase) {
        self.state = state
        database = state.pool
    }

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
        /// The account's facts of the draft, its own findings and its links' and quotes' findings, and the reasons
        /// for its status: kept so that a restart knows them without reading a report back.
        public var facts: DraftFacts? {
            get { factsBox?.facts }
            set { factsBox = newValue.map(FactsBox.init) }
        }
        /// The facts out of line: a record is held for every draft in the daemon's memory, beside the account's own
        /// copy of the facts (416 bytes inline); boxed, a record is about a third of the size.
        private var factsBox: FactsBox?
        public var findings: [Finding]?
        public var reviewFindings: [Finding]?
        public var reasons: [String] = []

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

    /// An immutable box: records compare by the facts, not by the box.
    final class FactsBox: Sendable, Equatable {
        let facts: DraftFacts
        init(_ facts: DraftFacts) { self.facts = facts }
        static func == (lhs: FactsBox, rhs: FactsBox) -> Bool { lhs === rhs || lhs.facts == rhs.facts }
    }

    public func drafts() async throws -> [String: DraftRecord] {
        let rows = try await database.readOffThePool { db in try DraftStateRow.fetchAll(db) }
        var records: [String: DraftRecord] = [:]
        for row in rows {
            var brief: CitedBrief?
            if let identity = row.identity, let line = row.urlLine, let column = row.urlColumn {
                brief = CitedBrief(
                    path: row.path, identity: identity, position: SourcePosition(line: line, column: column))
            }
            var record = DraftRecord(
                path: row.path, size: row.size, mtime: row.mtime, sha256: row.sha256,
                status: DraftStatus(rawValue: row.status) ?? .checking, inputs: row.inputs, errors: row.errors,
                warnings: row.warnings, checkedAt: row.checkedAt, brief: brief)
            // A record whose saved account cannot be read is made again (its inputs no longer match).
            record.facts = DaemonStore.decoded(DraftFacts.self, row.facts)
            record.findings = DaemonStore.decoded([Finding].self, row.findings)
            record.reviewFindings = DaemonStore.decoded([Finding].self, row.reviewFindings)
            record.reasons = DaemonStore.decoded([String].self, row.reasons) ?? []
            if record.facts == nil || record.findings == nil { record.inputs = "" }
            records[record.path] = record
        }
        return records
    }

    /// Saves and forgets drafts in one transaction.
    public func update(saving records: [DraftRecord], removing paths: [String]) async throws {
        guard !records.isEmpty || !paths.isEmpty else { return }
        let rows = records.map { record in
            DraftStateRow(
                path: record.path, size: record.size, mtime: record.mtime, sha256: record.sha256,
                status: record.status.rawValue, errors: record.errors, warnings: record.warnings,
                checkedAt: record.checkedAt, identity: record.brief?.identity, urlLine: record.brief?.position.line,
                urlColumn: record.brief?.position.column, inputs: record.inputs, facts: record.facts.map(JSONText.line),
                findings: record.findings.map(JSONText.line), reviewFindings: record.reviewFindings.map(JSONText.line),
                reasons: JSONText.line(record.reasons))
        }
        try await database.writeOffThePool { db in
            for row in rows { try row.insert(db, onConflict: .replace) }
            _ = try DraftStateRow.deleteAll(db, keys: paths)
        }
    }

    /// A saved field this version of briefd cannot read is not known: the draft is checked again, as a new one is.
    private static func decoded<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    public func lastHandledDue(_ name: String) async throws -> Double? {
        try await database.readOffThePool { db in try ScheduleStateRow.fetchOne(db, key: name)?.lastDue }
    }

    public func setLastHandledDue(_ name: String, _ due: Double) async throws {
        try await database.writeOffThePool { db in
            try ScheduleStateRow(name: name, lastDue: due).insert(db, onConflict: .replace)
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

    /// One build as recorded: by the schedule, the command line or the desk.
    public struct BuildRecord: Sendable, Equatable, Encodable {
        public var due: Double
        public var issueDate: String
        public var finishedAt: Double
        public var outcome: String
        /// "scheduled", "command" or "desk".
        public var trigger: String

        enum CodingKeys: String, CodingKey {
            case issue, outcome, trigger
            case finishedAt = "finished_at"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(issueDate, forKey: .issue)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(trigger, forKey: .trigger)
            try container.encode(JSONText.timestamp(finishedAt), forKey: .finishedAt)
        }
    }

    public func recordBuild(
        due: Double, issueDate: String, finishedAt: Double, outcome: BuildOutcome, trigger: String = "scheduled"
    ) async throws {
        let row = BuildRunRow(
            due: due, issueDate: issueDate, finishedAt: finishedAt, outcome: outcome.description, trigger: trigger)
        try await database.writeOffThePool { db in try row.insert(db) }
    }

    /// The last build that did something: "already built" passes of the schedule are not builds. A workspace whose
    /// builds were made before briefd recorded them (an upgrade) has its newest built issue as its last build.
    public func lastBuild() async throws -> BuildRecord? {
        try await database.readOffThePool { db in
            if let row = try BuildRunRow.fetchOne(
                db, sql: "SELECT * FROM build_run WHERE outcome != 'already built' ORDER BY id DESC LIMIT 1")
            {
                return BuildRecord(
                    due: row.due, issueDate: row.issueDate, finishedAt: row.finishedAt, outcome: row.outcome,
                    trigger: row.trigger)
            }
            guard
                let row = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT date, built_at FROM issue WHERE built_at IS NOT NULL AND imported_from IS NULL ORDER BY built_at DESC LIMIT 1"
                ), let date = row["date"] as String?, let builtAt = row["built_at"] as Double?
            else { return nil }
            return BuildRecord(
                due: builtAt, issueDate: date, finishedAt: builtAt, outcome: "built",
                trigger: "before briefd recorded builds")
        }
    }
}
