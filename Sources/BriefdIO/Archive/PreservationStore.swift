public import BriefdCore
import Foundation
import GRDB

/// The captures of cited pages and the Save Page Now queue, in the state database: what `briefd archive`, the
/// desk and the rot alerts read, and what the daemon works through. Both survive restarts.
public final class PreservationStore: Sendable {
    private let database: DatabasePool

    public init(_ state: StateDatabase) { database = state.pool }

    /// Queues a capture of each link of an issue (and a submission to Save Page Now when `savePageNow`); a link
    /// already queued for the issue keeps its row, so that a replaced issue does not capture a page twice.
    public func enqueue(
        issue: String, links: [(url: String, excerpt: String)], savePageNow: Bool, now: Double
    ) async throws {
        try await database.writeOffThePool { db in
            for (position, link) in links.enumerated() {
                if try PageCaptureRow.fetchOne(db, key: ["issue_date": issue, "url": link.url]) == nil {
                    try PageCaptureRow(
                        issueDate: issue, url: link.url, position: position, excerpt: link.excerpt, state: "pending",
                        attempts: 0, nextTry: now
                    ).insert(db)
                }
                if savePageNow, try SavePageNowRow.fetchOne(db, key: ["issue_date": issue, "url": link.url]) == nil {
                    try SavePageNowRow(
                        issueDate: issue, url: link.url, excerpt: link.excerpt, state: "queued", attempts: 0,
                        nextTry: now
                    ).insert(db)
                }
            }
        }
    }

    /// The issues that have captures recorded as done, newest first.
    public func issuesWithCaptures() async throws -> [String] {
        try await database.readOffThePool { db in
            try String.fetchAll(
                db,
                sql: "SELECT DISTINCT issue_date FROM page_capture WHERE state = 'captured' ORDER BY issue_date DESC")
        }
    }

    public func captures(of issue: String) async throws -> [PageCapture] {
        try await database.readOffThePool { db in
            try PageCaptureRow.filter(Column("issue_date") == issue).order(Column("position")).fetchAll(db)
                .map(PreservationStore.capture)
        }
    }

    /// Captures whose turn has come, oldest issue first.
    public func dueCaptures(now: Double) async throws -> [PageCapture] {
        try await database.readOffThePool { db in
            try PageCaptureRow.filter(Column("state") == "pending" && Column("next_try") <= now)
                .order(Column("issue_date"), Column("position")).fetchAll(db).map(PreservationStore.capture)
        }
    }

    /// When the next pending capture, poll, snapshot check or submission falls due; nil when none waits. A queued
    /// submission waits for `submissionsNotBefore` too (Save Page Now's pace and hold).
    public func nextDue(submissionsNotBefore: Double = 0) async throws -> Double? {
        try await database.readOffThePool { db in
            let capture = try Double.fetchOne(
                db, sql: "SELECT MIN(next_try) FROM page_capture WHERE state = 'pending'")
            let step = try Double.fetchOne(
                db,
                sql: """
                    SELECT MIN(next_try) FROM spn_submission
                    WHERE state = 'pending' OR (state = 'success' AND snapshot_checked_at IS NULL)
                    """)
            let queued = try Double.fetchOne(
                db, sql: "SELECT MIN(next_try) FROM spn_submission WHERE state = 'queued'"
            ).map { max($0, submissionsNotBefore) }
            return [capture, step, queued].compactMap { $0 }.min()
        }
    }

    public func save(_ captures: [PageCapture]) async throws {
        try await database.writeOffThePool { db in
            for capture in captures {
                try PageCaptureRow(
                    issueDate: capture.issueDate, url: capture.url, position: capture.position,
                    excerpt: capture.excerpt, state: capture.state.rawValue, status: capture.status,
                    finalURL: capture.finalURL, good: capture.verdict?.good,
                    excerptFound: capture.verdict?.excerptFound, reason: capture.verdict?.reason,
                    capturedAt: capture.capturedAt, attempts: capture.attempts, nextTry: capture.nextTry
                ).save(db)
            }
        }
    }

    /// The latest good copy of each of `urls` among the issues' own captures: for the rot alerts and the desk.
    public func goodCopies(of urls: [String]) async throws -> [String: PageCapture] {
        try await database.readOffThePool { db in
            var found: [String: PageCapture] = [:]
            for chunk in StateDatabase.slices(of: urls) {
                let rows = try PageCaptureRow.filter(
                    chunk.contains(Column("url")) && Column("state") == "captured" && Column("good") == true
                ).order(Column("captured_at")).fetchAll(db)
                for row in rows { found[row.url] = PreservationStore.capture(row) }
            }
            return found
        }
    }

