/// Every rule briefd reports, with its stable id and severity. `docs/rules.md` documents each one; a test
/// keeps the two in step.
public enum Rule: String, Sendable, CaseIterable, Hashable, Codable {
    // The file itself
    case draftUnreadable = "draft.unreadable"
    // Front matter
    case frontMatterInvalid = "frontmatter.invalid"
    case frontMatterMissingField = "frontmatter.missing-field"
    case frontMatterWrongType = "frontmatter.wrong-type"
    case frontMatterUnknownKind = "frontmatter.unknown-kind"
    case frontMatterUnknownKey = "frontmatter.unknown-key"
    case frontMatterDuplicateKey = "frontmatter.duplicate-key"
    case frontMatterUnknownSection = "frontmatter.unknown-section"
    case frontMatterBadURL = "frontmatter.bad-url"
    case frontMatterDateInFuture = "frontmatter.date-in-future"
    case frontMatterPublishedAfterIssue = "frontmatter.published-after-issue"
    // Briefs
    case briefUnknownSource = "brief.unknown-source"
    case briefURLNotSourceDomain = "brief.url-domain"
    case briefExcerptEmpty = "brief.excerpt-empty"
    case briefExcerptLength = "brief.excerpt-length"
    case briefDuplicateURL = "brief.duplicate-url"
    // Quotes and attributions
    case quoteUnattributed = "quote.unattributed"
    case attributionMisspelledPerson = "attribution.misspelled-person"
    case attributionMisspelledPublication = "attribution.misspelled-publication"
    case attributionUnknownPerson = "attribution.unknown-person"
    case attributionUnknownPublication = "attribution.unknown-publication"
    case attributionRoleMismatch = "attribution.role-mismatch"
    case attributionRoleNotHeld = "attribution.role-not-held"
    case attributionOutletMismatch = "attribution.outlet-mismatch"
    case attributionLinkDomain = "attribution.link-domain"
    case proseMisspelledName = "prose.misspelled-name"
    // Links (checked over the network unless `--offline`)
    case linkBroken = "link.broken"
    case linkRedirected = "link.redirected"
    case linkSoft404 = "link.soft-404"
    case linkBlocked = "link.blocked"
    case linkTimeout = "link.timeout"
    case linkBlockedAddress = "link.blocked-address"
    case linkUnverified = "link.unverified"
    // Quote fidelity (against the page the quote links to, unless `--offline`)
    case quoteVerified = "quote.verified"
    case quoteAltered = "quote.altered"
    case quoteOutOfOrder = "quote.out-of-order"
    case quoteNotFound = "quote.not-found"
    case quoteSourceUnavailable = "quote.source-unavailable"
    case briefDateMismatch = "brief.date-mismatch"

    public var id: String { rawValue }

    public init?(id: String) { self.init(rawValue: id) }

    public var severity: Severity {
        switch self {
        case .draftUnreadable, .frontMatterInvalid, .frontMatterMissingField, .frontMatterWrongType,
            .frontMatterUnknownKind, .frontMatterDuplicateKey, .frontMatterUnknownSection, .frontMatterBadURL,
            .frontMatterDateInFuture, .frontMatterPublishedAfterIssue, .briefUnknownSource,
            .briefURLNotSourceDomain, .briefDuplicateURL, .attributionMisspelledPerson,
            .attributionMisspelledPublication, .linkBroken, .linkSoft404, .linkBlockedAddress, .quoteNotFound:
            return .error
        case .frontMatterUnknownKey, .briefExcerptEmpty, .briefExcerptLength, .quoteUnattributed,
            .attributionUnknownPerson, .attributionUnknownPublication, .attributionRoleMismatch,
            .attributionRoleNotHeld, .attributionOutletMismatch, .attributionLinkDomain, .proseMisspelledName,
            .linkRedirected, .linkTimeout, .linkUnverified, .quoteAltered, .quoteOutOfOrder, .quoteSourceUnavailable,
            .briefDateMismatch:
            return .warning
        case .linkBlocked, .quoteVerified:
            return .info
        }
    }
}

extension Rule {
    /// Warnings the send gate refuses in an issue: a quote that differs from its page would be sent as a misquote.
    /// The account keeps a draft with one of these out of `ready`, so nothing reaches the web that cannot be sent.
    public static let refusedBySendGate: Set<Rule> = [.quoteAltered]

    /// Whether a finding of this rule keeps its draft out of the issue: every error, and what the send gate
    /// refuses. The one list the account (`DraftAccount`) and the send gate (`CampaignHandOff`) both read.
    public var keepsDraftOut: Bool { severity == .error || Rule.refusedBySendGate.contains(self) }
}
