public import BriefdCore
public import BriefdIO
public import Foundation
public import Logging
import Synchronization

/// What the daemon's surfaces ask of the application, in one place: the drafts' account, the issues as they were
/// recorded, link health, preservation, delivery, clipping and the one path that publishes. The desk is a client of
/// it and of nothing below it: no surface reads the state database or the digests folder on its own, so none can
/// say something the others do not.
public final class Newsroom: Sendable {
    let holder: WorkspaceHolder
    /// The drafts' account: the one every surface reads.
    public let drafts: DraftLedger
    /// Told of every report written or removed (the desk's live page).
    public let feed: DeskFeed
    let state: StateDatabase
    /// nil when the daemon runs `--offline`.
    let links: LinkService?
    /// The process's environment, where the delivery keys are (read once, at start).
    let environment: [String: String]
    let logger: Logger
    /// The preview of the coming issue, made once per account generation (the page and its two frames ask for it
    /// within a second; each used to read, parse and check every ready draft again).
    let previewCache = Mutex<(key: String, preview: DigestBuild.Preview)?>(nil)
    /// One publish at a time from this process's surfaces; across processes the workspace lock decides.
    let publishing = Mutex(false)

    public init(
        holder: WorkspaceHolder, drafts: DraftLedger, feed: DeskFeed, state: StateDatabase, links: LinkService?,
        logger: Logger, environment: [String: String]? = nil
    ) {
        self.holder = holder
        self.drafts = drafts
        self.feed = feed
        self.state = state
        self.links = links
        self.logger = logger
        self.environment = environment ?? ProcessInfo.processInfo.environment
    }

    /// The config and registry in use (a reload replaces both together).
    public var workspace: Workspace { holder.workspace }
    public var config: Config { holder.workspace.config }
    /// The last reload (SIGHUP) and what came of it.
    public var lastReload: (at: Date, outcome: WorkspaceHolder.ReloadOutcome)? { holder.reload }
    /// Whether pages are fetched at all (clip, the hand-off's gate).
    public var isOnline: Bool { links != nil }

    var context: RunContext {
        let workspace = holder.workspace
        return RunContext(config: workspace.config, registry: workspace.registry, state: state, links: links)
    }

    var build: DigestBuild {
        let workspace = holder.workspace
        return DigestBuild(config: workspace.config, registry: workspace.registry, state: state)
    }

    /// When the schedule builds the coming issue next; nil when no build is scheduled.
    public func nextBuild() async -> Date? {
        await BuildScheduler.nextBuild(config, store: DaemonStore(state), coming: drafts.account.nextIssue)?.due
    }

    /// The last build recorded (by the schedule, the desk or a command), for `/healthz`.
    public func lastBuild() async throws -> LastBuild? {
        try await DaemonStore(state).lastBuild().map {
            LastBuild(issue: $0.issueDate, finishedAt: $0.finishedAt, outcome: $0.outcome, trigger: $0.trigger)
        }
    }

    public struct LastBuild: Sendable {
        public var issue: String
        public var finishedAt: Double
        public var outcome: String
        /// "scheduled", "command" or "desk".
        public var trigger: String
    }
}
