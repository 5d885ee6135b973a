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

        public init(
            url: String, state: LinkState, failures: Int, firstFailure: Double?, lastCheck: Double?, lastStatus: Int?,
            archivedURL: String?
        ) {
            self.url = url
            self.state = state
            self.failures = failures
            self.firstFailure = firstFailure
            self.lastCheck = lastCheck
            self.lastStatus = lastStatus
            self.archivedURL = archivedURL
        }
    }

    public func states() async throws -> [String: Watched] {
        let rows = try await database.readOffThePool { db in try LinkHealthRow.fetchAll(db) }
        var found: [String: Watched] = [:]
        for row in rows {
            found[row.url] = Watched(
                url: row.url, state: LinkState(rawValue: row.state) ?? .alive, failures: row.failures,
                firstFailure: row.firstFailure, lastCheck: row.lastCheck, lastStatus: row.lastStatus,
                archivedURL: row.archivedURL)
        }
        return found
    }

    /// Saves states and enqueues alerts in one transaction, so that a state change and its alert go together.
    /// Saves the links' states and queues `alerts`, in one transaction; returns the alerts queued. An alert whose
    /// change another process recorded meanwhile (the daemon and `briefd rot --check-now` checking the same link at
    /// once) is not queued again: a link is told dead once, and recovered once.
    @discardableResult
    public func save(_ states: [Watched], alerts: [RotAlert], sinks: [AlertSink], now: Double) async throws
        -> [RotAlert]
    {
        let encoder = JSONEncoder()
        let encoded = try alerts.map { ($0, String(decoding: try encoder.encode($0), as: UTF8.self)) }
        return try await database.writeOffThePool { db in
            var raised: [RotAlert] = []
            var outbox: [AlertOutboxRow] = []
            for (alert, text) in encoded {
                let stored = try LinkHealthRow.fetchOne(db, key: alert.url)?.state
                let told = alert.kind == .dead ? stored == "dead" : stored != "dead"
                guard !told else { continue }
                raised.append(alert)
                outbox.append(AlertOutboxRow(id: nil, alert: text, createdAt: now))
            }
            for watched in states {
                try LinkHealthRow(
                    url: watched.url, state: watched.state.rawValue, failures: watched.failures,
                    firstFailure: watched.firstFailure, lastCheck: watched.lastCheck, lastStatus: watched.lastStatus,
                    archivedURL: watched.archivedURL, changedAt: now
                ).insert(db, onConflict: .replace)
            }
            for var alert in outbox {
                try alert.insert(db)
                for sink in sinks {
                    try AlertDeliveryRow(
                        alertID: alert.id!, sink: sink.rawValue, deliveredAt: nil, attempts: 0, nextAttempt: 0,
                        lastError: nil
                    ).insert(db)
                }
            }
            return raised
        }
    }

    /// Alerts not yet accepted by `sink` whose next attempt is due, and the ids of stored alerts that cannot be
    /// read back (written by an incompatible version): those are the caller's to report, never dropped silently.
    public func pending(for sink: AlertSink, now: Double) async throws -> (
        alerts: [(id: Int64, alert: RotAlert)], unreadable: [Int64]
    ) {
        let rows = try await database.readOffThePool { db in
            try AlertOutboxRow.fetchAll(
                db,
                sql: """
                    SELECT o.* FROM alert_outbox o JOIN alert_delivery d ON d.alert_id = o.id
                    WHERE d.sink = ? AND d.delivered_at IS NULL AND d.next_attempt <= ? ORDER BY o.id
                    """, arguments: [sink.rawValue, now])
        }
        let decoder = JSONDecoder()
        var alerts: [(id: Int64, alert: RotAlert)] = []
        var unreadable: [Int64] = []
        for row in rows {
            guard let id = row.id else { continue }
            if let alert = RotStore.alert(of: row, decoder) {
                alerts.append((id, alert))
            } else {
                unreadable.append(id)
            }
        }
        return (alerts, unreadable)
    }

    public func delivered(_ ids: [Int64], to sink: AlertSink, now: Double) async throws {
        try await database.writeOffThePool { db in
            for id in ids {
                guard var delivery = try AlertDeliveryRow.fetchOne(db, key: ["alert_id": id, "sink": sink.rawValue])
                else { continue }
                delivery.deliveredAt = now
                delivery.lastError = nil
                try delivery.update(db)
            }
        }
    }

    /// Records a failed attempt; the next one waits 1, 2, 4 … minutes (at most 6 hours), across restarts.
    public func failed(_ ids: [Int64], to sink: AlertSink, error: String, now: Double) async throws {
        try await database.writeOffThePool { db in
            for id in ids {
                guard var delivery = try AlertDeliveryRow.fetchOne(db, key: ["alert_id": id, "sink": sink.rawValue])
                else { continue }
                let wait = min(6 * 3600, 60 * Double(1 << min(delivery.attempts, 12)))
                delivery.attempts += 1
                delivery.nextAttempt = now + wait
                delivery.lastError = error
                try delivery.update(db)
            }
        }
    }

    /// Every alert with the sinks that have and have not accepted it, newest first (for `briefd rot`).
    public func deliveries() async throws -> [(alert: RotAlert, delivered: [String], waiting: [String])] {
        let (outbox, deliveries) = try await database.readOffThePool { db in
            (
                try AlertOutboxRow.order(Column("id").desc).fetchAll(db),
                Dictionary(grouping: try AlertDeliveryRow.fetchAll(db), by: \.alertID)
            )
        }
        let decoder = JSONDecoder()
        return outbox.compactMap { row in
            // Listed by `pending` (and so in the log) when due; this listing shows what it can read.
            guard let id = row.id, let alert = RotStore.alert(of: row, decoder) else {
                return nil
            }
            let sinks = deliveries[id] ?? []
            return (
                alert, sinks.filter { $0.deliveredAt != nil }.map(\.sink),
                sinks.filter { $0.deliveredAt == nil }.map(\.sink)
            )
        }
    }

    /// An outbox row's alert; nil when this version of briefd cannot read it (written by a later one): such a row
    /// is kept, listed as unreadable by `pending` and said by the dispatcher, never dropped.
    private static func alert(of row: AlertOutboxRow, _ decoder: JSONDecoder) -> RotAlert? {
        try? decoder.decode(RotAlert.self, from: Data(row.alert.utf8))
    }

}
