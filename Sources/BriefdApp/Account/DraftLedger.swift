public import BriefdIO
public import BriefdCore
public import Foundation
public import Logging
import Metrics

/// The daemon's ledger of drafts: checks each draft when it changes and keeps its report beside the others in the
/// reports folder, with an index of every draft's status. Never writes to the drafts folder.
///
/// Reports mirror the draft's path: `drafts/sub/a.md` → `reports/sub/a.report.txt` and `.report.json`.
/// A report comes in two steps: the draft's own findings at once, then, when its links and quotes have been
/// checked (`ReviewService`), the report again with their findings; in between the index shows `checking`.
///
/// An unchanged draft is not checked again, also across restarts, unless its report is missing or was made
/// with other inputs (config, registry, briefd's version, online or not: `inputs`).
public actor DraftLedger {
    private var workspace: Workspace
    private var checker: DraftChecker
    private let store: DaemonStore
    private let logger: Logger
    /// Where drafts go for their link and quote review; nil with `--offline`.
    private let reviews: ReviewQueue?
    /// The fingerprint of the inputs of a report made now.
    private var inputs: String
    private let version: String
    /// Which draft's review is awaited for which content, and which failed and when it is tried again.
    private var reviewBook = ReviewBook() { didSet { changes.ring() } }

    private var records: [String: DaemonStore.DraftRecord] = [:]
    private var ownFindings: [String: [Finding]] = [:]
    /// Link and quote findings, which arrive after the offline report.
    private var linkFindings: [String: [Finding]] = [:]
    private var kinds: [String: DraftKind] = [:]
    /// Which briefs cite the same article (`brief.duplicate-url`).
    private var briefGroups = BriefGroups()
    // Each change that the upkeep acts on (a save, the index, a report to write, the account, the STATUS line) rings
    // its bell: the upkeep sleeps until one does.
    private var pendingSaves: [String: DaemonStore.DraftRecord] = [:] {
        didSet { if !pendingSaves.isEmpty { changes.ring() } }
    }
    private var pendingRemovals: Set<String> = [] { didSet { if !pendingRemovals.isEmpty { changes.ring() } } }
    private var indexDirty = false { didSet { if indexDirty { changes.ring() } } }
    private var indexWritten = Date.distantPast
    /// Upkeep's saves and writes that failed in a row, and when the next try may be.
    private var backoff = UpkeepBackoff()
    private var lastChange = Date.distantPast
    /// Drafts whose report could not be written (a full disk, a read-only folder, a name too long for the file
    /// system), with the reason: retried with upkeep's backoff, and the draft is `unreadable` with that reason until
    /// it is written.
    private var unwritten: [String: String] = [:]
    /// Where each draft's reports go, and their writing.
    private var reportFiles: ReportFiles
    /// Told of every report written or removed (the desk's live page).
    private let feed: DeskFeed?
    /// The account's facts of every draft (by absolute path; the facts carry the relative one).
    private var facts: [String: DraftFacts] = [:]
    /// The issues already published, from the state database; read again after every build.
    private var published: PublishedIssues
    /// The account as last computed, and the change it was computed at.
    private var accountCache: (change: Int, day: Day, account: Account)?
    private var accountChange = 0 { didSet { changes.ring() } }
    /// What changes whenever the account does (a report, a removal, a publication): what is made from the account
    /// is made again only when it moves.
    public var generation: Int { accountChange }
    /// A review's reading of its draft happens on these threads, not on the actor (`DraftReading`).
    private let workers = BlockingWorkers(label: "briefd.drafts", count: 1)
    /// Rung when there is upkeep to do (`UpkeepService` waits on it).
    public nonisolated let changes = Doorbell()

    /// - Parameters:
    ///   - reviews: the queue of the link and quote reviews (nil for `--offline`).
    ///   - version: briefd's version, part of every report's inputs.
    /// The state database (the published issues).
    public nonisolated var state: StateDatabase { store.state }

    public init(
        workspace: Workspace, store: DaemonStore, logger: Logger, reviews: ReviewQueue?, version: String,
        feed: DeskFeed? = nil
    ) async throws {
        let records = try await store.drafts()
        let published = try await IssueStore(store.state).publishedIssues()
        self.feed = feed
        self.workspace = workspace
        self.checker = DraftChecker(
            config: workspace.config, registry: workspace.registry, today: LocalCalendar.today())
        self.store = store
        self.logger = logger
        self.reviews = reviews
        self.version = version
        self.inputs = DraftLedger.inputs(workspace, version: version, online: reviews != nil)
        self.records = records
        self.published = published
        self.reportFiles = ReportFiles(
            draftsRoot: workspace.config.paths.drafts, reportsRoot: workspace.config.paths.reports)
        // Unchanged drafts are not parsed again after a restart: their account, findings and what the duplicate
        // check needs are remembered.
        for (path, record) in records {
            if let brief = record.brief { _ = briefGroups.place(path, brief) }
            if let saved = record.facts, let own = record.findings {
                facts[path] = saved
                ownFindings[path] = own
                linkFindings[path] = record.reviewFindings
                kinds[path] = saved.kind
            }
        }
    }

    private var draftsRoot: String { workspace.config.paths.drafts }
    private var reportsRoot: String { workspace.config.paths.reports }

    static func inputs(_ workspace: Workspace, version: String, online: Bool) -> String {
        // "account 2": reports made before the account was kept (1), or before it kept the quoted pages (2), are made
        // again once.
        ContentHash.sha256Hex(
            Array("\(workspace.fingerprint) briefd \(version) \(online ? "online" : "offline") account 2".utf8))
    }

    /// The account of every draft for the coming issue: what every surface shows.
    public struct Account: Sendable {
        /// The coming issue: the first issue day from today that is not published.
        public var nextIssue: Day
        /// Every draft, by path relative to the drafts folder.
        public var drafts: [Entry]

        public struct Entry: Sendable {
            public var facts: DraftFacts
            public var standing: DraftStanding
            /// The file's modification time (seconds since 1970).
            public var modified: Double
            public var path: String { facts.path }
        }

        /// How many drafts have each status.
        public var counts: [DraftStatus: Int] {
            var counts: [DraftStatus: Int] = [:]
            for entry in drafts { counts[entry.standing.status, default: 0] += 1 }
            return counts
        }
    }

    /// The account now (computed again only when something changed, or the day did).
    public var account: Account {
        let today = LocalCalendar.today()
        if let cached = accountCache, cached.change == accountChange, cached.day == today { return cached.account }
        let next = DraftAccount.nextIssue(
            weekday: workspace.config.digest.issueWeekday, today: today, published: published.dates)
        let all = Array(facts.values)
        let standings = DraftAccount.standings(
            of: all, target: next, published: published, donationAppeal: workspace.config.digest.donationAppeal)
        var entries: [Account.Entry] = []
        entries.reserveCapacity(records.count)
        for (path, record) in records {
            guard let known = facts[path], let standing = standings[known.path] else {
                // Known on disk, not yet checked: said as such, never left out.
                let placeholder = DraftFacts(path: relative(path), review: .pending)
                entries.append(
                    .init(
                        facts: placeholder, standing: DraftStanding(.checking, ["not checked yet"]),
                        modified: record.mtime))
                continue
            }
            if let reason = unwritten[path] {
                // What the desk shows and the build takes must agree with what is on disk: no report, no verdict.
                entries.append(
                    .init(facts: known, standing: DraftStanding(.unreadable, [reason]), modified: record.mtime))
                continue
            }
            entries.append(.init(facts: known, standing: standing, modified: record.mtime))
        }
        entries.sort { $0.path < $1.path }
        let account = Account(nextIssue: next, drafts: entries)
        accountCache = (accountChange, today, account)
        return account
    }

    /// The drafts as a build of the issue of `target` (the coming one when nil) takes them: the account's facts of
    /// every draft, and the drafts ready for that issue parsed from their files (a file changed since its check is
    /// left out and said so). A published issue built again counts its own drafts as ready for it.
    public func draftsForBuild(target: Day? = nil) -> DigestBuild.Drafts {
        let current = account
        let date = target ?? current.nextIssue
        let standings = DraftAccount.standings(
            of: current.drafts.map(\.facts), target: date, published: published.without(date),
            donationAppeal: workspace.config.digest.donationAppeal)
        let ready = current.drafts.compactMap { entry -> ReadyDrafts.Checked? in
            guard standings[entry.path]?.status == .ready, let record = records[draftsRoot + "/" + entry.path] else {
                return nil
            }
            return ReadyDrafts.Checked(relative: entry.path, sha256: record.sha256)
        }
        let drafts = ReadyDrafts.load(
            ready, root: draftsRoot, checker: checker, maxBytes: workspace.config.checks.maxDraftBytes)
        return DigestBuild.Drafts(drafts: drafts, facts: current.drafts.map(\.facts))
    }

    /// A draft's findings as its report has them (its own, across drafts, its links' and quotes'), from memory.
    public func findings(of relativePath: String) -> [Finding]? {
        let path = draftsRoot + "/" + relativePath
        guard let own = ownFindings[path] else { return nil }
        return (own + crossFindings(path) + (linkFindings[path] ?? [])).inReadingOrder()
    }

    /// The drafts not yet published that cite each of `urls` (relative paths, from the account).
    public func citing(_ urls: Set<String>) -> [String: [String]] {
        var citing: [String: [String]] = [:]
        for entry in account.drafts where entry.standing.status != .published {
            for url in entry.facts.citedLinks where urls.contains(url) { citing[url, default: []].append(entry.path) }
        }
        return citing
    }

    /// The account's entry of one draft.
    public func entry(of relativePath: String) -> Account.Entry? {
        account.drafts.first { $0.path == relativePath }
    }

    /// An issue was published, replaced or restored (by this daemon or by `briefd build`): the account reads the
    /// published issues again, and every surface follows.
    public func publishedChanged() async {
        do {
            published = try await IssueStore(store.state).publishedIssues()
        } catch {
            logger.error(
                "cannot read the published issues; the account keeps the last it read", metadata: ["error": "\(error)"])
            return
        }
        accountChange += 1
        indexDirty = true
        lastChange = Date()
        feed?.publish("*")
        publications.ring()
    }

    /// Rung when an issue is published, replaced or restored: the preservation service captures its pages.
    public nonisolated let publications = Doorbell()

    /// When the last full scan of the folder finished (the desk's `/healthz`).
    public private(set) var lastScanFinished: Date?

    /// When a report or the index last changed.
    var lastChangeAt: Date { lastChange }

    /// Drafts whose link and quote review has not come back yet.
    public var reviewsAwaited: Int { reviewBook.awaitedCount }

    /// Whether a flush has something left to do (a save or a write that failed, or an index held back in a burst).
    public var hasUpkeepPending: Bool {
        indexDirty || !pendingSaves.isEmpty || !pendingRemovals.isEmpty || !unwritten.isEmpty
    }

    /// When a flush may next try again after failures (`Date.distantPast` when nothing failed).
    public var nextUpkeepAttempt: Date { backoff.nextAttempt }

    /// Failures in a row so far of upkeep's saves and writes.
    public var upkeepFailuresInARow: Int { backoff.failuresInARow }

    private func upkeepFailed(_ what: String, _ error: any Error) {
        if backoff.failed() {
            logger.error(
                "\(what); will retry",
                metadata: [
                    "error": "\(error)", "failures_in_a_row": "\(backoff.failuresInARow)",
                    "retry_in_s": "\(String(format: "%.1f", backoff.nextAttempt.timeIntervalSinceNow))",
                ])
        }
    }

    private func upkeepSucceeded() {
        let failures = backoff.succeeded()
        guard failures > 0 else { return }
        logger.notice("draft state and the index are saved again", metadata: ["after_failures": "\(failures)"])
    }

    // MARK: - Events

    /// Compares every draft on disk with what is remembered: checks new and changed drafts, forgets drafts
    /// that are gone. `force` checks every draft again (after a reload of the config or registry).
    public func scanAll(reason: String, force: Bool = false) async {
        let started = Date()
        guard access(draftsRoot, F_OK) == 0 else {
            logger.warning(
                "the drafts folder is missing; waiting for it to come back", metadata: ["folder": "\(draftsRoot)"])
            return
        }
        renewChecker(force: force)
        let found = DraftFiles.find([draftsRoot]).map(\.path).filter {
            DraftWatcher.isDraftName(($0 as NSString).lastPathComponent)
        }
        let present = Set(found)
        for path in records.keys where !present.contains(path) { forget(path) }
        // On the actor, one after another. Measured (make bench-daemon, 2,000 drafts, this 2-core machine): reading
        // and checking them on worker threads while the actor stayed free made every burst slower, not faster — a
        // folder moved in 18–24 s against 10.6 s, a flood of 10,000 43–58 s against 23–25 s — so a scan holds the
        // actor, and a desk request waits for the scan as before (a scan is made at start-up and on a folder event).
        var checked = 0
        for path in found where check(path, force: force) { checked += 1 }
        await flush()
        lastScanFinished = Date()
        logger.info(
            "scan finished",
            metadata: [
                "reason": "\(reason)", "drafts": "\(found.count)", "checked": "\(checked)",
                "ms": "\(Int(Date().timeIntervalSince(started) * 1000))",
            ])
    }

    /// A draft was written or moved in.
    public func changed(_ path: String) {
        // A settle timer of the folder a reload moved away from: that draft is no longer watched.
        guard path.hasPrefix(draftsRoot + "/") else { return }
        renewChecker(force: false)
        _ = check(path, force: false)
    }

    /// A checker for the current config and registry (`force`) or for a new day: "in the future" moves at
    /// midnight, and a daemon runs for weeks.
    private func renewChecker(force: Bool) {
        let today = LocalCalendar.today()
        guard force || checker.today != today else { return }
        checker = DraftChecker(config: workspace.config, registry: workspace.registry, today: today)
    }

    /// A draft was deleted or moved away: its reports go too.
    public func removed(_ path: String) {
        forget(path)
    }

    /// A folder was deleted or moved away: forget every draft under it.
    public func folderRemoved(_ folder: String) {
        for path in records.keys where path.hasPrefix(folder + "/") { forget(path) }
    }

    /// A new config and registry: every draft is checked again against them (links whose results are fresh in
    /// the history are not requested again).
    public func reload(_ workspace: Workspace) async {
        // A drafts folder moved: its drafts leave the account, and their reports go, while the reports' paths can
        // still be told from the old folder's.
        if workspace.config.paths.drafts != draftsRoot {
            for path in records.keys.sorted() { forget(path) }
        }
        self.workspace = workspace
        reportFiles = ReportFiles(
            draftsRoot: workspace.config.paths.drafts, reportsRoot: workspace.config.paths.reports)
        inputs = DraftLedger.inputs(workspace, version: version, online: reviews != nil)
        await scanAll(reason: "reload", force: true)
    }

    // MARK: - Checking

    /// What a check of a draft starts from: its size and time, and the hash of the content already checked when its
    /// report is current (a touched file with the same content is not checked again).
    private struct PendingCheck {
        var size: Int
        var mtime: Double
        var knownHash: String?
    }

    /// Whether `path` needs reading: nil when it is gone (forgotten) or unchanged with a current report.
    private func pendingCheck(_ path: String, force: Bool) -> PendingCheck? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            forget(path)
            return nil
        }
        let size = Int(status.st_size)
        let mtime = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
        let current = !force && records[path].map { $0.inputs == inputs && reportExists(path) } == true
        if current, let record = records[path], record.size == size, record.mtime == mtime {
            // A review cut short by a stop is made now.
            if facts[path]?.review != .done, !reviewBook.isAwaited(path), let reviews {
                reviewBook.queued(path, hash: record.sha256)
                reviews.submit(path: path, hash: record.sha256)
            }
            return nil
        }
        return PendingCheck(size: size, mtime: mtime, knownHash: current ? records[path]?.sha256 : nil)
    }

    /// Checks `path` unless it is unchanged and its report current; true when it was checked.
    private func check(_ path: String, force: Bool) -> Bool {
        guard let pending = pendingCheck(path, force: force) else { return false }
        let reading = DraftReading.read(
            path, root: draftsRoot, maxBytes: workspace.config.checks.maxDraftBytes, checker: checker,
            knownHash: pending.knownHash)
        return take(reading, of: path, pending)
    }

    /// A draft's reading taken into the account; true when it was checked (not only touched).
    private func take(_ reading: DraftReading, of path: String, _ pending: PendingCheck) -> Bool {
        let (size, mtime) = (pending.size, pending.mtime)
        switch reading {
        case .refused(let reason):
            let finding = Finding(.draftUnreadable, at: SourcePosition(line: 1, column: 1), reason)
            apply(path: path, size: size, mtime: mtime, hash: "refused", draft: nil, brief: nil, findings: [finding])
            return true
        case .unchanged:
            // Same content (touched, or copied back): keep the report, remember the new size and time.
            guard var updated = records[path] else { return false }
            updated.size = size
            updated.mtime = mtime
            records[path] = updated
            pendingSaves[path] = updated
            return false
        case .checked(let hash, let draft, let findings):
            // The review is awaited before the first report is written, so that it says `checking`.
            let needsReview = reviews != nil && draft.map(DraftLedger.needsReview) == true
            reviewBook.checked(path, hash: hash, needsReview: needsReview)
            if needsReview { reviews?.submit(path: path, hash: hash) }
            apply(
                path: path, size: size, mtime: mtime, hash: hash, draft: draft,
                brief: draft.flatMap(CitedBrief.init), findings: findings)
            return true
        }
    }

    /// A draft with links or quotes has a review to wait for.
    static func needsReview(_ draft: Draft) -> Bool {
        !LinkExtractor.links(in: draft).isEmpty || !QuoteCheck.quotes(in: draft).isEmpty
    }

    private func reportExists(_ path: String) -> Bool {
        let (text, json) = reportFiles.paths(of: path)
        return access(text, F_OK) == 0 && access(json, F_OK) == 0
    }

    /// The draft to review for `job`, if its content is still the one queued (else a newer job follows).
    public func draftForReview(_ job: ReviewQueue.Job) async -> Draft? {
        guard reviewBook.awaits(job.path, hash: job.hash) else { return nil }
        let (root, maxBytes, checker) = (draftsRoot, workspace.config.checks.maxDraftBytes, checker)
        let draft = await workers.run {
            DraftReading.draft(job.path, root: root, maxBytes: maxBytes, checker: checker, hash: job.hash)
        }
        // Changed meanwhile: a newer job follows.
        return reviewBook.awaits(job.path, hash: job.hash) ? draft : nil
    }

    /// The review of `job` came back: the report is written again with its findings, unless the draft changed
    /// meanwhile (the review of the newer content comes later, so a stale report is never the last one).
    public func reviewed(_ job: ReviewQueue.Job, findings: [Finding]) {
        guard records[job.path]?.sha256 == job.hash, reviewBook.reviewed(job.path, hash: job.hash) else { return }
        linkFindings[job.path] = findings
        writeReport(job.path)
    }

    /// The review of `job` failed: the draft stays `checking`, with the reason, never clean. Returns how long to
    /// wait before trying again (30 s, doubling to 30 min), or nil when the draft changed meanwhile.
    public func reviewFailed(_ job: ReviewQueue.Job, reason: String) -> Duration? {
        guard records[job.path]?.sha256 == job.hash,
            let wait = reviewBook.failed(
                job.path, hash: job.hash, reason: reason, now: Date().timeIntervalSince1970)
        else { return nil }
        writeReport(job.path)
        return .seconds(wait)
    }

    /// Queues again the reviews that failed and whose wait is over.
    public func retryFailedReviews(now: Date) {
        for (path, hash) in reviewBook.dueRetries(now: now.timeIntervalSince1970) {
            reviewAgain(path: path, hash: hash)
        }
    }

    /// Queues the review of a draft again (after a failure's wait, or when the network is back), if its content
    /// is still `hash`.
    public func reviewAgain(path: String, hash: String) {
        guard let reviews, records[path]?.sha256 == hash, !reviewBook.isAwaited(path) else { return }
        reviewBook.queued(path, hash: hash)
        reviews.submit(path: path, hash: hash)
        writeReport(path)
    }

    /// Drafts with links that could not be checked because no host name resolved: reviewed again once names
    /// resolve.
    public var draftsWithUnverifiedLinks: [(path: String, hash: String)] {
        facts.compactMap { path, known in
            guard known.unverifiedLinks > 0, !reviewBook.isAwaited(path), let record = records[path] else { return nil }
            return (path, record.sha256)
        }
    }

    /// The findings of a draft not held in memory (unchanged since a restart), when another draft's change
    /// means its report must be written again. On the actor: rare (once per such draft after a restart), and its
    /// caller writes the report at once.
    private func recheckQuietly(_ path: String) {
        guard
            case .read(_, let bytes) = DraftFiles.read(
                path, root: draftsRoot, maxBytes: workspace.config.checks.maxDraftBytes)
        else { return }
        let (draft, report) = checker.check(path: path, bytes: bytes)
        ownFindings[path] = report.findings
        kinds[path] = report.kind
        baseFacts(path, draft: draft, findings: report.findings)
    }

    /// The facts that come from the draft itself (the counts are made in `writeReport`).
    private func baseFacts(_ path: String, draft: Draft?, findings: [Finding]) {
        if let draft {
            facts[path] = DraftFacts(draft: draft, path: relative(path), findings: [], review: .done)
        } else {
            let why =
                findings.first { $0.rule == .draftUnreadable || $0.rule == .frontMatterInvalid } ?? findings.first
                ?? Finding(.draftUnreadable, at: SourcePosition(line: 1, column: 1), "the draft could not be read")
            facts[path] = DraftFacts(unreadablePath: relative(path), finding: why)
        }
        accountChange += 1
    }

    private func apply(
        path: String, size: Int, mtime: Double, hash: String, draft: Draft?, brief: CitedBrief?, findings: [Finding]
    ) {
        ownFindings[path] = findings
        linkFindings[path] = nil
        kinds[path] = draft?.kind
        baseFacts(path, draft: draft, findings: findings)
        let affected = regroup(path, brief)
        let record = DaemonStore.DraftRecord(
            path: path, size: size, mtime: mtime, sha256: hash, status: .checking, inputs: inputs, errors: 0,
            warnings: 0,
            checkedAt: Date().timeIntervalSince1970, brief: brief)
        records[path] = record
        writeReport(path)
        for other in affected where other != path { writeReport(other) }
    }

    private func regroup(_ path: String, _ brief: CitedBrief?) -> Set<String> { briefGroups.place(path, brief) }

    private func crossFindings(_ path: String) -> [Finding] { briefGroups.crossFindings(path, folder: draftsRoot) }

    private func forget(_ path: String) {
        guard records[path] != nil || ownFindings[path] != nil else { return }
        let affected = regroup(path, nil)
        records[path] = nil
        ownFindings[path] = nil
        linkFindings[path] = nil
        reviewBook.forget(path)
        facts[path] = nil
        accountChange += 1
        kinds[path] = nil
        pendingSaves[path] = nil
        pendingRemovals.insert(path)
        reportFiles.remove(of: path)
        for other in affected where other != path && records[other] != nil { writeReport(other) }
        indexDirty = true
        feed?.publish(relative(path))
    }

    // MARK: - Writing

    func relative(_ path: String) -> String { reportFiles.relative(path) }

    /// Writes the draft's report (its own findings, those across drafts, link findings) and updates its record.
    /// - Parameter retrying: a retry of a report that could not be written: the desk is told only when it is
    ///   written now (a write that keeps failing must not make every live page reload itself ten times a second).
    private func writeReport(_ path: String, retrying: Bool = false) {
        if ownFindings[path] == nil, records[path] != nil { recheckQuietly(path) }
        guard var record = records[path], let own = ownFindings[path] else { return }
        let findings = (own + crossFindings(path) + (linkFindings[path] ?? [])).inReadingOrder()
        let report = DraftReport(path: relative(path), kind: kinds[path] ?? nil, findings: findings)
        let review = reviewBook.state(of: path)
        if var known = facts[path] {
            known.recount(findings, review: review)
            facts[path] = known
            record.facts = known
            accountChange += 1
        }
        record.findings = own
        record.reviewFindings = linkFindings[path]
        record.errors = report.errorCount
        record.warnings = report.warningCount
        records[path] = record
        pendingSaves[path] = record
        pendingRemovals.remove(path)
        indexDirty = true
        lastChange = Date()
        do {
            try reportFiles.write(report, of: path)
            if unwritten.removeValue(forKey: path) != nil { accountChange += 1 }
            feed?.publish(relative(path))
        } catch {
            let reason = "its report cannot be written: \(error)"
            if unwritten.updateValue(reason, forKey: path) != reason {
                accountChange += 1
                logger.error(
                    "cannot write a report; will retry", metadata: ["draft": "\(relative(path))", "error": "\(error)"])
            }
            if !retrying { feed?.publish(relative(path)) }
        }
    }

    /// Saves remembered state, retries reports that could not be written, rewrites the index if anything
    /// changed. Called every few hundred milliseconds; during a burst of changes the index (every draft, so
    /// costly with thousands) is rewritten at most once a second, and at once when the burst is over.
    public func flush(force: Bool = true) async {
        // After failures, not before the backoff has passed (the final flush at shutdown tries regardless).
        if !force && Date() < backoff.nextAttempt { return }

        var failed = false
        defer { if !failed && !hasUpkeepPending { upkeepSucceeded() } }
        for path in unwritten.keys { writeReport(path, retrying: true) }
        if let (path, reason) = unwritten.first {
            failed = true
            struct ReportNotWritten: Error, CustomStringConvertible { var description: String }
            upkeepFailed(
                "cannot write \(DraftAccount.counted(unwritten.count, "report"))",
                ReportNotWritten(description: "\(relative(path)): \(reason)"))
        }
        // Taken out before the write: the actor may take other calls while it waits for the database.
        let (saves, removals) = (pendingSaves, pendingRemovals)
        pendingSaves.removeAll()
        pendingRemovals.removeAll()
        do {
            try await store.update(saving: Array(saves.values), removing: Array(removals))
        } catch {
            failed = true
            upkeepFailed("cannot save draft state", error)
            for (path, record) in saves where pendingSaves[path] == nil && !pendingRemovals.contains(path) {
                pendingSaves[path] = record
            }
            for path in removals where pendingSaves[path] == nil { pendingRemovals.insert(path) }
        }
        guard indexDirty else { return }
        let now = Date()
        if !force && now.timeIntervalSince(lastChange) < 0.1 && now.timeIntervalSince(indexWritten) < 1 { return }
        indexWritten = now
        let current = account
        // The saved statuses follow the account, so that `briefd status` reads what the desk shows.
        for entry in current.drafts {
            let path = draftsRoot + "/" + entry.path
            guard var record = records[path],
                record.status != entry.standing.status || record.reasons != entry.standing.reasons
            else { continue }
            record.status = entry.standing.status
            record.reasons = entry.standing.reasons
            records[path] = record
            pendingSaves[path] = record
        }
        // The index is written from `current` before any await: a change that lands during the save below marks
        // the index dirty again, and the next flush writes it (written after the await, it could be lost).
        let entries = current.drafts.map { entry in
            DraftIndex.Entry(
                path: entry.path, status: entry.standing.status, reason: entry.standing.reasons.first ?? "",
                errors: entry.facts.errors, warnings: entry.facts.warnings, modified: entry.modified,
                report: reportFiles.paths(of: draftsRoot + "/" + entry.path).text.dropFirst(reportsRoot.count + 1)
                    .description)
        }
        do {
            try AtomicOutput.makeFolders(reportsRoot)
            // JSON first: a reader that sees the new INDEX.md finds the matching INDEX.json.
            try AtomicOutput.writeFile(
                reportsRoot + "/INDEX.json", Array(DraftIndex.json(entries).utf8), durable: false)
            try AtomicOutput.writeFile(
                reportsRoot + "/INDEX.md", Array(DraftIndex.markdown(entries).utf8), durable: false)
            indexDirty = false
        } catch {
            failed = true
            upkeepFailed("cannot write the reports index", error)
        }
        if !pendingSaves.isEmpty {
            let saves = Array(pendingSaves.values)
            pendingSaves.removeAll()
            do {
                try await store.update(saving: saves, removing: [])
            } catch {
                if !failed { upkeepFailed("cannot save draft state", error) }
                failed = true
                for record in saves where pendingSaves[record.path] == nil { pendingSaves[record.path] = record }
            }
        }
    }
}
