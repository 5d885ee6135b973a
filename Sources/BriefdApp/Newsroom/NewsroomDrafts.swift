public import BriefdCore
import BriefdIO
import Foundation

/// A draft as an editor sees it on the desk: its text, its findings as its report has them, its links' verdicts;
/// and a fix applied at the editor's request only, atomically, only to the text she saw.
extension Newsroom {
    /// A draft's file as read now, with the hash a fix must match.
    public struct DraftText: Sendable {
        public var relative: String
        public var bytes: [UInt8]
        public var hash: String
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// The draft at `segments` (its path's parts under the drafts folder); nil when no such draft can be named
    /// (outside the folder, not a draft's name), `.failure` when it cannot be read as one.
    public func draftText(_ segments: [String]) -> Result<DraftText, DraftUnreadable>? {
        let root = config.paths.drafts
        guard let file = DraftFiles.fileNamed(segments, root: root) else { return nil }
        let relative = segments.joined(separator: "/")
        guard case .read(_, let bytes) = DraftFiles.read(file, root: root, maxBytes: config.checks.maxDraftBytes) else {
            return .failure(DraftUnreadable(relative: relative))
        }
        return .success(DraftText(relative: relative, bytes: bytes, hash: ContentHash.sha256Hex(bytes)))
    }

    public struct DraftUnreadable: Error, Sendable {
        public var relative: String
    }

    /// The draft's findings as its report has them (links and quotes included); the offline ones when no report
    /// was written yet.
    public func findings(of draft: DraftText) async -> [Finding] {
        if let known = await drafts.findings(of: draft.relative) { return known }
        let workspace = holder.workspace
        return DraftChecker(config: workspace.config, registry: workspace.registry, today: LocalCalendar.today())
            .check(path: config.paths.drafts + "/" + draft.relative, bytes: draft.bytes).report.findings
    }

    /// The draft as parsed (nil when it is not one).
    public func parsed(_ draft: DraftText) -> Draft? {
        DraftParser.parse(path: config.paths.drafts + "/" + draft.relative, bytes: draft.bytes).draft
    }

    /// The history's last verdict of each link (absent: not checked yet).
    public func linkVerdicts(_ urls: [String]) async throws -> [String: LinkResult] {
        try await LinkStore(state).latest(of: urls)
    }

    /// What became of a fix asked for.
    public enum FixOutcome: Sendable {
        case applied(title: String)
        /// The draft is no longer the text the editor saw: nothing was written.
        case changed
        /// No fix of that key is offered for the draft now.
        case noSuchFix
        case unreadable
        case failed(String)
    }

    /// Which fix a key names: stable for one text of the draft, so that a request finds the same fix again.
    public static func fixKey(_ finding: Finding, _ number: Int) -> String {
        "\(finding.rule.id)@\(finding.position.line):\(finding.position.column)#\(number)"
    }

    /// The fix `key` written into the draft, atomically, only while the draft is the text of `hash`.
    public func applyFix(_ segments: [String], key: String, hash: String) async -> FixOutcome? {
        guard let read = draftText(segments) else { return nil }
        guard case .success(let draft) = read else { return .unreadable }
        guard hash == draft.hash else { return .changed }
        let chosen = await findings(of: draft).lazy.flatMap { finding in
            finding.fixes.enumerated().map { (Newsroom.fixKey(finding, $0), $1) }
        }.first { $0.0 == key }?.1
        guard let chosen else { return .noSuchFix }
        do {
            let new = try FixApplier.apply([chosen], to: draft.bytes)
            let file = config.paths.drafts + "/" + draft.relative
            guard try AtomicOutput.replaceFile(file, new, expected: draft.bytes) else { return .changed }
        } catch {
            logger.error("a fix could not be applied", metadata: ["draft": "\(draft.relative)", "error": "\(error)"])
            return .failed("\(error)")
        }
        logger.notice("a fix was applied", metadata: ["draft": "\(draft.relative)", "fix": "\(chosen.title)"])
        return .applied(title: chosen.title)
    }

    /// A new draft from the page at `url` (`briefd clip`); the path written, relative to the drafts folder.
    public func clip(_ url: String, section: String?, featured: Bool) async throws -> String? {
        let outcome = try await context.clip(
            url, page: .web, section: section, issue: nil, featured: featured, write: true,
            today: LocalCalendar.today())
        guard let path = outcome.path else { return nil }
        let root = config.paths.drafts + "/"
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }
}
