import Foundation

/// A message for editors: a published link died, or a dead one came back. Raised once per change.
public struct RotAlert: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case dead, recovered }

    /// Where the link is cited: an issue (with the item's title) or a draft (with line and column).
    public struct Citation: Sendable, Equatable, Codable {
        public var issue: String?
        public var draft: String?
        public var title: String?
        public var line: Int?
        public var column: Int?

        public init(
            issue: String? = nil, draft: String? = nil, title: String? = nil, line: Int? = nil, column: Int? = nil
        ) {
            self.issue = issue
            self.draft = draft
            self.title = title
            self.line = line
            self.column = column
        }
    }

    public var kind: Kind
    public var url: String
    public var citations: [Citation]
    /// Seconds since 1970.
    public var firstFailure: Double?
    public var lastCheck: Double?
    public var lastStatus: Int?
    public var failures: Int
    /// The best copy there is (dead links only): the first of `copies`.
    public var archivedURL: String?
    /// Every copy known, best first: the issue's own capture, the Save Page Now snapshot, then what the Wayback
    /// lookup found. Nil in alerts written before briefd kept its own copies.
    public var copies: [ArchivedCopy]?
    /// What to put in the archive page's place, when there is an archived copy.
    public var replacement: String?
    public var raisedAt: Double
    /// Why the Wayback Machine could not be asked (no network): the alert then says "could not look", never "no
    /// archived copy was found". Nil when it was asked, and in alerts written before.
    public var lookupProblem: String?
    /// The newsletter's time zone (an IANA name) that the text gives times in; UTC when nil (older alerts).
    public var timeZone: String?

    public init(
        kind: Kind, url: String, citations: [Citation], health: LinkHealth, archivedURL: String?, raisedAt: Double,
        ownCopies: [ArchivedCopy] = []
    ) {
        self.kind = kind
        self.url = url
        self.citations = citations
        self.firstFailure = health.firstFailure
        self.lastCheck = health.lastCheck
        self.lastStatus = health.lastStatus
        self.failures = health.failures
        // What a reader can open comes first: the Save Page Now snapshot, then the Wayback copy, then the issue's
        // own copy (which the caller offers only when the desk has a public address).
        let copies = (ownCopies + (archivedURL.map { [ArchivedCopy(kind: .wayback, url: $0, takenAt: nil)] } ?? []))
            .enumerated().sorted { ($0.element.kind.rank, $0.offset) < ($1.element.kind.rank, $1.offset) }
            .map(\.element)
        self.copies = copies
        let archivedURL = copies.first?.url
        self.archivedURL = archivedURL
        let title = citations.first { $0.title != nil }?.title
        self.replacement = archivedURL.map { "[\(title ?? url)](\($0)) (archived copy)" }
        self.raisedAt = raisedAt
    }

    /// Plain text for people: email bodies, the Slack-style `text` of a webhook. Times in the newsletter's zone.
    public var text: String {
        let zone = timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        func time(_ seconds: Double) -> String { ZonedTime.text(seconds, in: zone) }
        var lines: [String] = []
        switch kind {
        case .dead:
            lines.append("Dead link: \(url)")
            var history = "\(failures) failed checks"
            if let first = firstFailure { history += " since \(time(first))" }
            if let status = lastStatus { history += ", last answer \(status)" }
            if let last = lastCheck { history += " at \(time(last))" }
            lines.append(history)
        case .recovered:
            lines.append("Recovered: \(url) answers again" + (lastStatus.map { " (\($0))" } ?? ""))
        }
        for citation in citations {
            if let issue = citation.issue {
                lines.append("  cited in the issue of \(issue)" + (citation.title.map { ": \($0)" } ?? ""))
            } else if let draft = citation.draft {
                lines.append("  cited in \(draft)" + (citation.line.map { ":\($0):\(citation.column ?? 1)" } ?? ""))
            }
        }
        for copy in copies ?? [] {
            lines.append("  \(copy.kind.label)" + (copy.takenAt.map { " (taken \($0))" } ?? "") + ": \(copy.url)")
        }
        if copies == nil, let archivedURL { lines.append("  archived copy: \(archivedURL)") }
        if let replacement { lines.append("  suggested replacement: \(replacement)") }
        if kind == .dead && archivedURL == nil {
            lines.append(
                lookupProblem.map { "  could not look for an archived copy: \($0)" } ?? "  no archived copy was found")
        }
        return lines.joined(separator: "\n")
    }

    /// One line of JSON (for the JSON Lines sink and the webhook), with a Slack-compatible `text` field.
    public var jsonLine: String { JSONText.line(Line(self)) }

    /// The alert as the sinks receive it: times as ISO 8601 text, absent values as null.
    public struct Line: Encodable {
        struct Place: Encodable {
            var issue: String?
            var draft: String?
            var title: String?
            var line: Int?
            var column: Int?
        }
        var kind: String
        var url: String
        var text: String
        var citations: [Place]
        var failures: Int
        var first_failure: String?
        var last_check: String?
        var last_status: Int?
        var archived_url: String?
        var replacement: String?
        var copies: [ArchivedCopy]
        var raised_at: String

        public init(_ alert: RotAlert) {
            kind = alert.kind.rawValue
            url = alert.url
            text = alert.text
            citations = alert.citations.map {
                Place(issue: $0.issue, draft: $0.draft, title: $0.title, line: $0.line, column: $0.column)
            }
            failures = alert.failures
            first_failure = alert.firstFailure.map(JSONText.timestamp)
            last_check = alert.lastCheck.map(JSONText.timestamp)
            last_status = alert.lastStatus
            archived_url = alert.archivedURL
            replacement = alert.replacement
            copies =
                alert.copies ?? alert.archivedURL.map { [ArchivedCopy(kind: .wayback, url: $0, takenAt: nil)] } ?? []
            raised_at = JSONText.timestamp(alert.raisedAt)
        }

        public func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey {
                case kind, url, text, citations, failures, first_failure, last_check, last_status, archived_url,
                    replacement, copies, raised_at
            }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(url, forKey: .url)
            try container.encode(text, forKey: .text)
            try container.encode(citations, forKey: .citations)
            try container.encode(failures, forKey: .failures)
            // Absent values are written as null, as the sinks' readers expect every key.
            try container.encode(first_failure, forKey: .first_failure)
            try container.encode(last_check, forKey: .last_check)
            try container.encode(last_status, forKey: .last_status)
            try container.encode(archived_url, forKey: .archived_url)
            try container.encode(replacement, forKey: .replacement)
            try container.encode(copies, forKey: .copies)
            try container.encode(raised_at, forKey: .raised_at)
        }
    }
}

/// A copy of a dead page an editor can point readers to.
public struct ArchivedCopy: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The issue's own capture, taken when the issue was published, served by the desk.
        case issueCapture = "issue_capture"
        /// The snapshot Save Page Now made when the issue was published.
        case savePageNow = "save_page_now"
        /// Whatever the Wayback Machine held, found when the link died.
        case wayback

        /// The order copies are offered in: what any reader can open first.
        var rank: Int {
            switch self {
            case .savePageNow: 0
            case .wayback: 1
            case .issueCapture: 2
            }
        }

        public var label: String {
            switch self {
            case .issueCapture: "the issue's own copy"
            case .savePageNow: "Save Page Now snapshot"
            case .wayback: "archived copy (Wayback Machine)"
            }
        }
    }

    public var kind: Kind
    public var url: String
    /// When the copy was taken (ISO 8601), when known.
    public var takenAt: String?

    public init(kind: Kind, url: String, takenAt: String?) {
        self.kind = kind
        self.url = url
        self.takenAt = takenAt
    }

    enum CodingKeys: String, CodingKey {
        case kind, url
        case takenAt = "taken_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(url, forKey: .url)
        try container.encode(takenAt, forKey: .takenAt)  // null when unknown: every key is present.
    }
}
