public import BriefdCore
import Foundation
public import Logging

/// The daemon's desk: checks each draft when it changes and keeps its report beside the others in the
/// reports folder, with an index of every draft's status. Never writes to the drafts folder.
///
/// Reports mirror the draft's path: `drafts/sub/a.md` → `reports/sub/a.report.txt` and `.report.json`.
/// An unchanged draft (same size, modification time, or same content hash) is not checked again, also
/// across restarts (the state database remembers).
public actor DraftDesk {
    private var workspace: Workspace
    private var checker: DraftChecker
    private let store: DaemonStore
    private let logger: Logger
    private let networkCheck: (@Sendable (Draft) async -> [Finding])?

    private var records: [String: DaemonStore.DraftRecord] = [:]
    private var ownFindings: [String: [Finding]] = [:]
    /// Link and quote findings, which arrive after the offline report.
    private var linkFindings: [String: [Finding]] = [:]
    private var kinds: [String: DraftKind] = [:]
    private var briefs: [String: CitedBrief] = [:]
    private var groups: [String: Set<String>] = [:]
    private var pendingSaves: [String: DaemonStore.DraftRecord] = [:]
    private var pendingRemovals: Set<String> = []
    private var indexDirty = false
    private var indexWritten = Date.distantPast
    private var lastChange = Date.distantPast
    /// Reports and index could not be written (a full disk, a read-only folder); retried at the next flush.
    private var unwritten: Set<String> = []
    /// Report folders known to exist, so that a burst does not ask the file system again for each draft.
    private var madeFolders: Set<String> = []

    /// - Parameter networkCheck: the link and quote findings of a draft (nil for `--offline`).
    public init(
        workspace: Workspace, store: DaemonStore, logger: Logger, networkCheck: (@Sendable (Draft) async -> [Finding])?
    ) throws {
        self.workspace = workspace
        self.checker = DraftChecker(config: workspace.config, registry: workspace.registry, today: SystemClock.today())
        self.store = store
        self.logger = logger
        self.networkCheck = networkCheck
        self.records = try store.drafts()
        // Unchanged drafts are not parsed again after a restart; what the duplicate check needs is remembered.
        for (path, record) in records {
            if let brief = record.brief {
                briefs[path] = brief
                groups[brief.identity, default: []].insert(path)
            }
        }
    }

    private var draftsRoot: String { workspace.config.paths.drafts }
    private var reportsRoot: String { workspace.config.paths.reports }

    public struct Counts: Sendable, Equatable {
        public var ready = 0
        public var needsWork = 0
        public var unreadable = 0
    }

    public var counts: Counts {
        var counts = Counts()
        for record in records.values {
            switch record.status {
            case DraftStatus.ready.rawValue: counts.ready += 1
            case DraftStatus.unreadable.rawValue: counts.unreadable += 1
            default: counts.needsWork += 1
            }
        }
        return counts
    }

    // MARK: - Events

    /// Compares every draft on disk with what is remembered: checks new and changed drafts, forgets drafts
    /// that are gone. `force` checks every draft again (after a reload of the config or registry).
    public func scanAll(reason: String, force: Bool = false) async {
        let started = Date()
        guard access(draftsRoot, F_OK) == 0 else {
            logger.warning("the drafts folder is missing; waiting for it to come back", metadata: ["folder": "\(draftsRoot)"])
            return
        }
        if force { checker = DraftChecker(config: workspace.config, registry: workspace.registry, today: SystemClock.today()) }
        let found = DraftFiles.find([draftsRoot]).map(\.path).filter { DraftWatcher.isDraftName(($0 as NSString).lastPathComponent) }
        let present = Set(found)
        for path in records.keys where !present.contains(path) { forget(path) }
        var checked = 0
        for path in found where await check(path, force: force) { checked += 1 }
        flush()
        logger.info(
            "scan finished", metadata: [
                "reason": "\(reason)", "drafts": "\(found.count)", "checked": "\(checked)",
                "ms": "\(Int(Date().timeIntervalSince(started) * 1000))",
            ])
    }

    /// A draft was written or moved in.
    public func changed(_ path: String) async {
        _ = await check(path, force: false)
    }

    /// A draft was deleted or moved away: its reports go too.
    public func removed(_ path: String) {
        forget(path)
    }

    /// A folder was deleted or moved away: forget every draft under it.
    public func folderRemoved(_ folder: String) {
        for path in records.keys where path.hasPrefix(folder + "/") { forget(path) }
    }

    /// A new config and registry: every draft is checked again against them.
    public func reload(_ workspace: Workspace) async {
        self.workspace = workspace
        await scanAll(reason: "reload", force: true)
    }

    // MARK: - Checking

    /// Checks `path` unless it is unchanged; true when it was checked.
    private func check(_ path: String, force: Bool) async -> Bool {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            forget(path)
            return false
        }
        let size = Int(status.st_size)
        let mtime = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
        if !force, let record = records[path], record.size == size, record.mtime == mtime {
            return false
        }
        let bytes: [UInt8]
        var hash: String
        switch DraftFiles.read(path, root: draftsRoot, maxBytes: workspace.config.checks.maxDraftBytes) {
        case .refused(_, let reason):
            hash = "refused"
            apply(path: path, size: size, mtime: mtime, hash: hash, kind: nil, brief: nil,
                findings: [Finding(.draftUnreadable, at: SourcePosition(line: 1, column: 1), reason)])
            return true
        case .read(_, let read):
            bytes = read
            hash = SHA256.hex(bytes)
        }
        // Same content (touched, or copied back): keep the report, remember the new size and time.
        if !force, let record = records[path], record.sha256 == hash {
            var updated = record
            updated.size = size
            updated.mtime = mtime
            records[path] = updated
            pendingSaves[path] = updated
            return false
        }
        let (draft, report) = checker.check(path: path, bytes: bytes)
        apply(path: path, size: size, mtime: mtime, hash: hash, kind: report.kind, brief: draft.flatMap(CitedBrief.init),
            findings: report.findings)
        if let networkCheck, let draft {
            Task {
                let found = await networkCheck(draft)
                self.attachNetworkFindings(path: path, hash: hash, findings: found)
            }
        }
        return true
    }

    /// The findings of a draft not held in memory (unchanged since a restart), when another draft's change
    /// means its report must be written again.
    private func recheckQuietly(_ path: String) {
        guard case .read(_, let bytes) = DraftFiles.read(path, root: draftsRoot, maxBytes: workspace.config.checks.maxDraftBytes)
        else { return }
        let (_, report) = checker.check(path: path, bytes: bytes)
        ownFindings[path] = report.findings
        kinds[path] = report.kind
    }

    private func attachNetworkFindings(path: String, hash: String, findings: [Finding]) {
        guard records[path]?.sha256 == hash, !findings.isEmpty else { return }  // Changed meanwhile: its own run follows.
        linkFindings[path] = findings
        writeReport(path)
    }

    private func apply(
        path: String, size: Int, mtime: Double, hash: String, kind: DraftKind?, brief: CitedBrief?, findings: [Finding]
    ) {
        ownFindings[path] = findings
        linkFindings[path] = nil
        kinds[path] = kind
        let affected = regroup(path, brief)
        let record = DaemonStore.DraftRecord(
            path: path, size: size, mtime: mtime, sha256: hash, status: "", errors: 0, warnings: 0,
            checkedAt: Date().timeIntervalSince1970, brief: brief)
        records[path] = record
        writeReport(path)
        for other in affected where other != path { writeReport(other) }
    }

    /// Moves `path` to the group of its new URL identity; returns every path whose duplicate findings may change.
    private func regroup(_ path: String, _ brief: CitedBrief?) -> Set<String> {
        var affected: Set<String> = [path]
        if let old = briefs[path] {
            groups[old.identity]?.remove(path)
            affected.formUnion(groups[old.identity] ?? [])
            if groups[old.identity]?.isEmpty == true { groups[old.identity] = nil }
        }
        briefs[path] = brief
        if let brief {
            affected.formUnion(groups[brief.identity] ?? [])
            groups[brief.identity, default: []].insert(path)
        }
        return affected
    }

    private func crossFindings(_ path: String) -> [Finding] {
        guard let brief = briefs[path], let group = groups[brief.identity], group.count > 1 else { return [] }
        return DraftChecker.crossDraftFindings(group.compactMap { briefs[$0] })[path] ?? []
    }

    private func forget(_ path: String) {
        guard records[path] != nil || ownFindings[path] != nil else { return }
        let affected = regroup(path, nil)
        records[path] = nil
        ownFindings[path] = nil
        linkFindings[path] = nil
        kinds[path] = nil
        pendingSaves[path] = nil
        pendingRemovals.insert(path)
        let (text, json) = reportPaths(path)
        AtomicOutput.remove(text)
        AtomicOutput.remove(json)
        madeFolders.removeAll()  // A folder of reports may go with its drafts.
        for other in affected where other != path && records[other] != nil { writeReport(other) }
        indexDirty = true
    }

    // MARK: - Writing

    func relative(_ path: String) -> String {
        path.hasPrefix(draftsRoot + "/") ? String(path.dropFirst(draftsRoot.count + 1)) : path
    }

    private func reportPaths(_ path: String) -> (text: String, json: String) {
        var stem = relative(path)
        if stem.hasSuffix(".md") { stem.removeLast(3) }
        return (reportsRoot + "/" + stem + ".report.txt", reportsRoot + "/" + stem + ".report.json")
    }

    /// Writes the draft's report (its own findings, those across drafts, link findings) and updates its record.
    private func writeReport(_ path: String) {
        if ownFindings[path] == nil, records[path] != nil { recheckQuietly(path) }
        guard var record = records[path], let own = ownFindings[path] else { return }
        let findings = (own + crossFindings(path) + (linkFindings[path] ?? [])).inReadingOrder()
        let report = DraftReport(path: relative(path), kind: kinds[path] ?? nil, findings: findings)
        record.status = DraftStatus.of(report).rawValue
        record.errors = report.errorCount
        record.warnings = report.warningCount
        records[path] = record
        pendingSaves[path] = record
        pendingRemovals.remove(path)
        indexDirty = true
        lastChange = Date()
        let (text, json) = reportPaths(path)
        do {
            let folder = String(text[..<text.lastIndex(of: "/")!])
            if !madeFolders.contains(folder) {
                try AtomicOutput.makeFolders(folder)
                madeFolders.insert(folder)
            }
            try AtomicOutput.writeFile(text, Array(ReportFormatter.text([report]).utf8), durable: false)
            try AtomicOutput.writeFile(json, Array(ReportFormatter.json(report).utf8), durable: false)
            unwritten.remove(path)
        } catch {
            if unwritten.insert(path).inserted {
                logger.error("cannot write a report; will retry", metadata: ["draft": "\(relative(path))", "error": "\(error)"])
            }
        }
    }

    /// Saves remembered state, retries reports that could not be written, rewrites the index if anything
    /// changed. Called every few hundred milliseconds; during a burst of changes the index (every draft, so
    /// costly with thousands) is rewritten at most once a second, and at once when the burst is over.
    public func flush(force: Bool = true) {
        for path in unwritten { writeReport(path) }
        do {
            try store.update(saving: Array(pendingSaves.values), removing: Array(pendingRemovals))
            pendingSaves.removeAll()
            pendingRemovals.removeAll()
        } catch {
            logger.error("cannot save draft state; will retry", metadata: ["error": "\(error)"])
        }
        guard indexDirty else { return }
        let now = Date()
        if !force && now.timeIntervalSince(lastChange) < 0.1 && now.timeIntervalSince(indexWritten) < 1 { return }
        indexWritten = now
        let entries = records.values.map { record in
            DraftIndex.Entry(
                path: relative(record.path), status: DraftStatus(rawValue: record.status) ?? .needsWork, errors: record.errors,
                warnings: record.warnings, modified: record.mtime, report: reportPaths(record.path).text.dropFirst(reportsRoot.count + 1).description)
        }
        do {
            try AtomicOutput.makeFolders(reportsRoot)
            // JSON first: a reader that sees the new INDEX.md finds the matching INDEX.json.
            try AtomicOutput.writeFile(reportsRoot + "/INDEX.json", Array(DraftIndex.json(entries).utf8), durable: false)
            try AtomicOutput.writeFile(reportsRoot + "/INDEX.md", Array(DraftIndex.markdown(entries).utf8), durable: false)
            indexDirty = false
        } catch {
            logger.error("cannot write the reports index; will retry", metadata: ["error": "\(error)"])
        }
    }
}
