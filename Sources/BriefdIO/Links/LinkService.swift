public import BriefdCore

/// The process's one way to the network: one HTTP client (so one politeness schedule for every caller), one
/// link checker (one in-flight table, the link history as its cache) and one page fetcher for quotes, over the
/// process's one state database.
///
/// - Important: a command makes one for its run, the daemon one for its life; `await shutdown()` at the end.
public final class LinkService: Sendable {
    public let client: CurlHTTPClient
    public let checker: LinkChecker
    public let pages: PageFetcher
    public let state: StateDatabase
    /// briefd's version, as the user agent gives it (for the other clients a run makes).
    public let version: String

    /// - Parameter useHistory: record results in the link history (false only for tests that want none).
    public init(
        settings: LinkSettings, registry: Registry, state: StateDatabase, version: String, useHistory: Bool = true
    ) {
        client = CurlHTTPClient(settings: settings, version: version)
        pages = PageFetcher(client: client, settings: settings, store: PageStore(state))
        checker = LinkChecker(
            settings: settings, registry: registry, client: client, store: useHistory ? LinkStore(state) : nil,
            pages: pages)
        self.state = state
        self.version = version
    }

    /// Ends every request still waiting or in flight (they answer `.shuttingDown`) and stops the client.
    public func shutdown() async { await client.shutdown() }
}
