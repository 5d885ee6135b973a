public import BriefdCore
import Foundation
import GRDB

/// The rot monitor's memory: each watched link's state, and the outbox of alerts with their delivery to each
/// sink (delivered at least once to every sink, never again to one that accepted it).
public final class RotStore: Sendable {
    private let database: DatabasePool

    public init(_ state: StateDatabase) { database = state.pool }

    public struct Watched: Sendable, Equatable {
        public var url: String
        public var state: LinkState
        public var failures: Int
        public var firstFailure: Double?
        public var lastCheck: Double?
        public var lastStatus: Int?
        public var archivedURL: String?
    }

    public func states() throws -> [String: Watched] {
        try database.read { db in
            var found: [String: Watched] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM link_health") {
                let watched = Watched(
                    url: row["url"], state: LinkState(rawValue: row["state"]) ?? .alive, failures: row["failures"],
                    firstFailure: row["first_failure"], lastCheck: row["last_check"], lastStatus: row["last_status"],
                    archivedURL: row["archived_url"])
                found[watched.url] = watched
            }
            return found
        }
    }

    /// Saves states and enqueues alerts in one transaction, so that a state change and its alert go together.
    public func save(_ states: [Watched], alerts: [RotAlert], sinks: [AlertSink], now: Double) throws {
        let encoder = JSONEncoder()
        try database.write { db in
            for watched in states {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO link_health (url, state, failures, first_failure, last_check, last_status, archived_url, changed_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        watched.url, watched.state.rawValue, watched.failures, watched.firstFailure, watched.lastCheck,
                        watched.lastStatus, watched.archivedURL, now,
                    ])
            }
            for alert in alerts {
                let json = String(decoding: try encoder.encode(alert), as: UTF8.self)
                try db.execute(
                    sql: "INSERT INTO alert_outbox (alert, created_at) VALUES (?, ?)", arguments: [json, now])
                let id = db.lastInsertedRowID
                for sink in sinks {
                    try db.execute(
                        sql: "INSERT INTO alert_delivery (alert_id, sink) VALUES (?, ?)",
                        arguments: [id, sink.rawValue])
                }
            }
        }
    }

    /// Alerts not yet accepted by `sink` whose next attempt is due, and the ids of stored alerts that cannot be
    /// read back (written by an incompatible version): those are the caller's to report, never dropped silently.
    public func pending(for sink: AlertSink, now: Double) throws -> (
        alerts: [(id: Int64, alert: RotAlert)], unreadable: [Int64]
    ) {
        let decoder = JSONDecoder()
        return try database.read { db in
            var alerts: [(id: Int64, alert: RotAlert)] = []
            var unreadable: [Int64] = []
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT o.id, o.alert FROM alert_outbox o JOIN alert_delivery d ON d.alert_id = o.id
                    WHERE d.sink = ? AND d.delivered_at IS NULL AND d.next_attempt <= ? ORDER BY o.id
                    """, arguments: [sink.rawValue, now])
            for row in rows {
                let json: String = row["alert"]
                if let alert = try? decoder.decode(RotAlert.self, from: Data(json.utf8)) {
                    alerts.append((row["id"], alert))
                } else {
                    unreadable.append(row["id"])
                }
            }
            return (alerts, unreadable)
        }
    }

    public func delivered(_ ids: [Int64], to sink: AlertSink, now: Double) throws {
        try database.write { db in
            for id in ids {
                try db.execute(
                    sql:
                        "UPDATE alert_delivery SET delivered_at = ?, last_error = NULL WHERE alert_id = ? AND sink = ?",
                    arguments: [now, id, sink.rawValue])
            }
        }
    }

    /// Records a failed attempt; the next one waits 1, 2, 4 … minutes (at most 6 hours), across restarts.
    public func failed(_ ids: [Int64], to sink: AlertSink, error: String, now: Double) throws {
        try database.write { db in
            for id in ids {
                let attempts =
                    try Int.fetchOne(
                        db, sql: "SELECT attempts FROM alert_delivery WHERE alert_id = ? AND sink = ?",
                        arguments: [id, sink.rawValue]) ?? 0
                let wait = min(6 * 3600, 60 * Double(1 << min(attempts, 12)))
                try db.execute(
                    sql:
                        "UPDATE alert_delivery SET attempts = ?, next_attempt = ?, last_error = ? WHERE alert_id = ? AND sink = ?",
                    arguments: [attempts + 1, now + wait, error, id, sink.rawValue])
            }
        }
    }

    /// Every alert with the sinks that have and have not accepted it, newest first (for `briefd rot`).
    public func deliveries() throws -> [(alert: RotAlert, delivered: [String], waiting: [String])] {
        let decoder = JSONDecoder()
        return try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, alert FROM alert_outbox ORDER BY id DESC").compactMap { row in
                let json: String = row["alert"]
                // Listed by `pending` (and so in the log) when due; this listing shows what it can read.
                guard let alert = try? decoder.decode(RotAlert.self, from: Data(json.utf8)) else { return nil }
                let id: Int64 = row["id"]
                let rows = try Row.fetchAll(
                    db, sql: "SELECT sink, delivered_at FROM alert_delivery WHERE alert_id = ?", arguments: [id])
                return (
                    alert, rows.filter { ($0["delivered_at"] as Double?) != nil }.map { $0["sink"] },
                    rows.filter { ($0["delivered_at"] as Double?) == nil }.map { $0["sink"] }
                )
            }
        }
    }
}
