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
    public static func crossDraftFindings(_ drafts: [Draft]) -> [String: [Finding]] {
        crossDraftFindings(drafts.compactMap(CitedBrief.init))
    }

    /// The same, from the little that each draft contributes (what the daemon keeps in memory per draft).
    public static func crossDraftFindings(_ briefs: [CitedBrief]) -> [String: [Finding]] {
        var byIdentity: [String: [CitedBrief]] = [:]
        for brief in briefs { byIdentity[brief.identity, default: []].append(brief) }
        var result: [String: [Finding]] = [:]
        for group in byIdentity.values where group.count > 1 {
            for brief in group {
                let others = group.filter { $0.path != brief.path }.map(\.path).sorted()
                result[brief.path, default: []].append(
                    Finding(.briefDuplicateURL, at: brief.position,
                        "the same article is also cited by \(others.joined(separator: ", ")); keep one brief"))
            }
        }
        return result
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

    public init?(_ draft: Draft) {
        guard draft.kind == .brief, let url = draft.frontMatter.url, let address = WebAddress(url), address.isHTTP else {
            return nil
        }
        path = draft.path
        identity = address.identity
        position = draft.frontMatter.position(of: "url")
    }
}
