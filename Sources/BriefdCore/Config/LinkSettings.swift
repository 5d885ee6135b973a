/// The `links:` section of `briefd.yml`: how hard, how politely and how safely links are checked.
public struct LinkSettings: Sendable, Equatable {
    /// Requests in flight at once, over all hosts.
    public var maxConcurrency = 128
    /// Requests in flight at once to one host.
    public var perHostConcurrency = 4
    /// The least time between two requests to one host, in milliseconds; 0 turns politeness off.
    public var perHostIntervalMilliseconds = 100
    public var connectTimeoutSeconds = 10
    public var timeoutSeconds = 30
    /// Every try of one link together (redirect hops, retries and the waits between them) takes at most this long.
    public var maxLinkSeconds = 45
    /// Further tries after a transient failure (timeout, reset, 5xx, 429).
    public var retries = 2
    /// The first retry waits this long, each later one twice as long (plus jitter).
    public var retryBaseMilliseconds = 500
    public var maxRedirects = 10
    /// Sent in the user agent so that a publisher can find out who is checking its pages.
    public var userAgentContact = "https://example.org/about-our-link-checker"
    /// Regular expressions; a URL matching one is `skipped`.
    public var exclude: [String] = []
    /// Host names asked of the resolver when a link's name does not resolve: if none of them resolves either, the
    /// network or the resolver is down and the link is `unverified`, not broken. The defaults are IANA's reserved
    /// example names, which exist wherever DNS works.
    public var resolverProbes = ["example.com", "example.org"]
    /// Networks that may be fetched although private or loopback (tests, benchmarks, an intranet).
    public var allowNetworks: [IPNetwork] = []
    public var cacheOKHours = 24
    /// How long the history of checks and kept pages goes back (`history_days`): older checks are pruned, except
    /// each link's latest and what its health still rests on (see `LinkStore.prune`).
    public var historyDays = 400
    public var cacheBrokenHours = 1
    /// The most of a body read when a GET is needed (soft-404 and bot-wall detection).
    public var maxBodyBytes = 64 * 1024
    /// The most of a page read to compare quotes with it.
    public var maxPageBytes = 5 * 1024 * 1024
    /// The longest `Retry-After` honoured; a longer wait gives up on the link for this run.
    public var maxRetryAfterSeconds = 60

    public init() {}
}
