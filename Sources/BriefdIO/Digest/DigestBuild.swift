public import BriefdCore
import Foundation

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
    }

    /// Why a build failed, and at which step: a template to fix, the state database, or the writing of the files
    /// (with the system's error number, so that a full disk reads as one).
    public struct BuildError: Error, CustomStringConvertible {
        public enum Step: String, Sendable {
            case templates, state, writing
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

        public var isDiskFull: Bool { step == .writing && AtomicOutput.WriteError(description: "", code: code).isDiskFull }
    }

    /// The date `briefd build` picks without `--issue`: the next issue weekday on or after `today`.
    public func nextIssueDate(after today: Day) -> Day { config.digest.issueWeekday.next(onOrAfter: today) }

    /// - Parameters:
    ///   - root: the digests folder (`paths.digests` unless `--out`).
    ///   - dryRun: assemble and report only; nothing is written or recorded.
    public func run(date: Day, root: String, dryRun: Bool) async throws(BuildError) -> Outcome {
        let (assembled, report, templates) = try await assemble(date: date)
        guard let issue = assembled else { return Outcome(report: report, folder: nil, isEmpty: true) }
        if dryRun { return Outcome(report: report, folder: nil, isEmpty: false) }
        return try publish(issue, report: report, templates: templates, root: root)
    }

    /// The issue as a build would make it now, rendered for the web and for email, nothing written (the desk's
    /// preview); `web` and `email` are nil when no draft is ready.
    public struct Preview: Sendable {
        public var report: BuildReport
        public var web: String?
        public var email: String?
    }

    public func preview(date: Day) async throws(BuildError) -> Preview {
        let (assembled, report, templates) = try await assemble(date: date)
        guard let issue = assembled else { return Preview(report: report, web: nil, email: nil) }
        do {
            return Preview(report: report, web: try templates.render(.web, issue), email: try templates.render(.email, issue))
        } catch {
            throw BuildError(.templates, error.description)
        }
    }

    /// Checks the drafts (offline and cached) and assembles the issue of `date`.
    private func assemble(date: Day) async throws(BuildError) -> (DigestIssue?, BuildReport, DigestTemplates) {
        let templates: DigestTemplates
        do {
            templates = try DigestTemplates(folder: config.paths.templates)
        } catch {
            throw BuildError(.templates, error.description)
        }
        let checker = DraftChecker(config: config, registry: registry, today: date)
        let (reports, drafts) = CheckRun(checker: checker).runKeepingDrafts(paths: [config.paths.drafts])
        var errorsByPath: [String: [Finding]] = [:]
        for report in reports { errorsByPath[report.path] = report.findings.filter { $0.severity == .error } }
        // Paths in the report and the record are relative to the drafts folder, so that they read well and
        // a build does not depend on where the folder is.
        let prefix = config.paths.drafts.hasSuffix("/") ? config.paths.drafts : config.paths.drafts + "/"
        func relative(_ path: String) -> String { path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path }
        let parsed = Set(drafts.map(\.path))
        let unreadable = reports.filter { !parsed.contains($0.path) }.compactMap { report in
            report.findings.first.map { (path: relative(report.path), finding: $0) }
        }

        let issues = IssueStore(state)
        let earlier: [String: Day]
        do {
            earlier = try issues.publishedBefore(date)
            // The review as `briefd check --cached` makes it: the build sends no request, but a link the history
            // says is broken (recently enough to trust, by the cache ages), or a quote not in its page's kept
            // snapshot, keeps its draft out like any other error.
            let review = try await RunContext(config: config, registry: registry, state: state, links: nil)
                .review(drafts, mode: .cached)
            for (path, found) in review.findings {
                errorsByPath[path, default: []] += found.filter { $0.severity == .error }
            }
        } catch {
            throw BuildError(.state, "\(config.paths.state): \(error)")
        }
        let candidates = drafts.map { draft in
            var moved = draft
            moved.path = relative(draft.path)
            return IssueAssembler.Candidate(draft: moved, errors: errorsByPath[draft.path] ?? [])
        }
        let (assembled, report) = IssueAssembler(config: config, registry: registry)
            .assemble(date: date, candidates: candidates, unreadable: unreadable, publishedEarlier: earlier)
        return (assembled, report, templates)
    }

    private func publish(_ issue: DigestIssue, report: BuildReport, templates: DigestTemplates, root: String) throws(BuildError) -> Outcome {
        let issues = IssueStore(state)
        let files: [(name: String, bytes: [UInt8])]
        let entry: String
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
        do {
            try AtomicOutput.publishFolder(root: root, name: issue.date, files: files)
            let items = publishedItems(issue)
            try issues.record(
                IssueStore.Record(
                    date: issue.date, title: issue.title, itemCount: issue.itemCount, webURL: issue.webURL,
                    contentHTML: entry),
                items: items, files: files)
            try writeArchiveAndFeeds(root: root, issues: issues, templates: templates)
        } catch let problem as DigestTemplates.TemplateError {
            throw BuildError(.templates, problem.description)
        } catch let failure as AtomicOutput.WriteError {
            throw BuildError(.writing, failure.description, code: failure.code)
        } catch {
            throw BuildError(.state, "\(config.paths.state): \(error)")
        }
        return Outcome(report: report, folder: root + "/" + issue.date, isEmpty: false)
    }

    private func publishedItems(_ issue: DigestIssue) -> [IssueStore.Item] {
        var items: [IssueStore.Item] = []
        func add(_ item: DigestItem, placement: String) {
            items.append(IssueStore.Item(
                url: item.url, identity: WebAddress(item.url)?.identity ?? item.url, title: item.headline,
                placement: placement, path: item.draftPath, source: item.source))
        }
        if let featured = issue.featured { add(featured, placement: "featured") }
        for section in issue.sections { section.items.forEach { add($0, placement: section.name) } }
        if let sponsor = issue.sponsor { add(sponsor, placement: "sponsor") }
        return items
    }

    /// Rewrites the archive page and the feeds from the recorded issues (after `briefd import`).
    public func refreshArchive(root: String) throws(BuildError) {
        do {
            let templates = try DigestTemplates(folder: config.paths.templates)
            try AtomicOutput.makeFolders(root)
            try writeArchiveAndFeeds(root: root, issues: IssueStore(state), templates: templates)
        } catch let problem as DigestTemplates.TemplateError {
            throw BuildError(.templates, problem.description)
        } catch let failure as AtomicOutput.WriteError {
            throw BuildError(.writing, failure.description, code: failure.code)
        } catch {
            throw BuildError(.state, "\(config.paths.state): \(error)")
        }
    }

    /// `index.html` (every issue, newest first), `feed.xml` (Atom 1.0) and `feed.json` (JSON Feed 1.1) at the
    /// top of the digests folder, from the record of published issues.

    private func writeArchiveAndFeeds(root: String, issues: IssueStore, templates: DigestTemplates) throws {
        let all = try issues.issues()
        let entries = all.map { record in
            FeedEntry(
                date: record.date, title: record.title, itemCount: record.itemCount, webURL: record.webURL,
                timestamp: record.date + "T00:00:00Z", contentHTML: record.contentHTML)
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
    var webURL: String
    var timestamp: String
    var contentHTML: String
}
