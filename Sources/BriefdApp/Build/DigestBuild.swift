public import BriefdIO
public import BriefdCore
import Foundation
import Synchronization

/// Builds one issue of the digest: checks the drafts, assembles the issue, renders every output from the
/// templates, publishes the issue folder atomically, records it in the state database, and rewrites the
/// archive and the feeds.
public struct DigestBuild: Sendable {
    public let config: Config
    public let registry: Registry
    public let state: StateDatabase

    public init(config: Config, registry: Registry, state: StateDatabase) {
        self.config = config
        self.registry = registry
        self.state = state
    }

    public struct Outcome: Sendable {
        public var report: BuildReport
        /// Where the issue was written (nil for a dry run or an empty issue).
        public var folder: String?
        public var isEmpty: Bool
        /// The version recorded (1 for a first build, more for a replacement); nil when nothing was recorded.
        public var version: Int?
    }

    /// Who asked for a build: recorded with it, so that every surface can say what was built last and how.
    public enum Trigger: String, Sendable {
        case scheduled, command, desk
    }

    /// The drafts as the account knows them: what a build takes its items from. The daemon hands over its own;
    /// a command without a daemon computes it (`SavedAccount.computed`).
    public struct Drafts: Sendable {
        /// The parsed drafts, paths relative to the drafts folder.
        public var drafts: [Draft]
        public var facts: [DraftFacts]
        /// Each draft's findings, checks and review together, by relative path (the send gate reads quotes there).
        public var findings: [String: [Finding]]

        public init(drafts: [Draft], facts: [DraftFacts], findings: [String: [Finding]] = [:]) {
            self.drafts = drafts
            self.facts = facts
            self.findings = findings
        }
    }

    /// Why a build failed, and at which step: a template to fix, the state database, or the writing of the files
    /// (with the system's error number, so that a full disk reads as one).
    public struct BuildError: Error, CustomStringConvertible {
        public enum Step: String, Sendable {
            case templates, state, writing
            /// The issue is already published and the build was not asked to replace it.
            case published
            /// Another build, restore or hand-off held the workspace's lock longer than a build waits.
            case busy
        }
        public var step: Step
        public var description: String
        /// The system's error number of a failed write.
        public var code: Int32?

        public init(_ step: Step, _ description: String, code: Int32? = nil) {
            self.step = step
            self.description = description
            self.code = code
        }

        public var isDiskFull: Bool {
            step == .writing && AtomicOutput.WriteError(description: "", code: code).isDiskFull
        }
    }

    /// The date `briefd build` picks without `--issue`, and the desk's coming issue: the first issue weekday on or
    /// after `today` that is not published yet.
    public func nextIssueDate(after today: Day) async throws(BuildError) -> Day {
        let published = try await publishedIssues().dates
        return DraftAccount.nextIssue(weekday: config.digest.issueWeekday, today: today, published: published)
    }

    /// How long a build waits for another one that holds the workspace's lock before it gives up, by name.
    public static let lockWait: Double = 120

    /// - Parameters:
    ///   - root: the digests folder (`paths.digests` unless `--out`).
    ///   - dryRun: assemble and report only; nothing is written or recorded.
    ///   - replace: an issue already published may be replaced (its earlier version is kept); without it the
    ///     build refuses.
    ///   - account: the daemon's account of the drafts; nil computes it here, the same way.
    ///   - waiting: told once, with who holds it, when another build (or hand-off) holds the workspace's lock.
    ///
    /// A build that writes holds the workspace's lock (`WorkspaceLock`) from "is it published?" to "recorded": of
    /// two builds of one issue started together, one publishes and the other, once the first is done, refuses by name
    /// (or, with `--replace`, makes the next version).
    public func run(
        date: Day, root: String, dryRun: Bool, replace: Bool = false, account: Drafts? = nil,
        trigger: Trigger = .command, waiting: @Sendable (WorkspaceLock.Holder?) -> Void = { _ in }
    ) async throws(BuildError) -> Outcome {
        if dryRun { return try await runHoldingTheLock(date: date, root: root, dryRun: true, account: account) }
        let waited = Mutex(false)
        let lock: WorkspaceLock
        do {
            lock = try await WorkspaceLock.acquire(
                statePath: config.paths.state, purpose: "the build of the issue of \(date)",
                waitingAtMost: DigestBuild.lockWait,
                waiting: { holder in
                    waited.withLock { $0 = true }
                    waiting(holder)
                })
        } catch {
            throw BuildError(.busy, "the issue of \(date) was not built: \(error)")
        }
        defer { lock.release() }
        return try await runHoldingTheLock(
            date: date, root: root, dryRun: false, replace: replace, account: account, trigger: trigger,
            afterWaiting: waited.withLock { $0 })
    }

