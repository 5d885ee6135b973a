/// What must be true before an issue goes to its readers: it is built, no link in it is dead or broken now, no
/// quote in it is altered, and its email passes the checks. Each reason that holds it back is listed.
public enum SendGate {
    public struct Facts: Sendable, Equatable {
        /// Why the issue is not built here (not published, imported); nil when it is.
        public var notBuilt: String?
        /// Links of the issue that are broken now, with the checker's reason.
        public var brokenLinks: [(url: String, reason: String)]
        /// Items whose excerpt the quote check found altered (`quote.altered`), with where.
        public var alteredQuotes: [String]
        /// The build's email findings.
        public var emailFindings: [EmailFinding]
        /// Links that could not be checked now (the network was down): said, but not a reason to refuse.
        public var uncheckedLinks: [String]

        public init(
            notBuilt: String?, brokenLinks: [(url: String, reason: String)], alteredQuotes: [String],
            emailFindings: [EmailFinding], uncheckedLinks: [String]
        ) {
            self.notBuilt = notBuilt
            self.brokenLinks = brokenLinks
            self.alteredQuotes = alteredQuotes
            self.emailFindings = emailFindings
            self.uncheckedLinks = uncheckedLinks
        }

        public static func == (lhs: Facts, rhs: Facts) -> Bool {
            lhs.notBuilt == rhs.notBuilt && lhs.brokenLinks.map(\.url) == rhs.brokenLinks.map(\.url)
                && lhs.brokenLinks.map(\.reason) == rhs.brokenLinks.map(\.reason)
                && lhs.alteredQuotes == rhs.alteredQuotes
                && lhs.emailFindings == rhs.emailFindings && lhs.uncheckedLinks == rhs.uncheckedLinks
        }
    }

    /// Every reason the issue may not go out; empty when it may.
    public static func reasons(_ facts: Facts) -> [String] {
        var reasons: [String] = []
        if let notBuilt = facts.notBuilt { return [notBuilt] }
        for link in facts.brokenLinks { reasons.append("the link \(link.url) is broken now: \(link.reason)") }
        for quote in facts.alteredQuotes { reasons.append("an altered quote: \(quote)") }
        for finding in facts.emailFindings {
            reasons.append(
                "the email fails \(finding.rule)" + (finding.line.map { " at line \($0)" } ?? "")
                    + ": \(finding.message)")
        }
        return reasons
    }
}
