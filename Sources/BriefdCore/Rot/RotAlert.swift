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

        public init(issue: String? = nil, draft: String? = nil, title: String? = nil, line: Int? = nil, column: Int? = nil) {
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
    /// An archived copy, when one was found (dead links only).
    public var archivedURL: String?
    /// What to put in the archive page's place, when there is an archived copy.
    public var replacement: String?
    public var raisedAt: Double

    public init(
        kind: Kind, url: String, citations: [Citation], health: LinkHealth, archivedURL: String?, raisedAt: Double
    ) {
        self.kind = kind
        self.url = url
        self.citations = citations
        self.firstFailure = health.firstFailure
        self.lastCheck = health.lastCheck
        self.lastStatus = health.lastStatus
        self.failures = health.failures
        self.archivedURL = archivedURL
        let title = citations.first { $0.title != nil }?.title
        self.replacement = archivedURL.map { "[\(title ?? url)](\($0)) (archived copy)" }
        self.raisedAt = raisedAt
    }

    /// Plain text for people: email bodies, the Slack-style `text` of a webhook.
    public var text: String {
        var lines: [String] = []
        switch kind {
        case .dead:
            lines.append("Dead link: \(url)")
            var history = "\(failures) failed checks"
            if let first = firstFailure { history += " since \(JSONText.timestamp(first))" }
            if let status = lastStatus { history += ", last answer \(status)" }
            if let last = lastCheck { history += " at \(JSONText.timestamp(last))" }
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
        if let archivedURL { lines.append("  archived copy: \(archivedURL)") }
        if let replacement { lines.append("  suggested replacement: \(replacement)") }
        if kind == .dead && archivedURL == nil { lines.append("  no archived copy was found") }
        return lines.joined(separator: "\n")
    }

    /// One line of JSON (for the JSON Lines sink and the webhook), with a Slack-compatible `text` field.
    public var jsonLine: String {
        var fields: [String] = [
            "\"kind\": " + JSONText.string(kind.rawValue), "\"url\": " + JSONText.string(url),
            "\"text\": " + JSONText.string(text),
            "\"failures\": \(failures)",
            "\"first_failure\": " + (firstFailure.map { JSONText.string(JSONText.timestamp($0)) } ?? "null"),
            "\"last_check\": " + (lastCheck.map { JSONText.string(JSONText.timestamp($0)) } ?? "null"),
            "\"last_status\": " + (lastStatus.map(String.init) ?? "null"),
            "\"archived_url\": " + (archivedURL.map(JSONText.string) ?? "null"),
            "\"replacement\": " + (replacement.map(JSONText.string) ?? "null"),
            "\"raised_at\": " + JSONText.string(JSONText.timestamp(raisedAt)),
        ]
        let citations = self.citations.map { citation -> String in
            var parts: [String] = []
            if let issue = citation.issue { parts.append("\"issue\": " + JSONText.string(issue)) }
            if let draft = citation.draft { parts.append("\"draft\": " + JSONText.string(draft)) }
            if let title = citation.title { parts.append("\"title\": " + JSONText.string(title)) }
            if let line = citation.line { parts.append("\"line\": \(line)") }
            if let column = citation.column { parts.append("\"column\": \(column)") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        fields.insert("\"citations\": [" + citations.joined(separator: ", ") + "]", at: 2)
        return "{" + fields.joined(separator: ", ") + "}"
    }
}