    private func runHoldingTheLock(
        date: Day, root: String, dryRun: Bool, replace: Bool = false, account: Drafts?, trigger: Trigger = .command,
        afterWaiting: Bool = false
    ) async throws(BuildError) -> Outcome {
        let published = try await publishedIssues()
        let already = published.dates.contains(date)
        if already && !replace && !dryRun {
            // A build killed after its record and before the archive page and feeds leaves them behind the record;
            // the rerun that refuses completes them (they are made from the record alone).
            var completion = ""
            if root == config.paths.digests {
                do {
                    let templates = try DigestTemplates(folder: config.paths.templates)
                    try await writeArchiveAndFeeds(root: root, issues: IssueStore(state), templates: templates)
                } catch {
                    // The refusal is about the issue being out; what could not be completed is said beside it.
                    completion = " (the archive page and feeds could not be brought up to date: \(error))"
                }
            }
            let when = await publishedAt(date).map { " at \($0)" } ?? ""
            throw BuildError(
                .published,
                afterWaiting
                    ? "the issue of \(date) was published\(when) by another build while this one waited; run again with --replace to replace it (the published version is kept and can be restored with 'briefd issues restore')\(completion)"
                    : "the issue of \(date) is already published\(when); run again with --replace to replace it (the published version is kept and can be restored with 'briefd issues restore')\(completion)"
            )
        }
        let (assembled, report, templates) = try await assemble(date: date, published: published, account: account)
        var outcome: Outcome
        if let issue = assembled, !dryRun {
            outcome = try await publish(issue, report: report, templates: templates, root: root)
        } else {
            outcome = Outcome(report: report, folder: nil, isEmpty: assembled == nil)
        }
        if already && dryRun {
            outcome.report.warnings.append(
                "the issue of \(date) is already published; 'briefd build --replace' would replace it")
        }
        // Every build is recorded with who asked for it (the scheduler records its own, with its due time). A
        // failure to record is not the build's failure, but it is said: `status` would show an older last build.
        if !dryRun && trigger != .scheduled {
            let now = Date().timeIntervalSince1970
            do {
                try await DaemonStore(state).recordBuild(
                    due: now, issueDate: date.description, finishedAt: now, outcome: outcome.isEmpty ? .empty : .built,
                    trigger: trigger.rawValue)
            } catch {
                outcome.report.warnings.append(
                    "the build could not be recorded as the last build in \(config.paths.state): \(error)")
            }
        }
        return outcome
    }

    /// When the current version of the issue of `date` was built, as `briefd issues` says it; nil when unknown.
    private func publishedAt(_ date: Day) async -> String? {
        // Only words of a refusal depend on it: a database that cannot say leaves them out.
        let issues = try? await IssueStore(state).published()
        return issues?.first { $0.date == date.description }?.builtAt
    }

    private func publishedIssues() async throws(BuildError) -> PublishedIssues {
        do {
            return try await IssueStore(state).publishedIssues()
        } catch {
            throw BuildError(.state, "\(config.paths.state): \(error)")
        }
    }

    /// The issue as a build would make it now, rendered for the web and for email, nothing written (the desk's
    /// preview); `web` and `email` are nil when no draft is ready.
    public struct Preview: Sendable {
        public var report: BuildReport
        public var web: String?
        public var email: String?
    }

    public func preview(date: Day, account: Drafts? = nil) async throws(BuildError) -> Preview {
        let (assembled, report, templates) = try await assemble(
            date: date, published: try await publishedIssues(), account: account)
        guard let issue = assembled else { return Preview(report: report, web: nil, email: nil) }
        do {
            let email = try templates.render(.email, issue)
            var report = report
            report.email = DigestBuild.emailFindings(
                [("email.html", Array(email.utf8)), ("digest.txt", Array(try templates.render(.text, issue).utf8))],
                issue: issue)
            return Preview(report: report, web: try templates.render(.web, issue), email: email)
        } catch {
            throw BuildError(.templates, error.description)
        }
    }

