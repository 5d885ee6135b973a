public import BriefdCore
import Foundation
import GRDB

/// The campaign each issue was handed to (one per issue, whatever its version), in the state database.
public final class CampaignStore: Sendable {
    private let database: DatabasePool

    public init(_ state: StateDatabase) { database = state.pool }

    /// The campaign id of an intent: recorded before the service is asked to make the campaign, replaced by the real id
    /// the moment the service answers. One still there means a hand-off ended in between; the next run looks for the
    /// campaign at the service by its name.
    public static let intent = ""

    public struct Record: Sendable, Equatable, Encodable {
        public var issue: String
        public var version: Int
        public var service: String
        public var campaignID: String
        public var status: String
        @NullEncoded public var sendAt: String?
        public var updatedAt: String
        @NullEncoded public var forcedReason: String?
        @NullEncoded public var forcedBy: String?

        /// A hand-off that ended before the service answered: the campaign may exist at the service.
        public var isIntent: Bool { campaignID == CampaignStore.intent }

        /// How editors read it: the campaign and its state, or what an unfinished hand-off means.
        public var summary: String {
            guard !isIntent else {
                return
                    "a campaign at \(service) may have been made by a hand-off that ended before \(service) answered; run 'briefd send campaign' again to find it and finish"
            }
            return "campaign \(campaignID) at \(service): \(status)"
        }

        enum CodingKeys: String, CodingKey {
            case issue, version, service, status
            case campaignID = "campaign_id"
            case sendAt = "send_at"
            case updatedAt = "updated_at"
            case forcedReason = "forced_reason"
            case forcedBy = "forced_by"
        }
    }

    public func record(of issue: String) async throws -> Record? {
        try await database.readOffThePool { db in
            try CampaignRow.fetchOne(db, key: issue).map(CampaignStore.record)
        }
    }

    public func all() async throws -> [String: Record] {
        try await database.readOffThePool { db in
            Dictionary(
                uniqueKeysWithValues: try CampaignRow.fetchAll(db).map { ($0.issueDate, CampaignStore.record($0)) })
        }
    }

    /// Records the campaign's state after a hand-off; `forcedReason` (and who) when the gate was passed with `--force`.
    public func save(
        issue: String, version: Int, service: String, campaignID: String, status: String, sendAt: String?,
        forcedReason: String?, forcedBy: String? = nil, now: Double
    ) async throws {
        try await database.writeOffThePool { db in
            let previous = try CampaignRow.fetchOne(db, key: issue)
            try CampaignRow(
                issueDate: issue, version: version, service: service, campaignID: campaignID, status: status,
                sendAt: sendAt, updatedAt: now, forcedReason: forcedReason ?? previous?.forcedReason,
                forcedBy: forcedReason != nil ? forcedBy : previous?.forcedBy,
                forcedAt: forcedReason != nil ? now : previous?.forcedAt
            ).save(db)
        }
    }

    static func record(_ row: CampaignRow) -> Record {
        Record(
            issue: row.issueDate, version: row.version, service: row.service, campaignID: row.campaignID,
            status: row.status, sendAt: row.sendAt, updatedAt: JSONText.timestamp(row.updatedAt),
            forcedReason: row.forcedReason, forcedBy: row.forcedBy)
    }
}
