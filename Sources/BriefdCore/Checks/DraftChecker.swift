/// Runs every offline check on drafts: the one entry point the command line, the daemon and the digest share.
///
/// Pure: it is given the bytes of each draft, the config, the registry and today's date.
public struct DraftChecker: Sendable {
    public let config: Config
    public let registry: Registry
    public let today: Day

    public init(config: Config, registry: Registry, today: Day) {
        self.config = config
        self.registry = registry
        self.today = today
    }

    /// Parses and checks one draft on its own (no cross-draft checks).
    public func check(path: String, bytes: [UInt8]) -> (draft: Draft?, report: DraftReport) {
        let parsed = DraftParser.parse(path: path, bytes: bytes)
        guard let draft = parsed.draft else {
            return (nil, DraftReport(path: path, kind: nil, findings: parsed.findings))
        }
        var findings = parsed.findings
        // A kind briefd does not know: that one finding says it all; which checks apply depends on the kind meant.
        if findings.contains(where: { $0.rule == .frontMatterUnknownKind }) {
            return (draft, DraftReport(path: path, kind: nil, findings: findings.inReadingOrder()))
        }
        findings += FrontMatterCheck(config: config, today: today).findings(for: draft)
        switch draft.kind {
        case .brief:
            findings += BriefCheck(registry: registry, config: config).findings(for: draft)
        case .post:
            findings += AttributionCheck(registry: registry).findings(for: draft)
        case .sponsor:
            break
        }
        return (draft, DraftReport(path: path, kind: draft.kind, findings: findings))
    }

    /// The findings that need every draft at once: the same article cited by two briefs.
    /// - Parameter folder: the drafts folder; the other drafts are named by their path in it (as an editor sees
    ///   them, and as the desk links them).
    public static func crossDraftFindings(_ drafts: [Draft], folder: String? = nil) -> [String: [Finding]] {
        crossDraftFindings(drafts.compactMap(CitedBrief.init), folder: folder)
    }

    /// The same, from the little that each draft contributes (what the daemon keeps in memory per draft).
    public static func crossDraftFindings(_ briefs: [CitedBrief], folder: String? = nil) -> [String: [Finding]] {
        let prefix = folder.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        func shown(_ path: String) -> String {
            guard let prefix, path.hasPrefix(prefix) else { return path }
            return String(path.dropFirst(prefix.count))
        }
        var byIdentity: [String: [CitedBrief]] = [:]
        for brief in briefs { byIdentity[brief.identity, default: []].append(brief) }
        var result: [String: [Finding]] = [:]
        for group in byIdentity.values where group.count > 1 {
            // Sorted once; each brief names at most three others and counts the rest, so that ten thousand
            // drafts citing one article make ten thousand short findings, not a report of every pair.
            let paths = group.map(\.path).sorted()
            for brief in group {
                let named = paths.lazy.filter { $0 != brief.path }.prefix(3).map(shown)
                result[brief.path, default: []].append(
                    Finding(
                        .briefDuplicateURL, at: brief.position,
                        "the same article is also cited by \(citedBy(Array(named), total: paths.count - 1)); keep one brief"
                    ))
            }
        }
        return result
    }

    /// "a.md", "a.md and b.md", "a.md, b.md and c.md", "a.md, b.md, c.md and 897 other drafts".
    public static func citedBy(_ named: [String], total: Int) -> String {
        let rest = total - named.count
        if rest > 0 { return named.joined(separator: ", ") + " and \(rest) other draft\(rest == 1 ? "" : "s")" }
        guard let last = named.last else { return "" }
        return named.count == 1 ? last : named.dropLast().joined(separator: ", ") + " and " + last
    }
}

/// What a brief contributes to the checks across drafts: its path and the identity of its URL.
public struct CitedBrief: Sendable, Hashable {
    public var path: String
    public var identity: String
    public var position: SourcePosition

    public init(path: String, identity: String, position: SourcePosition) {
        self.path = path
        self.identity = identity
        self.position = position
    }

    /// Nil for what is no brief, and for a brief with `repeat: true`: it cites an article again on purpose (the
    /// published draft of the first time may still be in the folder), so it is nobody's duplicate.
    public init?(_ draft: Draft) {
        guard draft.kind == .brief, !draft.frontMatter.repeatAllowed, let url = draft.frontMatter.url,
            let address = WebAddress(url), address.isHTTP
        else {
            return nil
        }
        path = draft.path
        identity = address.identity
        position = draft.frontMatter.position(of: "url")
    }
}