    /// The account's standings for the issue of `date` and the issue assembled from the ready drafts.
    private func assemble(
        date: Day, published: PublishedIssues, account: Drafts?
    ) async throws(BuildError) -> (DigestIssue?, BuildReport, DigestTemplates) {
        let templates: DigestTemplates
        do {
            templates = try DigestTemplates(folder: config.paths.templates)
        } catch {
            throw BuildError(.templates, error.description)
        }
        let drafts: Drafts
        if let account {
            drafts = account
        } else {
            do {
                drafts = try await SavedAccount.computed(config: config, registry: registry, state: state, today: date)
            } catch {
                throw BuildError(.state, "\(config.paths.state): \(error)")
            }
        }
        let standings = DraftAccount.standings(
            of: drafts.facts, target: date, published: published.without(date),
            donationAppeal: config.digest.donationAppeal)
        var (assembled, report) = IssueAssembler(config: config, registry: registry)
            .assemble(date: date, drafts: drafts.drafts, standings: standings)
        let included = Set(report.included.map(\.path))
        for facts in drafts.facts where included.contains(facts.path) {
            report.unverifiedLinks += facts.unverifiedLinks
            report.unverifiedQuotes += facts.unverifiedQuotes
        }
        return (assembled, report, templates)
    }

    private func publish(_ issue: DigestIssue, report: BuildReport, templates: DigestTemplates, root: String)
        async throws(BuildError) -> Outcome
    {
        var report = report
        let issues = IssueStore(state)
        var files: [(name: String, bytes: [UInt8])]
        let entry: String
        var version = 0
        do {
            // Everything is rendered before anything is written: a template failing leaves the published issue as it was.
            files = [
                ("index.html", bytes(try templates.render(.web, issue))),
                ("email.html", bytes(try templates.render(.email, issue))),
                ("digest.txt", bytes(try templates.render(.text, issue))),
                ("digest.md", bytes(try templates.render(.markdown, issue))),
                ("build.json", DigestBuild.json(report)),
            ]
            entry = try templates.render(.feedEntry, issue)
        } catch {
            throw BuildError(.templates, error.description)
        }
        report.email = DigestBuild.emailFindings(files, issue: issue)
        // build.json is written with the email's findings in it.
        files = files.map { $0.name == "build.json" ? ("build.json", DigestBuild.json(report)) : $0 }
        FaultPoint.afterRender.reached()
        var queueProblem: String?
        try await failingAsBuildError {
            // The issue's captures go with it into the new version of its folder (they are not part of the
            // recorded version: the pages were captured once, when first published).
            let carried = try IssueArchiveFile.carried(from: root + "/" + issue.date)
            try AtomicOutput.publishFolder(root: root, name: issue.date, files: files + carried)
            FaultPoint.afterRename.reached()
            if config.archive.capture && root == config.paths.digests {
                // Queued before the issue is recorded (a build killed between the two is built again by its rerun,
                // and queueing is idempotent), not captured here: the daemon (or `briefd build` without one)
                // captures the pages, and a page that fails is tried again later; the build never fails for a
                // capture. An issue written elsewhere with `--out` is a trial, not published.
                do {
                    try await PreservationStore(state).enqueue(
                        issue: issue.date, links: CitedPages.of(issue), savePageNow: config.archive.savePageNow != nil,
                        now: Date().timeIntervalSince1970)
                } catch {
                    queueProblem = "\(error)"
                }
            }
            let items = publishedItems(issue)
            version = try await issues.record(
                IssueStore.Record(
                    date: issue.date, title: issue.title, itemCount: issue.itemCount, webURL: issue.webURL,
                    contentHTML: entry),
                items: items, files: files, builtAt: Date().timeIntervalSince1970)
            FaultPoint.afterRecord.reached()
            try await writeArchiveAndFeeds(root: root, issues: issues, templates: templates)
        }
        if let queueProblem {
            report.warnings.append(
                "the cited pages could not be queued for capture in \(config.paths.state): \(queueProblem)")
        }
        return Outcome(report: report, folder: root + "/" + issue.date, isEmpty: false, version: version)
    }

    /// Brings back `version` of the published issue of `date`: its files into the issue's folder (atomically), its
    /// record as the current one, and the archive and feeds rewritten.
    /// The files go first: should their writing fail, the record still names the version that is on disk.
    public func restore(date: Day, version: Int, root: String) async throws(BuildError) {
        let lock: WorkspaceLock
        do {
            lock = try await WorkspaceLock.acquire(
                statePath: config.paths.state, purpose: "the restore of the issue of \(date)",
                waitingAtMost: DigestBuild.lockWait)
        } catch {
            throw BuildError(.busy, "version \(version) of the issue of \(date) was not restored: \(error)")
        }
        defer { lock.release() }
        try await failingAsBuildError {
            let issues = IssueStore(state)
            let templates = try DigestTemplates(folder: config.paths.templates)
            let files = try await issues.files(of: date, version: version)
            let carried = try IssueArchiveFile.carried(from: root + "/" + date.description)
            try AtomicOutput.publishFolder(root: root, name: date.description, files: files + carried)
            try await issues.restore(date: date, version: version)
            try await writeArchiveAndFeeds(root: root, issues: issues, templates: templates)
        }
    }

