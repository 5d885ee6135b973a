import BriefdIO
public import BriefdCore
import Foundation
import Glibc

/// A draft checked as an editor types it, for `briefd lsp`: the checks of `briefd check --offline` on the text as
/// it stands in the editor (saved or not), the findings that need the other drafts of the folder, and what the
/// state database last learnt about the draft's links and quotes, each with its age. Nothing here makes a request:
/// keystrokes never fetch pages; the daemon (or `briefd check`) does that, and its verdicts show up here.
///
/// The config and the registry are read again when their files change, so an entry added to `sources.yml` clears a
/// finding at the next keystroke.
public actor EditorChecks {
    /// What an editor is told about the workspace itself: loaded, reloaded, or not loadable (with the reason).
    public enum WorkspaceNews: Sendable, Equatable {
        case loaded(String)
        case reloaded(String)
        case failed(String)
    }

    private let configPath: String
    private var workspace: Workspace?
    private var stamps: [String: FileStamp] = [:]
    private var failure: String?
    private var state: StateDatabase?
    private var stateProblem: String?
    /// The other drafts' contribution to the duplicate checks, refreshed from the folder at most every few seconds.
    private var folderBriefs: [String: (stamp: FileStamp, brief: CitedBrief?)] = [:]
    private var folderReadAt: Double = -.infinity
    private var stateStamps: [FileStamp]?
    private let clock: @Sendable () -> Double

    /// - Parameter clock: seconds since 1970 now (the ages in messages); the system's clock unless a test sets it.
    public init(configPath: String?, clock: (@Sendable () -> Double)? = nil) {
        self.configPath = Workspace.absolute(Workspace.configPath(configPath))
        self.clock = clock ?? { Date().timeIntervalSince1970 }
    }

    /// Loads the workspace the first time, and again when the config or the registry changed on disk. Nil when
    /// nothing changed.
    public func refresh() -> WorkspaceNews? {
        let wasLoaded = workspace != nil || failure != nil
        if wasLoaded, !stamps.isEmpty, stamps.allSatisfy({ FileStamp(of: $0.key) == $0.value }) { return nil }
        do {
            let loaded = try Workspace.load(configPath: configPath)
            let changedState = workspace?.config.paths.state != loaded.config.paths.state
            workspace = loaded
            failure = nil
            stamps = [
                configPath: FileStamp(of: configPath),
                loaded.config.registryPath: FileStamp(of: loaded.config.registryPath),
            ]
            if changedState {
                state = nil
                stateProblem = nil
            }
            folderReadAt = -.infinity
            let summary =
                "briefd: \(configPath) and its registry (\(loaded.registry.people.count) people, "
                + "\(loaded.registry.publications.count) publications)"
            return wasLoaded ? .reloaded(summary) : .loaded(summary)
        } catch {
            // Watched again: the file named in the error, and the config, so that mending either is noticed.
            stamps = [configPath: FileStamp(of: configPath), error.path: FileStamp(of: error.path)]
            let message = "briefd: \(error)"
            let isNew = failure != message
            failure = message
            return isNew ? .failed(message) : nil
        }
    }

    /// The findings of the draft at `path` whose text in the editor is `bytes`, in reading order, against the
    /// workspace as last loaded. Empty when it could not be loaded.
    ///
    /// - Important: call `refresh` first (the server does, before every round of checks): a reload here would be
    ///   news nobody hears, and the other open drafts would keep findings of the old registry.
    public func check(path: String, bytes: [UInt8]) async -> [Finding] {
        guard let workspace else { return [] }
        let checker = DraftChecker(config: workspace.config, registry: workspace.registry, today: LocalCalendar.today())
        let checked = checker.check(path: path, bytes: bytes)
        var findings = checked.report.findings
        guard let draft = checked.draft else { return findings.inReadingOrder() }
        findings += crossDraftFindings(draft, config: workspace.config)
        findings += await knownVerdicts(draft, workspace: workspace)
        return findings.inReadingOrder()
    }

    /// Markdown for the cursor at byte `offset` of `line` in the draft at `path`: a name's registry entry, or a
    /// link's latest verdict, status, final address and archived copies. Nil when the cursor rests on neither.
    public func hover(line: String, offset: Int) async -> String? {
        guard let workspace else { return nil }
        if let url = EditorHover.address(at: offset, inLine: line) {
            return await linkHover(url, workspace: workspace)
        }
        return EditorHover.entry(at: offset, inLine: line, registry: workspace.registry).map {
            EditorHover.markdown($0, registryPath: workspace.config.registryPath)
        }
    }

    /// Where the registry defines the person or publication called exactly `name`: for an editor's "go to".
    public func registryEntry(named name: String) -> (path: String, line: Int)? {
        guard let workspace else { return nil }
        let registry = workspace.registry
        let line =
            registry.people.first { $0.name == name }?.position.line
            ?? registry.publications.first { $0.name == name }?.position.line
        return line.map { (workspace.config.registryPath, $0) }
    }

    /// Where a ready entry goes in the registry file as it is on disk: its path, its text, and the insertion
    /// (`RegistryInsertion`). Nil when the registry cannot be read now or lists that kind in flow style.
    public func registryAddition(_ entry: String, to list: RegistryInsertion.List) -> (
        path: String, text: String, offset: Int, insert: String
    )? {
        guard let workspace else { return nil }
        let path = workspace.config.registryPath
        let text: String
        do {
            text = try TextFile.read(path)
        } catch {
            return nil  // no fix offered; the finding and its suggestion stand, and the next refresh says why
        }
        guard let insertion = RegistryInsertion.insertion(of: entry, into: list, registry: text) else { return nil }
        return (path, text, insertion.offset, insertion.text)
    }

    /// True when the state database was written since the last call (the daemon checked a link, kept a page):
    /// the open drafts' verdicts are read again.
    public func verdictsChanged() -> Bool {
        guard let workspace, let seen = stateStamps else { return false }
        let now = Self.stamps(ofState: workspace.config.paths.state)
        guard now != seen else { return false }
        stateStamps = now
        return true
    }

    /// The state database's and its WAL's stamps: a write to either changes them.
    static func stamps(ofState path: String) -> [FileStamp] { [FileStamp(of: path), FileStamp(of: path + "-wal")] }

    // MARK: - The other drafts

    private func crossDraftFindings(_ draft: Draft, config: Config) -> [Finding] {
        let folder = config.paths.drafts
        let now = clock()
        if now - folderReadAt > 2 {
            folderReadAt = now
            var seen: [String: (stamp: FileStamp, brief: CitedBrief?)] = [:]
            for (path, root) in DraftFiles.find([folder]) {
                let stamp = FileStamp(of: path)
                if let known = folderBriefs[path], known.stamp == stamp {
                    seen[path] = known
                    continue
                }
                guard
                    case .read(_, let bytes) = DraftFiles.read(path, root: root, maxBytes: config.checks.maxDraftBytes)
                else { continue }
                seen[path] = (stamp, DraftParser.parse(path: path, bytes: bytes).draft.flatMap(CitedBrief.init))
            }
            folderBriefs = seen
        }
        // The draft as typed stands in for its saved copy.
        var briefs = folderBriefs.filter { $0.key != draft.path }.compactMap(\.value.brief)
        if let brief = CitedBrief(draft) { briefs.append(brief) }
        return DraftChecker.crossDraftFindings(briefs, folder: folder)[draft.path] ?? []
    }

    // MARK: - What the network said last

    /// The state database, opened when it exists (never created here: an editor on a fresh checkout has none).
    private func stateDatabase(_ config: Config) -> StateDatabase? {
        if let state { return state }
        guard stateProblem == nil, access(config.paths.state, F_OK) == 0 else { return nil }
        do {
            state = try StateDatabase(path: config.paths.state)
        } catch {
            stateProblem = "\(error)"
        }
        return state
    }

    /// The link and quote findings from the latest recorded link checks and kept pages, whatever their age, each
    /// message ending with when it was learnt; a link never checked is said to be unchecked.
    private func knownVerdicts(_ draft: Draft, workspace: Workspace) async -> [Finding] {
        let links = LinkExtractor.links(in: draft)
        let quoteSources = Array(Set(QuoteCheck.quotes(in: draft).map(\.url)))
        guard !links.isEmpty || !quoteSources.isEmpty else { return [] }
        guard let state = stateDatabase(workspace.config) else {
            let why =
                stateProblem.map { "the state database cannot be read (\($0))" }
                ?? "no check of it is recorded yet (no state database at \(workspace.config.paths.state)); `briefd check` checks it now"
            return LinkFindings.findings(path: draft.path, links: links, results: [:], unknownBecause: why)
                + QuoteCheck.notCompared(in: draft, snapshots: [:], because: why)
        }
        let results: [String: LinkResult]
        let snapshots: [String: PageSnapshot]
        let archived: [String: String]
        // Taken before reading: a verdict written from now on shows as a change (`verdictsChanged`), even one
        // written while this read runs (then the draft is read once more, which is harmless).
        stateStamps = Self.stamps(ofState: workspace.config.paths.state)
        do {
            results = try await LinkStore(state).latest(of: links.map(\.url))
            snapshots = try await PageStore(state).latest(quoteSources)
            archived = try await PreservationStore(state).snapshots(of: links.map(\.url)).compactMapValues(\.snapshot)
        } catch {
            let why = "the state database cannot be read (\(error))"
            return LinkFindings.findings(path: draft.path, links: links, results: [:], unknownBecause: why)
                + QuoteCheck.notCompared(in: draft, snapshots: [:], because: why)
        }
        let now = clock()
        var findings: [Finding] = []
        for link in links {
            let found = LinkFindings.findings(
                path: draft.path, links: [link], results: results,
                unknownBecause:
                    "no check of it is recorded yet; the daemon checks it when the draft is saved in the drafts folder, `briefd check` at once",
                source: draft.source, archived: archived)
            let age = results[link.url].map { " (link checked \(ElapsedTime.phrase(since: $0.checkedAt, now: now)))" }
            findings += found.map { finding in
                var finding = finding
                if let age { finding.message += age }
                finding.end = finding.end ?? Self.end(of: link.url, from: finding.position, in: draft.source)
                return finding
            }
        }
        let registry = workspace.registry
        let paywalled: (String) -> Bool = { url in
            WebAddress(url).flatMap { registry.publication(forHost: $0.host) }?.paywall ?? false
        }
        let unreadable = QuoteRun.unreadable(results)
        for (url, snapshot) in snapshots where !unreadable.contains(url) {
            let age = " (page kept \(ElapsedTime.phrase(since: snapshot.fetchedAt, now: now)))"
            findings += QuoteCheck.findings(for: draft, snapshots: [url: snapshot], paywalled: paywalled).map {
                var finding = $0
                finding.message += age
                return finding
            }
        }
        // A quote of a page whose link failed is not compared: the link's finding says enough.
        var accountedFor = snapshots
        for url in unreadable where accountedFor[url] == nil {
            accountedFor[url] = PageSnapshot(
                url: url, fetchedAt: 0, status: nil, text: nil, published: nil, problem: nil)
        }
        findings += QuoteCheck.notCompared(
            in: draft, snapshots: accountedFor,
            because:
                "no copy of the page is kept yet; the daemon keeps one when it checks the link, `briefd check` at once")
        return findings
    }

    /// Where `url`, written at or after `position` on its line, ends: a link's finding marks the link to its address's
    /// end, not just its first word.
    static func end(of url: String, from position: SourcePosition, in source: SourceText) -> SourcePosition? {
        let start = source.byteOffset(line: position.line, scalarColumn: position.column)
        let lineEnd = source.byteOffset(line: position.line + 1, scalarColumn: 1)
        let needle = Array(url.utf8)
        guard !needle.isEmpty, lineEnd - start >= needle.count else { return nil }
        for at in start...(lineEnd - needle.count) where source.bytes[at..<(at + needle.count)].elementsEqual(needle) {
            return source.position(ofByte: at + needle.count)
        }
        return nil
    }

    private func linkHover(_ url: String, workspace: Workspace) async -> String {
        var lines = ["**\(url)**"]
        guard let state = stateDatabase(workspace.config) else {
            lines.append("- Not checked yet: no state database at \(workspace.config.paths.state)")
            return lines.joined(separator: "\n")
        }
        do {
            let result = try await LinkStore(state).latest(of: [url])[url]
            let snapshot = try await PreservationStore(state).snapshots(of: [url])[url]?.snapshot
            let copy = try await PreservationStore(state).goodCopies(of: [url])[url]
            if let result {
                let status = result.status.map { ", HTTP \($0)" } ?? ""
                let problem = LinkProblem.sentence(status: result.status, error: result.error).map { ": \($0)" } ?? ""
                lines.append(
                    "- \(result.verdict.rawValue)\(status)\(problem); checked \(ElapsedTime.phrase(since: result.checkedAt, now: clock()))"
                )
                if let final = result.finalURL, final != url { lines.append("- Ends at \(final)") }
            } else {
                lines.append("- Not checked yet")
            }
            if let snapshot { lines.append("- Archived copy: \(snapshot)") }
            if let copy { lines.append("- Kept in the WARC of the issue of \(copy.issueDate)") }
        } catch {
            lines.append("- The state database cannot be read: \(error)")
        }
        return lines.joined(separator: "\n")
    }
}

/// What identifies a file's content cheaply: a change of any of these means the file was written.
struct FileStamp: Equatable, Sendable {
    var inode: UInt
    var size: Int
    var modified: Double

    init(of path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            self.init(inode: 0, size: -1, modified: 0)
            return
        }
        self.init(
            inode: UInt(status.st_ino), size: Int(status.st_size),
            modified: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9)
    }

    init(inode: UInt, size: Int, modified: Double) {
        self.inode = inode
        self.size = size
        self.modified = modified
    }
}