    public func submissions(of issue: String) async throws -> [SavePageNowSubmission] {
        try await database.readOffThePool { db in
            try SavePageNowRow.filter(Column("issue_date") == issue).fetchAll(db).map(PreservationStore.submission)
        }
    }

    /// Submissions to send or poll, and snapshots to check, whose time has come; oldest first.
    public func dueSubmissions(now: Double) async throws -> [SavePageNowSubmission] {
        try await database.readOffThePool { db in
            try SavePageNowRow.fetchAll(
                db,
                sql: """
                    SELECT * FROM spn_submission WHERE next_try <= ?
                    AND (state IN ('queued', 'pending') OR (state = 'success' AND snapshot_checked_at IS NULL))
                    ORDER BY next_try, issue_date, url
                    """, arguments: [now]
            ).map(PreservationStore.submission)
        }
    }

    /// The latest snapshot of each of `urls` that Save Page Now made.
    public func snapshots(of urls: [String]) async throws -> [String: SavePageNowSubmission] {
        try await database.readOffThePool { db in
            var found: [String: SavePageNowSubmission] = [:]
            for chunk in StateDatabase.slices(of: urls) {
                let rows = try SavePageNowRow.filter(
                    chunk.contains(Column("url")) && Column("state") == "success" && Column("snapshot") != nil
                ).order(Column("submitted_at")).fetchAll(db)
                for row in rows { found[row.url] = PreservationStore.submission(row) }
            }
            return found
        }
    }

    public func save(_ submission: SavePageNowSubmission) async throws {
        let row = SavePageNowRow(
            issueDate: submission.issueDate, url: submission.url, excerpt: submission.excerpt,
            state: submission.state.rawValue, jobID: submission.jobID, snapshot: submission.snapshot,
            statusExt: submission.statusExt, message: submission.message, attempts: submission.attempts,
            nextTry: submission.nextTry, submittedAt: submission.submittedAt,
            snapshotCheckedAt: submission.snapshotCheckedAt, snapshotExcerptFound: submission.snapshotExcerptFound,
            snapshotReason: submission.snapshotReason)
        try await database.writeOffThePool { db in try row.save(db) }
    }

    /// Save Page Now's pace: when the last page was submitted, and until when the service asked briefd to wait.
    public struct Pace: Sendable, Equatable {
        public var lastSubmission: Double?
        public var holdUntil: Double?
        public var holdReason: String?
    }

    public func pace() async throws -> Pace {
        try await database.readOffThePool { db in
            let last = try SavePageNowPaceRow.fetchOne(db, key: "last-submission")
            let hold = try SavePageNowPaceRow.fetchOne(db, key: "hold")
            return Pace(lastSubmission: last?.at, holdUntil: hold?.at, holdReason: hold?.reason)
        }
    }

    public func recordSubmission(at seconds: Double) async throws {
        try await database.writeOffThePool { db in
            try SavePageNowPaceRow(name: "last-submission", at: seconds, reason: nil).save(db)
        }
    }

    public func hold(until seconds: Double, reason: String) async throws {
        try await database.writeOffThePool { db in
            try SavePageNowPaceRow(name: "hold", at: seconds, reason: reason).save(db)
        }
    }

    private static func capture(_ row: PageCaptureRow) -> PageCapture {
        let verdict =
            row.good == nil && row.reason == nil && row.excerptFound == nil
            ? nil : CaptureVerdict(good: row.good ?? false, excerptFound: row.excerptFound, reason: row.reason)
        return PageCapture(
            issueDate: row.issueDate, url: row.url, position: row.position, excerpt: row.excerpt,
            state: PageCapture.State(rawValue: row.state) ?? .pending, status: row.status, finalURL: row.finalURL,
            verdict: verdict, capturedAt: row.capturedAt, attempts: row.attempts, nextTry: row.nextTry)
    }

    private static func submission(_ row: SavePageNowRow) -> SavePageNowSubmission {
        SavePageNowSubmission(
            issueDate: row.issueDate, url: row.url, excerpt: row.excerpt,
            state: SavePageNowSubmission.State(rawValue: row.state) ?? .queued, jobID: row.jobID,
            snapshot: row.snapshot, statusExt: row.statusExt, message: row.message, attempts: row.attempts,
            nextTry: row.nextTry, submittedAt: row.submittedAt, snapshotCheckedAt: row.snapshotCheckedAt,
            snapshotExcerptFound: row.snapshotExcerptFound, snapshotReason: row.snapshotReason)
    }
}
