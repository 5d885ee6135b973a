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
        let build = DigestBuild(config: config, registry: registry, state: state)
        guard daemonRuns else { return (try await build.account(today: today), .computed) }
        let records = try await DaemonStore(state).drafts()
        let checker = DraftChecker(config: config, registry: registry, today: today)
        let root = config.paths.drafts
        var facts: [DraftFacts] = []
        var drafts: [Draft] = []
        var findings: [String: [Finding]] = [:]
        for (path, record) in records {
            let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
            findings[relative] = (record.findings ?? []) + (record.reviewFindings ?? [])
            guard let known = record.facts else {
                facts.append(DraftFacts(path: relative, review: .pending))
                continue
            }
            facts.append(known)
            guard parsing else { continue }
            // Only a draft whose file is still the content the daemon checked is taken.
            guard known.unreadable == nil,
                case .read(_, let bytes) = DraftFiles.read(path, root: root, maxBytes: config.checks.maxDraftBytes),
                ContentHash.sha256Hex(bytes) == record.sha256, var draft = checker.check(path: path, bytes: bytes).draft
            else { continue }
            draft.path = relative
            drafts.append(draft)
        }
        return (DigestBuild.Drafts(drafts: drafts, facts: facts, findings: findings), .daemon)
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
