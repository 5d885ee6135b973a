import Foundation
import GRDB

// The state database's rows as GRDB records, one per table (the tables are created in `StateDatabase.migrator`).
// Stores read and write these and turn them into the core's types; no store maps columns by hand, except where a
// query computes its columns (an aggregate) rather than reading a table's rows.

/// A `link_check` row: one network check of one link. Read and written in bulk (ten thousand rows a run), so its
/// mapping is written out instead of going through Codable.
struct LinkCheckRow: FetchableRecord, PersistableRecord {
    static let databaseTableName = "link_check"

    var url: String
    var checkedAt: Double
    var verdict: String
    var status: Int?
    var finalURL: String?
    /// Redirect hops, one `status<TAB>url` per line (`LinkStore.encode`).
    var redirects: String
    var error: String?
    var durationMilliseconds: Int
    var hostOutage: Bool

    init(
        url: String, checkedAt: Double, verdict: String, status: Int?, finalURL: String?, redirects: String,
        error: String?, durationMilliseconds: Int, hostOutage: Bool
    ) {
        self.url = url
        self.checkedAt = checkedAt
        self.verdict = verdict
        self.status = status
        self.finalURL = finalURL
        self.redirects = redirects
        self.error = error
        self.durationMilliseconds = durationMilliseconds
        self.hostOutage = hostOutage
    }

    init(row: Row) throws {
        url = row["url"]
        checkedAt = row["checked_at"]
        verdict = row["verdict"]
        status = row["status"]
        finalURL = row["final_url"]
        redirects = row["redirects"] ?? ""
        error = row["error"]
        durationMilliseconds = row["duration_ms"]
        hostOutage = row["host_outage"] ?? false
    }

    func encode(to container: inout PersistenceContainer) throws {
        container["url"] = url
        container["checked_at"] = checkedAt
        container["verdict"] = verdict
        container["status"] = status
        container["final_url"] = finalURL
        container["redirects"] = redirects
        container["error"] = error
        container["duration_ms"] = durationMilliseconds
        container["host_outage"] = hostOutage
    }
}

/// A `draft_state` row: what the daemon remembers of one draft. The account's parts are JSON text.
struct DraftStateRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "draft_state"

    var path: String
    var size: Int
    var mtime: Double
    var sha256: String
    var status: String
    var errors: Int
    var warnings: Int
    var checkedAt: Double
    var identity: String?
    var urlLine: Int?
    var urlColumn: Int?
    var inputs: String
    var facts: String?
    var findings: String?
    var reviewFindings: String?
    var reasons: String?

    enum CodingKeys: String, CodingKey {
        case path, size, mtime, sha256, status, errors, warnings, identity, inputs, facts, findings, reasons
        case checkedAt = "checked_at"
        case urlLine = "url_line"
        case urlColumn = "url_column"
        case reviewFindings = "review_findings"
    }
}

/// A `schedule_state` row: the last due time of a schedule that was handled.
struct ScheduleStateRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "schedule_state"

    var name: String
    var lastDue: Double

    enum CodingKeys: String, CodingKey {
        case name
        case lastDue = "last_due"
    }
}

/// A `build_run` row: one build, whoever ran it.
struct BuildRunRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "build_run"

    var due: Double
    var issueDate: String
    var finishedAt: Double
    var outcome: String
    var trigger: String

    enum CodingKeys: String, CodingKey {
        case due, outcome, trigger
        case issueDate = "issue_date"
        case finishedAt = "finished_at"
    }
}

/// A `page_snapshot` row: the article text of a quoted page (deflated), its date and status.
struct PageSnapshotRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "page_snapshot"

    var url: String
    var fetchedAt: Double
    var status: Int?
    /// The text as rows written before v6 kept it; new rows keep `textDeflated`.
    var text: String?
    var textDeflated: Data?
    var textBytes: Int?
    var sha256: String?
    var published: String?
    var problem: String?

    enum CodingKeys: String, CodingKey {
        case url, status, text, sha256, published, problem
        case fetchedAt = "fetched_at"
        case textDeflated = "text_deflated"
        case textBytes = "text_bytes"
    }
}

/// An `issue` row: the current version of a published (or imported) issue.
struct IssueRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "issue"

    var date: String
    var title: String
    var itemCount: Int
    var webURL: String
    var contentHTML: String
    var version: Int
    var builtAt: Double?
    var importedFrom: String?

    enum CodingKeys: String, CodingKey {
        case date, title, version
        case itemCount = "item_count"
        case webURL = "web_url"
        case contentHTML = "content_html"
        case builtAt = "built_at"
        case importedFrom = "imported_from"
    }
}

/// An `issue_item` row: one item of the current version of an issue, at its position in reading order.
struct IssueItemRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "issue_item"

    var issueDate: String
    var position: Int
    var url: String
    var identity: String
    var title: String
    var placement: String
    var path: String
    var source: String

    enum CodingKeys: String, CodingKey {
        case position, url, identity, title, placement, path, source
        case issueDate = "issue_date"
    }
}

