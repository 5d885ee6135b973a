/// The account as JSON: one shape for the desk's API (`/api/*`), `briefd status --format json`,
/// `briefd build --dry-run --format json` and `briefd issues --format json`, so that every surface can be compared
/// key for key. Every key is always present; an absent value is `null`.
public enum AccountDocuments {
    /// One draft: `GET /api/drafts` and `briefd status --format json`.
    public struct DraftEntry: Encodable, Sendable, Equatable {
        public var path: String
        @NullEncoded public var title: String?
        @NullEncoded public var kind: String?
        @NullEncoded public var section: String?
        @NullEncoded public var issue: String?
        public var status: DraftStatus
        public var reasons: [String]
        public var errors: Int
        public var warnings: Int

        public init(facts: DraftFacts, standing: DraftStanding) {
            path = facts.path
            title = facts.title
            kind = facts.kind?.rawValue
            section = facts.section
            issue = facts.issue?.description
            status = standing.status
            reasons = standing.reasons
            errors = facts.errors
            warnings = facts.warnings
        }

    }

    /// The coming issue's date and when the schedule builds it (ISO 8601, or null when it is not scheduled).
    public struct NextIssue: Encodable, Sendable, Equatable {
        public var date: String
        @NullEncoded public var buildAt: String?

        public init(date: Day, buildAt: String?) {
            self.date = date.description
            self.buildAt = buildAt
        }

        enum CodingKeys: String, CodingKey {
            case date
            case buildAt = "build_at"
        }
    }

    /// `GET /api/drafts`.
    public struct Drafts: Encodable, Sendable {
        public var nextIssue: NextIssue
        public var drafts: [DraftEntry]

        public init(nextIssue: NextIssue, drafts: [DraftEntry]) {
            self.nextIssue = nextIssue
            self.drafts = drafts
        }

        enum CodingKeys: String, CodingKey {
            case drafts
            case nextIssue = "next_issue"
        }
    }

    /// `GET /api/issues/next` and `briefd build --dry-run --format json`: what the issue takes, and every draft
    /// it does not take, with its status and reason.
    public struct IssuePlan: Encodable, Sendable, Equatable {
        public struct Item: Encodable, Sendable, Equatable {
            public var path: String
            /// The section it appears in; "sponsor" for the sponsored link; null for the featured article.
            @NullEncoded public var section: String?
            public var title: String
            public var featured: Bool
        }

        public struct LeftOut: Encodable, Sendable, Equatable {
            public var path: String
            public var status: DraftStatus
            public var reason: String
        }

        public var date: String
        public var items: [Item]
        public var leftOut: [LeftOut]
        /// Links and quotes in the items that could not be checked.
        public var unverifiedLinks: Int
        public var unverifiedQuotes: Int
        public var warnings: [String]
        public var errors: [String]

        public init(_ report: BuildReport) {
            date = report.issue
            items = report.included.map { item in
                Item(
                    path: item.path, section: item.placement == "featured" ? nil : item.placement, title: item.title,
                    featured: item.placement == "featured")
            }
            leftOut = report.leftOut.map { LeftOut(path: $0.path, status: $0.status, reason: $0.reason) }
            unverifiedLinks = report.unverifiedLinks
            unverifiedQuotes = report.unverifiedQuotes
            warnings = report.warnings
            errors = report.errors
        }

        enum CodingKeys: String, CodingKey {
            case date, items, warnings, errors
            case leftOut = "left_out"
            case unverifiedLinks = "unverified_links"
            case unverifiedQuotes = "unverified_quotes"
        }
    }
}
