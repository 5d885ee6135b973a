/// Where a draft stands: one status and the reasons for it, decided in one place for every surface (the desk,
/// its JSON API, `INDEX.*`, `briefd status`, the preview, `build --dry-run` and every build).
public struct DraftStanding: Sendable, Equatable, Codable {
    public var status: DraftStatus
    /// In an editor's words; the first says why the draft has this status.
    public var reasons: [String]

    public init(_ status: DraftStatus, _ reasons: [String]) {
        self.status = status
        self.reasons = reasons
    }
}

/// How far the link and quote review of a draft has come.
public enum ReviewState: Sendable, Equatable, Codable {
    /// Reviewed (or nothing to review): its findings are in.
    case done
    /// Queued or under way.
    case pending
    /// The review failed; it is tried again later. Never read as clean.
    case failed(reason: String)
}

/// What is known of one draft: the input of its standing. Built from the parsed draft and its findings, so that
/// it can be kept (and saved) without the draft's text.
public struct DraftFacts: Sendable, Equatable, Codable {
    /// Relative to the drafts folder.
    public var path: String
    /// Why the file or its front matter could not be read; nil when it was.
    public var unreadable: String?
    public var title: String?
    public var kind: DraftKind?
    public var section: String?
    /// The front matter's `issue:`, if set.
    public var issue: Day?
    /// The cited URL's identity (`WebAddress.identity`), for briefs.
    public var identity: String?
    public var featured: Bool
    public var repeatAllowed: Bool
    public var review: ReviewState
    public var errors: Int
    public var warnings: Int
    /// The first error in reading order, for the reason.
    public var firstError: Finding?
    /// The first warning that keeps the draft out of the issue all the same (`Rule.refusedBySendGate`: an altered
    /// quote); optional, so that accounts saved before it read back.
    public var firstRefusedWarning: Finding?
    /// Links and quotes that could not be checked (`link.unverified`, `quote.source-unavailable`).
    public var unverifiedLinks: Int
    public var unverifiedQuotes: Int
    /// The addresses the draft cites (the desk's link page says which waiting drafts cite a failing link).
    public var citedLinks: [String] = []
    /// The pages the draft quotes (the rot monitor keeps them when it checks them, for the quote check); optional,
    /// so that accounts saved before it read back (their drafts are checked again once: `DraftLedger.inputs`).
    public var quotedPages: [String]?

    public init(
        path: String, unreadable: String? = nil, title: String? = nil, kind: DraftKind? = nil, section: String? = nil,
        issue: Day? = nil, identity: String? = nil, featured: Bool = false, repeatAllowed: Bool = false,
        review: ReviewState = .done, errors: Int = 0, warnings: Int = 0, firstError: Finding? = nil,
        unverifiedLinks: Int = 0, unverifiedQuotes: Int = 0
    ) {
        self.path = path
        self.unreadable = unreadable
        self.title = title
        self.kind = kind
        self.section = section
        self.issue = issue
        self.identity = identity
        self.featured = featured
        self.repeatAllowed = repeatAllowed
        self.review = review
        self.errors = errors
        self.warnings = warnings
        self.firstError = firstError
        self.unverifiedLinks = unverifiedLinks
        self.unverifiedQuotes = unverifiedQuotes
    }

    /// The facts of a parsed draft (`path` relative) with all of its findings so far.
    public init(draft: Draft, path: String, findings: [Finding], review: ReviewState) {
        let front = draft.frontMatter
        self.init(
            path: path, title: front.title, kind: draft.kind, section: front.section, issue: front.issue,
            identity: draft.kind == .brief ? front.url.flatMap(WebAddress.init)?.identity : nil,
            featured: front.featured, repeatAllowed: front.repeatAllowed)
        var seen = Set<String>()
        citedLinks = LinkExtractor.links(in: draft).map(\.url).filter { seen.insert($0).inserted }
        var quoted = Set<String>()
        quotedPages = QuoteCheck.quotes(in: draft).map(\.url).filter { quoted.insert($0).inserted }
        recount(findings, review: review)
    }

    /// Counts `findings` (all of the draft's, its links' and quotes' included) and takes the review's state.
    public mutating func recount(_ findings: [Finding], review: ReviewState) {
        let ordered = findings.inReadingOrder()
        self.review = review
        errors = ordered.count { $0.severity == .error }
        warnings = ordered.count { $0.severity == .warning }
        firstError = ordered.first { $0.severity == .error }
        firstRefusedWarning = ordered.first { $0.severity != .error && $0.rule.keepsDraftOut }
        unverifiedLinks = ordered.count { $0.rule == .linkUnverified }
        unverifiedQuotes = ordered.count { $0.rule == .quoteSourceUnavailable }
    }

    /// The facts of a draft that could not be read (`finding` says why).
    public init(unreadablePath path: String, finding: Finding) {
        self.init(
            path: path,
            unreadable:
                "\(finding.message) (\(finding.rule.id) at \(finding.position.line):\(finding.position.column))",
            errors: 1, firstError: finding)
    }
}

/// The issues already published, as the account needs them.
public struct PublishedIssues: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var path: String
        public var identity: String

        public init(path: String, identity: String) {
            self.path = path
            self.identity = identity
        }
    }

    /// Each published issue's items.
    public var issues: [Day: [Item]]

    public init(_ issues: [Day: [Item]] = [:]) { self.issues = issues }

    public var dates: Set<Day> { Set(issues.keys) }

    /// The same without the issue of `date` (a build that replaces it puts its drafts back in play).
    public func without(_ date: Day) -> PublishedIssues {
        var copy = self
        copy.issues[date] = nil
        return copy
    }
}

