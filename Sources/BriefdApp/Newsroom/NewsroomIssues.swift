public import BriefdCore
public import BriefdIO
import Foundation
import Logging
import Metrics

/// A published issue as every surface lists it (`briefd issues`, `/api/issues`, the desk's archive).
public typealias PublishedIssue = IssueStore.Published

/// The issues: the coming one as it will look, the published ones as they were recorded (the database's copy of
/// each build's files, which the send paths read too), and the one path by which the desk and the schedule publish.
extension Newsroom {
    /// Every published issue, newest first.
    public func publishedIssues() async throws -> [PublishedIssue] {
        try await IssueStore(state).published()
    }

    /// The published issue of `date`; nil when it is not published.
    public func publishedIssue(_ date: Day) async throws -> PublishedIssue? {
        try await publishedIssues().first { $0.date == date.description }
    }

    /// The items of the published issue of `date`, as recorded.
    public func items(of date: Day) async throws -> [IssueItem] {
        try await IssueStore(state).items(of: date).map {
            IssueItem(path: $0.path, title: $0.title, placement: $0.placement)
        }
    }

    public struct IssueItem: Sendable {
        public var path: String
        public var title: String
        public var placement: String
    }

    /// A file of the published version of the issue (`index.html`, `email.html`, `digest.txt`, `digest.md`,
    /// `build.json`) as its build recorded it; nil for an imported issue, which briefd did not build.
    public func recordedFile(_ name: String, of date: Day) async throws -> [UInt8]? {
        try await IssueStore(state).currentFile(name, of: date)
    }

    /// The build report of the published issue of `date`, as recorded with it.
    public func buildReport(of date: Day) async throws -> BuildReport? {
        guard let data = try await recordedFile("build.json", of: date) else { return nil }
        return try JSONDecoder().decode(BuildReport.self, from: Data(data))
    }

    /// The coming issue as it will look, from the account's ready drafts: made once per change of the account, the
    /// config or the templates, whatever asks (the page and its two frames).
    public func preview() async throws(DigestBuild.BuildError) -> (date: Day, preview: DigestBuild.Preview) {
        let date = await drafts.account.nextIssue
        let key =
            "\(date) \(await drafts.generation) \(workspace.fingerprint) \(DigestTemplates.stamp(config.paths.templates))"
        if let cached = previewCache.withLock({ $0 }), cached.key == key { return (date, cached.preview) }
        let preview = try await build.preview(date: date, account: await drafts.draftsForBuild())
        previewCache.withLock { $0 = (key, preview) }
        return (date, preview)
    }

    /// A build as the journal names it.
    static func name(of trigger: DigestBuild.Trigger) -> String {
        switch trigger {
        case .scheduled: "scheduled build"
        case .desk: "build from the desk"
        case .command: "build"
        }
    }

    /// What a publish from a surface came to.
    public enum PublishOutcome: Sendable {
        case done(DigestBuild.Outcome, date: Day, followUp: String?)
        /// This process is publishing already.
        case busy
        case failed(DigestBuild.BuildError, date: Day)
    }

    /// Builds and publishes `issue` (the coming one when nil; with `replacing`, that published issue
    /// again), from the account's ready drafts, under the workspace's lock; a replaced issue's campaign follows the
    /// new version. The one path of the desk and the schedule; every build is counted and logged here.
    public func publish(_ issue: Day? = nil, replacing: Bool = false, trigger: DigestBuild.Trigger) async
        -> PublishOutcome
    {
        let started = publishing.withLock { running -> Bool in
            guard !running else { return false }
            running = true
            return true
        }
        guard started else { return .busy }
        defer { publishing.withLock { $0 = false } }
        let date: Day
        if let issue { date = issue } else { date = await drafts.account.nextIssue }
        let published = replacing ? date : nil
        let began = DispatchTime.now()
        do {
            let outcome = try await build.run(
                date: date, root: config.paths.digests, dryRun: false, replace: published != nil,
                account: await drafts.draftsForBuild(target: date), trigger: trigger)
            await drafts.publishedChanged()
            Timer(label: "briefd_build_seconds").recordInterval(since: began)
            Counter(label: "briefd_builds_total", dimensions: [("outcome", outcome.isEmpty ? "empty" : "built")])
                .increment()
            logger.notice(
                "\(Newsroom.name(of: trigger))",
                metadata: [
                    "issue": "\(date)", "outcome": "\(outcome.isEmpty ? "empty" : "built")",
                    "items": "\(outcome.report.included.count)", "left_out": "\(outcome.report.leftOut.count)",
                    "version": "\(outcome.version ?? 0)",
                ])
            var followUp: String?
            if let published, let links, outcome.folder != nil {
                // The replaced issue's campaign follows the new version, or says why it could not.
                followUp = await CampaignHandOff(config: config, registry: workspace.registry, state: state)
                    .followReplacement(
                        of: published, links: links, user: "the \(trigger.rawValue)", daemonRuns: true,
                        environment: environment)
            }
            return .done(outcome, date: date, followUp: followUp)
        } catch {
            Timer(label: "briefd_build_seconds").recordInterval(since: began)
            Counter(label: "briefd_builds_total", dimensions: [("outcome", "failed")]).increment()
            if error.step == .published {
                // Published by another build meanwhile (the schedule, the desk, a terminal): a refusal, not a failure.
                logger.notice(
                    "\(Newsroom.name(of: trigger)) refused: the issue is already published",
                    metadata: ["issue": "\(date)"])
            } else {
                logger.error(
                    "\(Newsroom.name(of: trigger)) failed\(error.isDiskFull ? ": the disk is full" : "")",
                    metadata: ["issue": "\(date)", "step": "\(error.step.rawValue)", "error": "\(error)"])
            }
            return .failed(error, date: date)
        }
    }
}
