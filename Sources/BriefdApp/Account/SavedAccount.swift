public import BriefdIO
public import BriefdCore
import Foundation

/// The drafts' account as a command finds it: the running daemon's, as it saved it (so that `briefd status`,
/// `briefd build --dry-run` and `briefd build` say what the desk says), or, with no daemon, computed the same way.
public enum SavedAccount {
    /// Where an account came from, for the command to say.
    public enum Source: String, Sendable {
        case daemon, computed
    }

    /// The drafts a build takes: the daemon's facts when `daemonRuns`, else computed from the files.
    /// - Parameter parsing: parse the daemon's drafts from their files too (a build needs them; `status` reads the
    ///   facts alone and skips reading every file).
    public static func drafts(
        config: Config, registry: Registry, state: StateDatabase, daemonRuns: Bool, today: Day, parsing: Bool = true
    ) async throws -> (DigestBuild.Drafts, Source) {
        guard daemonRuns else {
            return (try await computed(config: config, registry: registry, state: state, today: today), .computed)
        }
        let records = try await DaemonStore(state).drafts()
        let root = config.paths.drafts
        var facts: [DraftFacts] = []
        var checked: [ReadyDrafts.Checked] = []
        var findings: [String: [Finding]] = [:]
        for (path, record) in records {
            let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
            findings[relative] = (record.findings ?? []) + (record.reviewFindings ?? [])
            guard let known = record.facts else {
                facts.append(DraftFacts(path: relative, review: .pending))
                continue
            }
            facts.append(known)
            // The build decides which of them are ready for its issue; every readable one is offered.
            if known.unreadable == nil {
                checked.append(ReadyDrafts.Checked(relative: relative, sha256: record.sha256))
            }
        }
        let drafts =
            parsing
            ? ReadyDrafts.load(
                checked, root: root, checker: DraftChecker(config: config, registry: registry, today: today),
                maxBytes: config.checks.maxDraftBytes) : []
        return (DigestBuild.Drafts(drafts: drafts, facts: facts, findings: findings), .daemon)
    }

    /// The account of the drafts as a command computes it without a daemon: each draft checked offline, its links
    /// and quotes as the history knows them (`briefd check --cached`: no request is sent).
    public static func computed(config: Config, registry: Registry, state: StateDatabase, today: Day) async throws
        -> DigestBuild.Drafts
    {
        let checker = DraftChecker(config: config, registry: registry, today: today)
        let (reports, drafts) = CheckRun(checker: checker).runKeepingDrafts(
            paths: [config.paths.drafts], namingFrom: config.paths.drafts)
        // Paths in the report and the record are relative to the drafts folder, so that they read well and
        // a build does not depend on where the folder is.
        let prefix = config.paths.drafts.hasSuffix("/") ? config.paths.drafts : config.paths.drafts + "/"
        func relative(_ path: String) -> String { path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path }
        var findings: [String: [Finding]] = [:]
        for report in reports { findings[report.path] = report.findings }
        let review = try await RunContext(config: config, registry: registry, state: state, links: nil)
            .review(drafts, mode: .cached)
        for (path, found) in review.findings { findings[path, default: []] += found }
        let parsed = Set(drafts.map(\.path))
        var facts = drafts.map { draft in
            DraftFacts(draft: draft, path: relative(draft.path), findings: findings[draft.path] ?? [], review: .done)
        }
        for report in reports where !parsed.contains(report.path) {
            if let first = report.findings.first {
                facts.append(DraftFacts(unreadablePath: relative(report.path), finding: first))
            }
        }
        let moved = drafts.map { draft in
            var moved = draft
            moved.path = relative(draft.path)
            return moved
        }
        var relativeFindings: [String: [Finding]] = [:]
        for (path, found) in findings { relativeFindings[relative(path)] = found }
        return DigestBuild.Drafts(drafts: moved, facts: facts, findings: relativeFindings)
    }

    /// Every draft's standing for the coming issue (or `target`), from those drafts.
    public static func standings(
        _ drafts: DigestBuild.Drafts, config: Config, published: PublishedIssues, target: Day
    ) -> [AccountDocuments.DraftEntry] {
        let standings = DraftAccount.standings(
            of: drafts.facts, target: target, published: published, donationAppeal: config.digest.donationAppeal)
        return drafts.facts.sorted { $0.path < $1.path }.compactMap { facts in
            standings[facts.path].map { AccountDocuments.DraftEntry(facts: facts, standing: $0) }
        }
    }
}