/// The one account of every draft: from each draft's facts and the issues already published, its standing for
/// the issue of `target`. Pure: the daemon keeps its result in memory, the commands compute it the same way.
public enum DraftAccount {
    /// The issue the desk and the commands work towards: the first issue weekday on or after `today` that has
    /// not been published.
    public static func nextIssue(weekday: Weekday, today: Day, published: Set<Day>) -> Day {
        var day = weekday.next(onOrAfter: today)
        while published.contains(day) { day = day.adding(days: 7) }
        return day
    }

    /// The standing of every draft (keyed by path) for the issue of `target`.
    ///
    /// - Parameter donationAppeal: the config's `digest.donation_appeal`, which replaces the sponsored link.
    public static func standings(
        of drafts: [DraftFacts], target: Day, published: PublishedIssues, donationAppeal: Bool
    ) -> [String: DraftStanding] {
        let byPath = published.pathsByDate(excluding: target)
        let byIdentity = published.identitiesByDate(excluding: target)
        var result: [String: DraftStanding] = [:]
        var sponsorChosen: String?
        for facts in drafts.sorted(by: { $0.path < $1.path }) {
            var standing = single(facts, target: target, byPath: byPath, byIdentity: byIdentity)
            if standing.status == .ready, facts.kind == .sponsor {
                if donationAppeal {
                    standing = DraftStanding(
                        .held, ["the donation appeal replaces the sponsored link (digest.donation_appeal)"])
                } else if let chosen = sponsorChosen {
                    standing = DraftStanding(.held, ["a second sponsored link: \(chosen) is this issue's"])
                } else {
                    sponsorChosen = facts.path
                }
            }
            result[facts.path] = standing
        }
        return result
    }

    private static func single(
        _ facts: DraftFacts, target: Day, byPath: [String: (Day, String)], byIdentity: [String: Day]
    ) -> DraftStanding {
        if let reason = facts.unreadable { return DraftStanding(.unreadable, ["could not be read: \(reason)"]) }
        if let (date, identity) = byPath[facts.path], facts.identity == nil || identity == facts.identity {
            return DraftStanding(.published, ["published in the issue of \(date)"])
        }
        // Not known until the review is in: `checking` comes before any verdict, with the errors found so far.
        let errorsSoFar = facts.errors > 0 ? [errorReason(facts) + " so far"] : []
        switch facts.review {
        case .pending:
            return DraftStanding(.checking, ["its links and quotes are being checked"] + errorsSoFar)
        case .failed(let reason):
            return DraftStanding(
                .checking, ["the check of its links and quotes failed (\(reason)); it is tried again"] + errorsSoFar)
        case .done:
            break
        }
        if facts.errors > 0 { return DraftStanding(.needsWork, [errorReason(facts)]) }
        if let refused = facts.firstRefusedWarning {
            return DraftStanding(
                .needsWork,
                [
                    "\(refused.rule.id) at \(refused.position.line):\(refused.position.column): \(refused.message); "
                        + "the send gate refuses it, so the draft is kept out of the issue until it is fixed"
                ])
        }
        if facts.kind == .post {
            return DraftStanding(.held, ["a blog post: posts are not items of the digest"])
        }
        if let issue = facts.issue, issue != target {
            let fix = "set 'issue: \(target)' to put it in the coming issue, or remove the line"
            if issue > target { return DraftStanding(.held, ["meant for a later issue, that of \(issue)"]) }
            return DraftStanding(.held, ["meant for the issue of \(issue), which was never built; \(fix)"])
        }
        if let identity = facts.identity, !facts.repeatAllowed, let earlier = byIdentity[identity] {
            return DraftStanding(
                .held, ["its URL was published in the issue of \(earlier); set 'repeat: true' to publish it again"])
        }
        var reasons = ["goes in the issue of \(target)"]
        if facts.unverifiedLinks > 0 { reasons.append("\(counted(facts.unverifiedLinks, "link")) not verified") }
        if facts.unverifiedQuotes > 0 { reasons.append("\(counted(facts.unverifiedQuotes, "quote")) not verified") }
        if facts.warnings > 0 { reasons.append(counted(facts.warnings, "warning")) }
        return DraftStanding(.ready, reasons)
    }

    private static func errorReason(_ facts: DraftFacts) -> String {
        var reason = counted(facts.errors, "error")
        if let first = facts.firstError {
            reason += " (first: \(first.rule.id) at \(first.position.line):\(first.position.column): \(first.message))"
        }
        return reason
    }

    /// "1 error", "2 errors".
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

extension PublishedIssues {
    /// Draft path → the issue that published it and the URL it had then (the earliest issue, if several).
    fileprivate func pathsByDate(excluding target: Day) -> [String: (Day, String)] {
        var found: [String: (Day, String)] = [:]
        for (date, items) in issues where date != target {
            for item in items where !item.path.isEmpty {
                if let known = found[item.path], known.0 < date { continue }
                found[item.path] = (date, item.identity)
            }
        }
        return found
    }

    /// URL identity → the earliest issue before `target` that published it.
    fileprivate func identitiesByDate(excluding target: Day) -> [String: Day] {
        var found: [String: Day] = [:]
        for (date, items) in issues where date < target {
            for item in items {
                if let known = found[item.identity], known < date { continue }
                found[item.identity] = date
            }
        }
        return found
    }
}