/// An `issue_file` row: the digest of one file of the current version of an issue.
struct IssueFileRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "issue_file"

    var issueDate: String
    var name: String
    var sha256: String
    var bytes: Int

    enum CodingKeys: String, CodingKey {
        case name, sha256, bytes
        case issueDate = "issue_date"
    }
}

/// An `issue_version` row: one kept version of an issue, its items as JSON.
struct IssueVersionRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "issue_version"

    var issueDate: String
    var version: Int
    var builtAt: Double
    var title: String
    var itemCount: Int
    var webURL: String
    var contentHTML: String
    var items: String

    enum CodingKeys: String, CodingKey {
        case version, title, items
        case issueDate = "issue_date"
        case builtAt = "built_at"
        case itemCount = "item_count"
        case webURL = "web_url"
        case contentHTML = "content_html"
    }
}

/// An `issue_version_file` row: one file of a kept version, whole.
struct IssueVersionFileRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "issue_version_file"

    var issueDate: String
    var version: Int
    var name: String
    var bytes: Data

    enum CodingKeys: String, CodingKey {
        case version, name, bytes
        case issueDate = "issue_date"
    }
}

/// A `link_health` row: the rot monitor's state of one published link.
struct LinkHealthRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "link_health"

    var url: String
    var state: String
    var failures: Int
    var firstFailure: Double?
    var lastCheck: Double?
    var lastStatus: Int?
    var archivedURL: String?
    var changedAt: Double

    enum CodingKeys: String, CodingKey {
        case url, state, failures
        case firstFailure = "first_failure"
        case lastCheck = "last_check"
        case lastStatus = "last_status"
        case archivedURL = "archived_url"
        case changedAt = "changed_at"
    }
}

/// An `alert_outbox` row: one alert (JSON) waiting for or delivered to its sinks.
struct AlertOutboxRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "alert_outbox"

    var id: Int64?
    var alert: String
    var createdAt: Double

    enum CodingKeys: String, CodingKey {
        case id, alert
        case createdAt = "created_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// An `alert_delivery` row: how the delivery of one alert to one sink stands.
struct AlertDeliveryRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "alert_delivery"

    var alertID: Int64
    var sink: String
    var deliveredAt: Double?
    var attempts: Int
    var nextAttempt: Double
    var lastError: String?

    enum CodingKeys: String, CodingKey {
        case sink, attempts
        case alertID = "alert_id"
        case deliveredAt = "delivered_at"
        case nextAttempt = "next_attempt"
        case lastError = "last_error"
    }
}

/// A `page_capture` row: the capture of one cited page for one issue.
struct PageCaptureRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "page_capture"

    var issueDate: String
    var url: String
    var position: Int
    var excerpt: String
    var state: String
    var status: Int?
    var finalURL: String?
    var good: Bool?
    var excerptFound: Bool?
    var reason: String?
    var capturedAt: Double?
    var attempts: Int
    var nextTry: Double

    enum CodingKeys: String, CodingKey {
        case url, position, excerpt, state, status, good, reason, attempts
        case issueDate = "issue_date"
        case finalURL = "final_url"
        case excerptFound = "excerpt_found"
        case capturedAt = "captured_at"
        case nextTry = "next_try"
    }
}

/// An `spn_submission` row: one page's submission to Save Page Now for one issue.
struct SavePageNowRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "spn_submission"

    var issueDate: String
    var url: String
    var excerpt: String
    var state: String
    var jobID: String?
    var snapshot: String?
    var statusExt: String?
    var message: String?
    var attempts: Int
    var nextTry: Double
    var submittedAt: Double?
    var snapshotCheckedAt: Double?
    var snapshotExcerptFound: Bool?
    var snapshotReason: String?

    enum CodingKeys: String, CodingKey {
        case url, excerpt, state, snapshot, message, attempts
        case issueDate = "issue_date"
        case jobID = "job_id"
        case statusExt = "status_ext"
        case nextTry = "next_try"
        case submittedAt = "submitted_at"
        case snapshotCheckedAt = "snapshot_checked_at"
        case snapshotExcerptFound = "snapshot_excerpt_found"
        case snapshotReason = "snapshot_reason"
    }
}

/// An `spn_pace` row: `last-submission` (when the last page went) or `hold` (wait until `at`, and why).
struct SavePageNowPaceRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "spn_pace"

    var name: String
    var at: Double
    var reason: String?
}

/// A `campaign` row: the campaign an issue was handed to.
struct CampaignRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "campaign"

    var issueDate: String
    var version: Int
    var service: String
    var campaignID: String
    var status: String
    var sendAt: String?
    var updatedAt: Double
    var forcedReason: String?
    var forcedBy: String?
    var forcedAt: Double?

    enum CodingKeys: String, CodingKey {
        case version, service, status
        case issueDate = "issue_date"
        case campaignID = "campaign_id"
        case sendAt = "send_at"
        case updatedAt = "updated_at"
        case forcedReason = "forced_reason"
        case forcedBy = "forced_by"
        case forcedAt = "forced_at"
    }
}