    /// Runs `body`, each failure told as the build step it belongs to.
    private func failingAsBuildError(_ body: () async throws -> Void) async throws(BuildError) {
        do {
            try await body()
        } catch let problem as IssueStore.RestoreError {
            throw BuildError(.published, problem.description)
        } catch let problem as DigestTemplates.TemplateError {
            throw BuildError(.templates, problem.description)
        } catch let failure as AtomicOutput.WriteError {
            throw BuildError(.writing, failure.description, code: failure.code)
        } catch let failure as IssueArchiveFile.ArchiveError {
            throw BuildError(
                .writing,
                "the issue's preserved copies cannot be carried into its new version, so the published one is left as it is: \(failure)"
            )
        } catch {
            throw BuildError(.state, "\(config.paths.state): \(error)")
        }
    }

    /// The email checks on the rendered email and text version.
    static func emailFindings(_ files: [(name: String, bytes: [UInt8])], issue: DigestIssue) -> [EmailFinding] {
        let html = files.first { $0.name == "email.html" }?.bytes ?? []
        let text = String(decoding: files.first { $0.name == "digest.txt" }?.bytes ?? [], as: UTF8.self)
        return EmailChecks.check(html: html, text: text, itemURLs: CitedPages.of(issue).map(\.url))
    }

    private func publishedItems(_ issue: DigestIssue) -> [IssueStore.Item] {
        var items: [IssueStore.Item] = []
        func add(_ item: DigestItem, placement: String) {
            items.append(
                IssueStore.Item(
                    url: item.url, identity: WebAddress(item.url)?.identity ?? item.url, title: item.headline,
                    placement: placement, path: item.draftPath, source: item.source))
        }
        if let featured = issue.featured { add(featured, placement: "featured") }
        for section in issue.sections { section.items.forEach { add($0, placement: section.name) } }
        if let sponsor = issue.sponsor { add(sponsor, placement: "sponsor") }
        return items
    }

    /// Rewrites the archive page and the feeds from the recorded issues (after `briefd import`).
    public func refreshArchive(root: String) async throws(BuildError) {
        try await failingAsBuildError {
            let templates = try DigestTemplates(folder: config.paths.templates)
            try AtomicOutput.makeFolders(root)
            try await writeArchiveAndFeeds(root: root, issues: IssueStore(state), templates: templates)
        }
    }

    /// `index.html` (every issue, newest first), `feed.xml` (Atom 1.0) and `feed.json` (JSON Feed 1.1) at the
    /// top of the digests folder, from the record of published issues.

    private func writeArchiveAndFeeds(root: String, issues: IssueStore, templates: DigestTemplates) async throws {
        let all = try await issues.issues()
        let counts = try await issues.itemCounts()
        let entries = all.map { record in
            let count = counts[record.date] ?? ItemCount(items: record.itemCount, sponsors: 0)
            return FeedEntry(
                date: record.date, title: record.title, itemCount: count.items, countText: count.description,
                webURL: record.webURL, timestamp: record.date + "T00:00:00Z", contentHTML: record.contentHTML)
        }
        let settings = config.digest
        let archive = FeedContext(
            newsletter: config.newsletter.name, tagline: DigestText.smart(settings.tagline), siteURL: settings.siteURL,
            updated: entries.first?.timestamp ?? "1970-01-01T00:00:00Z", issues: entries)
        var feed = archive
        feed.issues = Array(entries.prefix(settings.feedIssues))
        let pages = [
            ("index.html", try templates.render(.archive, archive)), ("feed.xml", try templates.render(.atom, feed)),
            ("feed.json", try templates.render(.feedJSON, feed)),
        ]
        for (name, text) in pages { try AtomicOutput.writeFile(root + "/" + name, bytes(text)) }
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func json(_ report: BuildReport) -> [UInt8] {
        Array(JSONText.pretty(report).utf8)
    }
}

/// What the archive and feed templates see.
struct FeedContext: Sendable {
    var newsletter: String
    var tagline: String
    var siteURL: String
    var updated: String
    var issues: [FeedEntry]
}

struct FeedEntry: Sendable {
    var date: String
    var title: String
    var itemCount: Int
    /// "8 items, 1 of them a sponsor" (`ItemCount`).
    var countText: String
    var webURL: String
    var timestamp: String
    var contentHTML: String
}
