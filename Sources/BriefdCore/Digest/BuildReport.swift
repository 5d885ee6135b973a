/// What a build put in an issue, what it left out and why: `build.json` and the summary on stdout.
public struct BuildReport: Sendable, Codable, Equatable {
    public struct Included: Sendable, Codable, Equatable {
        public var path: String
        public var title: String
        /// "featured", "sponsor" or the section's name.
        public var placement: String

        public init(path: String, title: String, placement: String) {
            self.path = path
            self.title = title
            self.placement = placement
        }
    }

    public struct LeftOut: Sendable, Codable, Equatable {
        public var path: String
        public var status: DraftStatus
        public var reason: String

        public init(path: String, status: DraftStatus, reason: String) {
            self.path = path
            self.status = status
            self.reason = reason
        }
    }

    public var issue: String
    public var included: [Included] = []
    public var leftOut: [LeftOut] = []
    /// Problems with the issue as a whole (two featured articles, …); the build still succeeds.
    public var errors: [String] = []
    public var warnings: [String] = []
    /// Links and quotes in the included items that could not be checked (the network was down, a page could not be
    /// fetched): they went out unverified, and the editor is told how many.
    public var unverifiedLinks = 0
    public var unverifiedQuotes = 0
    /// What the email checks found in the rendered email (`EmailChecks`); nil in reports written before them.
    public var email: [EmailFinding]?

    public init(issue: String) { self.issue = issue }

    /// snake_case, as every JSON briefd writes; `build.json` files written before (`leftOut`, `unverifiedLinks`,
    /// `unverifiedQuotes`) are still read.
    enum CodingKeys: String, CodingKey {
        case issue, included, errors, warnings, email
        case leftOut = "left_out"
        case unverifiedLinks = "unverified_links"
        case unverifiedQuotes = "unverified_quotes"
    }

    enum EarlierKeys: String, CodingKey { case leftOut, unverifiedLinks, unverifiedQuotes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let earlier = try decoder.container(keyedBy: EarlierKeys.self)
        issue = try container.decode(String.self, forKey: .issue)
        included = try container.decodeIfPresent([Included].self, forKey: .included) ?? []
        leftOut =
            try container.decodeIfPresent([LeftOut].self, forKey: .leftOut)
            ?? earlier.decodeIfPresent([LeftOut].self, forKey: .leftOut) ?? []
        errors = try container.decodeIfPresent([String].self, forKey: .errors) ?? []
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings) ?? []
        unverifiedLinks =
            try container.decodeIfPresent(Int.self, forKey: .unverifiedLinks)
            ?? earlier.decodeIfPresent(Int.self, forKey: .unverifiedLinks) ?? 0
        unverifiedQuotes =
            try container.decodeIfPresent(Int.self, forKey: .unverifiedQuotes)
            ?? earlier.decodeIfPresent(Int.self, forKey: .unverifiedQuotes) ?? 0
        email = try container.decodeIfPresent([EmailFinding].self, forKey: .email)
    }

    /// The readable summary printed by `briefd build`.
    public var summary: String {
        var out = "Issue \(issue): \(ItemCount(placements: included.map(\.placement)))"
        out += leftOut.isEmpty ? "\n" : ", \(leftOut.count) draft\(leftOut.count == 1 ? "" : "s") left out\n"
        for item in included { out += "  + [\(item.placement)] \(item.title) (\(item.path))\n" }
        for item in leftOut { out += "  - \(item.path) [\(item.status.rawValue)]: \(item.reason)\n" }
        if unverifiedLinks + unverifiedQuotes > 0 {
            out +=
                "unverified: \(DraftAccount.counted(unverifiedLinks, "link")) and \(DraftAccount.counted(unverifiedQuotes, "quote")) in the issue could not be checked\n"
        }
        for error in errors { out += "error: \(error)\n" }
        for warning in warnings { out += "warning: \(warning)\n" }
        for finding in email ?? [] {
            out += "email: \(finding.rule)" + (finding.line.map { " at line \($0) of email.html" } ?? "")
            out += ": \(finding.message)\n"
        }
        return out
    }
}
