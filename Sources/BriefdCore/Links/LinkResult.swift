/// What checking a link concluded.
public enum LinkVerdict: String, Sendable, Codable, CaseIterable {
    /// 2xx at the end (temporary redirects allowed).
    case ok
    /// Works, but through a permanent redirect: cite the new address.
    case redirected
    /// A publication the registry marks `paywall: true` answered 401, 402 or 403.
    case paywalled
    /// 4xx, 5xx after retries, DNS failure, refused, TLS error, redirect loop.
    case broken
    /// A 200 that is really "not found": a redirect to the site's root or to a not-found page, or such a title.
    case soft404 = "soft-404"
    /// The site refuses automated clients (bot wall, challenge page, 999): unverifiable, not broken.
    case blocked
    case timeout
    /// Excluded by a pattern, a reserved example domain, or a scheme briefd does not check.
    case skipped
    /// The address is loopback, private, link-local, … and not allowed: no request was sent.
    case blockedAddress = "blocked-address"
    /// Not checked: the host name did not resolve while no host name resolves at all (the network or the
    /// resolver is down). Neither broken nor fine; checked again when names resolve.
    case unverified

    /// True for verdicts that need no change to the draft.
    public var isOK: Bool { self == .ok || self == .redirected || self == .paywalled }
}

/// One hop of a redirect chain: the status that redirected and the address it sent us to.
public struct LinkRedirect: Sendable, Codable, Hashable {
    public var status: Int
    public var url: String

    public init(status: Int, url: String) {
        self.status = status
        self.url = url
    }
}

/// The outcome of checking one URL, as reported and as stored in the link history.
public struct LinkResult: Sendable, Codable, Hashable {
    public var url: String
    public var verdict: LinkVerdict
    /// The last HTTP status received, if any.
    public var status: Int?
    /// Where the redirects ended, when there were any.
    public var finalURL: String?
    public var redirects: [LinkRedirect]
    /// What went wrong or why the verdict was reached, in words.
    public var error: String?
    /// Seconds since 1970.
    public var checkedAt: Double
    public var durationMilliseconds: Int
    /// True when the result came from the cache of earlier runs.
    public var cached: Bool
    /// Requests sent for this result (redirect hops and retries included); 0 when none was needed.
    public var tries: Int

    public init(
        url: String, verdict: LinkVerdict, status: Int? = nil, finalURL: String? = nil, redirects: [LinkRedirect] = [],
        error: String? = nil, checkedAt: Double = 0, durationMilliseconds: Int = 0, cached: Bool = false, tries: Int = 0
    ) {
        self.tries = tries
        self.url = url
        self.verdict = verdict
        self.status = status
        self.finalURL = finalURL
        self.redirects = redirects
        self.error = error
        self.checkedAt = checkedAt
        self.durationMilliseconds = durationMilliseconds
        self.cached = cached
    }

    public var ok: Bool { verdict.isOK }
}
