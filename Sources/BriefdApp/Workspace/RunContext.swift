public import BriefdIO
public import BriefdCore

/// What a run over drafts and pages works with: the config and the registry it was loaded with, the process's one
/// state database, and — for whatever goes to the network — its one link service (nil offline). The review of
/// drafts (`review`), `clip` and `importPages` are its methods, so that each does not carry its own copy.
public struct RunContext: Sendable {
    public let config: Config
    public let registry: Registry
    public let state: StateDatabase
    /// Needed for online reviews, clipping from the web and importing addresses.
    public let links: LinkService?

    public init(config: Config, registry: Registry, state: StateDatabase, links: LinkService?) {
        self.config = config
        self.registry = registry
        self.state = state
        self.links = links
    }
}
