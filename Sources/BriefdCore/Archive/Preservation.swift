/// The capture of one cited page for one issue, as the state database keeps it.
public struct PageCapture: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Not captured yet, or to be tried again at `nextTry`.
        case pending
        /// In the issue's WARC (a good copy or not: `verdict` says).
        case captured
        /// Every attempt failed; `reason` says why.
        case failed
    }

    public var issueDate: String
    public var url: String
    /// The item's place in the issue (0-based): the desk serves the copy at `/archive/<date>/<position + 1>`.
    public var position: Int
    /// The brief's excerpt, plain text, paragraphs separated by blank lines.
    public var excerpt: String
    public var state: State
    /// The final answer's status (after redirects).
    public var status: Int?
    public var finalURL: String?
    public var verdict: CaptureVerdict?
    public var capturedAt: Double?
    public var attempts: Int
    public var nextTry: Double

    public init(
        issueDate: String, url: String, position: Int, excerpt: String, state: State = .pending, status: Int? = nil,
        finalURL: String? = nil, verdict: CaptureVerdict? = nil, capturedAt: Double? = nil, attempts: Int = 0,
        nextTry: Double
    ) {
        self.issueDate = issueDate
        self.url = url
        self.position = position
        self.excerpt = excerpt
        self.state = state
        self.status = status
        self.finalURL = finalURL
        self.verdict = verdict
        self.capturedAt = capturedAt
        self.attempts = attempts
        self.nextTry = nextTry
    }

    /// A copy a reader can be pointed to: captured, and not a 404, a soft 404 or a challenge page.
    public var isGoodCopy: Bool { state == .captured && verdict?.good == true }
}

/// One page's submission to Save Page Now for one issue.
public struct SavePageNowSubmission: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Waiting for its turn (first submission, or again after "later").
        case queued
        /// Submitted; its job is polled.
        case pending
        case success
        /// Final: the service will not capture it (`statusExt` says why).
        case error
    }

    public var issueDate: String
    public var url: String
    public var excerpt: String
    public var state: State
    public var jobID: String?
    /// The snapshot's address in the Wayback Machine once the job succeeded.
    public var snapshot: String?
    /// The service's `status_ext` (`error:user-session-limit`, …) of the last answer that had one.
    public var statusExt: String?
    public var message: String?
    public var attempts: Int
    public var nextTry: Double
    public var submittedAt: Double?
    /// The snapshot, fetched once a day after the capture: whether the excerpt is in it.
    public var snapshotCheckedAt: Double?
    public var snapshotExcerptFound: Bool?
    public var snapshotReason: String?

    public init(
        issueDate: String, url: String, excerpt: String, state: State = .queued, jobID: String? = nil,
        snapshot: String? = nil, statusExt: String? = nil, message: String? = nil, attempts: Int = 0, nextTry: Double,
        submittedAt: Double? = nil, snapshotCheckedAt: Double? = nil, snapshotExcerptFound: Bool? = nil,
        snapshotReason: String? = nil
    ) {
        self.issueDate = issueDate
        self.url = url
        self.excerpt = excerpt
        self.state = state
        self.jobID = jobID
        self.snapshot = snapshot
        self.statusExt = statusExt
        self.message = message
        self.attempts = attempts
        self.nextTry = nextTry
        self.submittedAt = submittedAt
        self.snapshotCheckedAt = snapshotCheckedAt
        self.snapshotExcerptFound = snapshotExcerptFound
        self.snapshotReason = snapshotReason
    }

    /// Nothing more will happen to it: an error, or a success whose snapshot has been checked.
    public var isFinal: Bool { state == .error || (state == .success && snapshotCheckedAt != nil) }
}

/// `briefd archive --format json` and the desk's API: the preservation of an issue's links. Every key is present;
/// absent values are `null`.
public struct IssuePreservation: Sendable, Encodable, Equatable {
    public struct Link: Sendable, Encodable, Equatable {
        public var url: String
        public var captured: Bool
        @NullEncoded public var status: Int?
        @NullEncoded public var excerptFound: Bool?
        @NullEncoded public var reason: String?
        /// Where the desk serves the issue's own copy (`/archive/<date>/<n>`); nil without a good copy.
        @NullEncoded public var copy: String?
        @NullEncoded public var savePageNow: SavePageNow?

        enum CodingKeys: String, CodingKey {
            case url, captured, status, reason, copy
            case excerptFound = "excerpt_found"
            case savePageNow = "save_page_now"
        }
    }

    public struct SavePageNow: Sendable, Encodable, Equatable {
        public var status: String
        @NullEncoded public var jobID: String?
        @NullEncoded public var snapshot: String?
        @NullEncoded public var statusExt: String?
        /// When the next submission or poll is due (ISO 8601, UTC); nil when nothing more will happen.
        @NullEncoded public var nextTry: String?
        @NullEncoded public var snapshotExcerptFound: Bool?

        enum CodingKeys: String, CodingKey {
            case status, snapshot
            case jobID = "job_id"
            case statusExt = "status_ext"
            case nextTry = "next_try"
            case snapshotExcerptFound = "snapshot_excerpt_found"
        }
    }

    public var issue: String
    /// The WARC's path, when the issue has one.
    @NullEncoded public var warc: String?
    public var links: [Link]

    public init(issue: String, warc: String?, captures: [PageCapture], submissions: [SavePageNowSubmission]) {
        self.issue = issue
        self.warc = warc
        let byURL = Dictionary(submissions.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        links = captures.sorted { $0.position < $1.position }.map { capture in
            let submission = byURL[capture.url].map { submission in
                SavePageNow(
                    status: submission.state.rawValue, jobID: submission.jobID, snapshot: submission.snapshot,
                    statusExt: submission.statusExt,
                    nextTry: submission.isFinal ? nil : JSONText.timestamp(submission.nextTry),
                    snapshotExcerptFound: submission.snapshotExcerptFound)
            }
            let reason =
                capture.state == .captured
                ? capture.verdict?.reason
                : capture.verdict?.reason ?? (capture.state == .pending ? "not captured yet" : nil)
            return Link(
                url: capture.url, captured: capture.state == .captured, status: capture.status,
                excerptFound: capture.verdict?.excerptFound, reason: reason,
                copy: capture.isGoodCopy ? "/archive/\(capture.issueDate)/\(capture.position + 1)" : nil,
                savePageNow: submission)
        }
    }
}
