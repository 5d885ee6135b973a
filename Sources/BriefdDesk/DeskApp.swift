import BriefdCore
public import BriefdIO
public import BriefdApp
import Foundation
import Hummingbird
public import Logging
import Metrics
public import Prometheus
import Synchronization

/// The editors' desk: what the daemon knows, as web pages (`templates/desk/`). Every page is complete without
/// JavaScript; `desk.js` only refreshes the list when a report changes (Server-Sent Events).
public final class DeskApp: Sendable {
    let holder: WorkspaceHolder
    let drafts: DraftLedger
    let feed: DeskFeed
    public let state: StateDatabase
    /// nil when the daemon runs `--offline`: no clip then.
    public let links: LinkService?
    /// The process's environment, where the delivery keys are (read once, at start).
    let environment: [String: String]
    public let security: DeskSecurity
    let metrics: PrometheusCollectorRegistry
    let logger: Logger
    let templates: DeskTemplates
    private let building = Mutex(false)
    /// The port the desk listens on, once it does (the tests ask for port 0); the Host rule compares with it.
    let listeningPort = Mutex<Int?>(nil)

    public init(
        holder: WorkspaceHolder, drafts: DraftLedger, feed: DeskFeed, state: StateDatabase, links: LinkService?,
        security: DeskSecurity, metrics: PrometheusCollectorRegistry, logger: Logger,
        environment: [String: String]? = nil
    ) {
        self.environment = environment ?? ProcessInfo.processInfo.environment
        self.holder = holder
        self.drafts = drafts
        self.feed = feed
        self.state = state
        self.links = links
        self.security = security
        self.metrics = metrics
        self.logger = logger
        self.templates = DeskTemplates(folder: holder.workspace.config.paths.templates, logger: logger)
    }

    var config: Config { holder.workspace.config }

    /// "template: name" for each value a desk template named that its page did not give (logged once each).
    public var templateNamesNotGiven: Set<String> { templates.unknownNames }

    // MARK: - Pages

    /// The list's rows as HTML, by filter, made again only when a report changed (`DeskFeed.generation`) or a
    /// template did: with hundreds of drafts, rendering the rows is most of the cost of the page.
    private let rowsCache = Mutex<[String: (generation: Int, html: String, total: Int, counts: [String: Int])]>([:])

    /// `/`: every draft with its status, filtered by `status` and `section`.
    func deskPage(_ query: ListQuery, session: String?) async -> Response {
        let statusFilter = query.status.flatMap { $0.isEmpty ? nil : $0 }
        let sectionFilter = query.section.flatMap { $0.isEmpty ? nil : $0 }
        let fragment = query.fragment == "rows"
        let key = DeskApp.query(["status": statusFilter, "section": sectionFilter]) + "|" + templates.stampKey()
        let generation = feed.generation
        let cached = rowsCache.withLock { $0[key] }.flatMap { $0.generation == generation ? $0 : nil }
        let list: (generation: Int, html: String, total: Int, counts: [String: Int])
        if let cached {
            list = cached
        } else {
            list = await renderRows(statusFilter: statusFilter, sectionFilter: sectionFilter, generation: generation)
            rowsCache.withLock { cache in
                if cache.count > 64 { cache.removeAll() }
                cache[key] = list
            }
        }
        if fragment {
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: list.html)))
        }
        let config = self.config
        let next = await drafts.account.nextIssue
        let nextBuild = await BuildScheduler.nextBuild(config, store: DaemonStore(state), coming: next)
        let statuses = DraftStatus.allCases.sorted { $0.order < $1.order }.map { status in
            DeskListPage.StatusChoice(
                value: status.rawValue, count: list.counts[status.rawValue] ?? 0,
                selected: status.rawValue == statusFilter)
        }
        let values = DeskListPage(
            rowsHTML: list.html, total: list.total, statuses: statuses,
            sections: config.newsletter.sections.map { .init(value: $0, selected: $0 == sectionFilter) },
            nextIssue: next.description,
            nextBuild: nextBuild.map { DeskApp.time($0.due.timeIntervalSince1970, in: config) } ?? "not scheduled",
            query: DeskApp.query(["status": statusFilter, "section": sectionFilter]),
            reloadProblem: DeskApp.reloadProblem(holder.reload, config: config))
        return page("desk", values, session: session)
    }

    /// What the list says of the last reload (SIGHUP) when it was not applied: the config in use is the old one.
    static func reloadProblem(_ reload: (at: Date, outcome: WorkspaceHolder.ReloadOutcome)?, config: Config) -> String?
    {
        guard let reload else { return nil }
        let when = DeskApp.time(reload.at.timeIntervalSince1970, in: config)
        switch reload.outcome {
        case .applied: return nil
        case .refused(let settings):
            return
                "The reload of \(when) was not applied: \(settings.joined(separator: ", ")) change only when briefd is "
                + "restarted. The old config is still in use; restart briefd, or put those settings back and reload."
        case .failed(let reason):
            return "The reload of \(when) failed, and the old config is still in use: \(reason)"
        }
    }

    private func renderRows(statusFilter: String?, sectionFilter: String?, generation: Int) async
        -> (generation: Int, html: String, total: Int, counts: [String: Int])
    {
        let rows = await drafts.account.drafts
        let shown = rows.filter { row in
            (statusFilter == nil || row.standing.status.rawValue == statusFilter)
                && (sectionFilter == nil || row.facts.section == sectionFilter)
        }.sorted { ($0.standing.status.order, $0.path) < ($1.standing.status.order, $1.path) }
        var counts: [String: Int] = [:]
        for row in rows { counts[row.standing.status.rawValue, default: 0] += 1 }
        let html: String
        switch templates.render(
            "desk-rows", DeskRowsPage(rows: shown.map { DeskApp.row($0, config: config) }), layout: layout(session: nil)
        )
        {
        case .success(let rendered): html = rendered
        case .failure(let problem):
            html =
                "<tr><td colspan=\"7\">The desk's templates cannot be used: \(DeskApp.escape(problem.description))</td></tr>"
        }
        return (generation, html, rows.count, counts)
    }

    /// One row of the list: the account's entry, as the template shows it.
    static func row(_ row: DraftLedger.Account.Entry, config: Config) -> DeskRow {
        let status = row.standing.status
        return DeskRow(
            path: DeskText.visible(row.path), href: "/drafts/" + DeskApp.pathForURL(row.path), status: status.rawValue,
            statusClass: status.cssClass, kind: row.facts.kind?.rawValue ?? "unreadable",
            title: DeskText.visible(row.facts.title ?? row.path), section: row.facts.section ?? "",
            reason: row.standing.reasons.first ?? "", errors: row.facts.errors, warnings: row.facts.warnings,
            modified: DeskApp.time(row.modified, in: config))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// `/drafts/<path>`: the text with each finding marked, the findings, the links and the quotes.
    func draftPage(_ segments: [String], session: String?) async -> Response {
        let root = config.paths.drafts
        guard let file = DeskSecurity.draftFile(segments, root: root) else { return notFound(session) }
        let relative = segments.joined(separator: "/")
        guard case .read(_, let bytes) = DraftFiles.read(file, root: root, maxBytes: config.checks.maxDraftBytes) else {
            return message(
                "Draft", "\(DeskText.visible(relative)) cannot be read as a draft (too large, or not a regular file).",
                session: session)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let findings = await currentFindings(relative, file: file, bytes: bytes)
        let entry = await drafts.entry(of: relative)
        // The other drafts citing the same article, linked by their path in the folder (brief.duplicate-url).
        let identity = entry?.facts.identity
        let sameArticle =
            identity == nil
            ? []
            : await drafts.account.drafts.filter { $0.facts.identity == identity && $0.path != relative }
                .map { DraftLink(path: DeskText.visible($0.path), href: "/drafts/" + DeskApp.pathForURL($0.path)) }
        let lines = DraftMarkup.lines(of: text, findings: findings).map { line in
            DraftPage.Line(
                number: line.number,
                runs: line.runs.map { run in
                    DraftPage.Run(
                        text: run.text, marked: !run.findings.isEmpty,
                        severity: (run.findings.map { findings[$0].severity }.max() ?? .info).rawValue,
                        ids: run.findings.map { "f\($0 + 1)" }.joined(separator: " "),
                        first: run.findings.first.map { "f\($0 + 1)" } ?? "")
                },
                trailing: line.trailing.map { .init(id: "f\($0 + 1)", severity: findings[$0].severity.rawValue) })
        }
        let hash = ContentHash.sha256Hex(bytes)
        let action = "/drafts/" + DeskApp.pathForURL(relative)
        let findingRows = findings.enumerated().map { index, finding in
            var row = DraftPage.FindingRow(
                id: "f\(index + 1)", line: finding.position.line, column: finding.position.column,
                severity: finding.severity.rawValue, rule: finding.rule.id, message: finding.message,
                suggestion: finding.suggestion, suggestionSource: finding.suggestionSource,
                related: finding.rule == .briefDuplicateURL && !sameArticle.isEmpty ? sameArticle : nil,
                passage: finding.rule == .quoteAltered
                    ? finding.suggestion.map { DeskApp.markedPassage($0, message: finding.message) } ?? [] : [])
            row.fixes = finding.fixes.enumerated().map { number, fix in
                DraftPage.FixButton(
                    key: DeskApp.fixKey(finding, number), title: fix.title, safe: fix.safe, action: action, hash: hash)
            }
            return row
        }
        let draft = DraftParser.parse(path: file, bytes: bytes).draft
        var linkRows: [DraftPage.LinkRow] = []
        if let draft {
            let urls = Array(Set(LinkExtractor.links(in: draft).map(\.url))).sorted()
            let store = LinkStore(state)
            let byURL = await readOrLogged("the link history", [:]) { try await store.latest(of: urls) }
            linkRows = urls.map { url in
                guard let result = byURL[url] else {
                    return DraftPage.LinkRow(url: url, verdict: "not checked yet", verdictClass: "unknown")
                }
                return DraftPage.LinkRow(
                    url: url, verdict: result.verdict.rawValue, verdictClass: result.ok ? "ok" : "bad",
                    checked: DeskApp.time(result.checkedAt, in: config), status: result.status.map(String.init) ?? "",
                    final: result.finalURL.flatMap { $0 == url ? nil : $0 },
                    error: LinkProblem.sentence(status: result.status, error: result.error))
            }
        }
        let status = entry?.standing.status ?? .checking
        // The name as the list shows it: bidirectional and invisible controls made visible, so that a file named
        // with U+202E cannot pass for another on its own page.
        let shownName = DeskText.visible(relative)
        let values = DraftPage(
            title: shownName, path: shownName, lines: lines, findings: findingRows, links: linkRows,
            quotes: findingRows.filter { $0.rule.hasPrefix("quote.") }, kind: draft?.kind.rawValue ?? "unreadable",
            status: status.rawValue, statusClass: status.cssClass,
            reasons: entry?.standing.reasons ?? ["not checked yet"],
            clean: findings.isEmpty && entry?.standing.status == .ready)
        return page("draft", values, session: session)
    }

    /// Which fix a button names: stable for one text of the draft, so that the POST finds the same fix again.
    static func fixKey(_ finding: Finding, _ number: Int) -> String {
        "\(finding.rule.id)@\(finding.position.line):\(finding.position.column)#\(number)"
    }

    /// `POST /drafts/<path>` with `fix` and `hash`: the fix written into the draft, atomically, only while the
    /// draft is the text the page showed (409 otherwise); then the draft's page, which the daemon updates.
    func applyFix(_ segments: [String], _ form: ApplyFixForm, session: String?) async -> Response {
        let root = config.paths.drafts
        guard let file = DeskSecurity.draftFile(segments, root: root) else { return notFound(session) }
        let relative = segments.joined(separator: "/")
        guard case .read(_, let bytes) = DraftFiles.read(file, root: root, maxBytes: config.checks.maxDraftBytes) else {
            return message("Draft", "\(DeskText.visible(relative)) cannot be read as a draft.", session: session)
        }
        let changed = message(
            "The draft changed",
            "\(DeskText.visible(relative)) changed since its page was shown, so nothing was written. Open it again "
                + "to see its findings as they are now.",
            session: session, status: .conflict)
        guard form.hash == ContentHash.sha256Hex(bytes) else { return changed }
        let findings = await currentFindings(relative, file: file, bytes: bytes)
        let chosen = findings.lazy.flatMap { finding in
            finding.fixes.enumerated().map { (DeskApp.fixKey(finding, $0), $1) }
        }.first { $0.0 == form.fix }?.1
        guard let chosen else {
            return message(
                "No such fix", "That fix is no longer offered for \(DeskText.visible(relative)); open the draft again.",
                session: session, status: .conflict)
        }
        do {
            let new = try FixApplier.apply([chosen], to: bytes)
            guard try AtomicOutput.replaceFile(file, new, expected: bytes) else { return changed }
        } catch {
            logger.error("the desk could not apply a fix", metadata: ["draft": "\(relative)", "error": "\(error)"])
            return message(
                "Not applied", "The fix could not be written to \(DeskText.visible(relative)): \(error)",
                session: session, status: .conflict)
        }
        logger.notice("a fix was applied from the desk", metadata: ["draft": "\(relative)", "fix": "\(chosen.title)"])
        return Response(status: .seeOther, headers: [.location: "/drafts/" + DeskApp.pathForURL(relative)])
    }

    /// The draft's findings as its report has them (links and quotes included); the offline ones when no report
    /// was written yet.
    func currentFindings(_ relative: String, file: String, bytes: [UInt8]) async -> [Finding] {
        if let known = await drafts.findings(of: relative) { return known }
        let workspace = holder.workspace
        return DraftChecker(config: workspace.config, registry: workspace.registry, today: LocalCalendar.today())
            .check(path: file, bytes: bytes).report.findings
    }

    /// `/issues/next` and `/issues/<date>`: the issue as the templates render it, and what was left out.
    func issuePage(_ which: String, images: Bool = false, session: String?) async -> Response {
        let workspace = holder.workspace
        // Remote images only when the editor asks: a draft may name a tracking pixel.
        let imagesQuery = images ? "?images=1" : ""
        let imagesToggle = "/issues/\(which)" + (images ? "" : "?images=1")
        if which == "next" {
            let build = DigestBuild(config: workspace.config, registry: workspace.registry, state: state)
            let date = await drafts.account.nextIssue
            do {
                let preview = try await build.preview(date: date, account: await drafts.draftsForBuild())
                let report = preview.report
                let values = IssuePage(
                    title: "Issue \(date) (preview)", date: date.description, isNext: true,
                    hasIssue: preview.web != nil, included: report.included.map(DeskApp.includedRow),
                    leftOut: report.leftOut.map(DeskApp.leftOutRow), emailChecked: report.email != nil,
                    emailFindings: DeskApp.emailRows(report.email),
                    unverified: report.unverifiedLinks + report.unverifiedQuotes > 0,
                    unverifiedLinks: DraftAccount.counted(report.unverifiedLinks, "link"),
                    unverifiedQuotes: DraftAccount.counted(report.unverifiedQuotes, "quote"),
                    web: "/issues/next/web" + imagesQuery, email: "/issues/next/email" + imagesQuery,
                    imagesShown: images, imagesToggle: imagesToggle)
                return page("issue", values, session: session)
            } catch {
                return message("Issue \(date)", "The issue cannot be previewed: \(error)", session: session)
            }
        }
        guard let date = Day(iso: which), date.description == which else { return notFound(session) }
        let store = IssueStore(state)
        let published = await readOrLogged("the published issues", []) { try await store.published() }
        guard let issue = published.first(where: { $0.date == which }) else { return notFound(session) }
        let items = await readOrLogged("the issue's items", []) { try await store.items(of: date) }
        let folder = workspace.config.paths.digests + "/" + which
        let report = FileManager.default.contents(atPath: folder + "/build.json").flatMap { data in
            orLogged("the build report of \(which)", nil) { try JSONDecoder().decode(BuildReport.self, from: data) }
        }
        let values = IssuePage(
            title: "Issue \(which)", date: which, isNext: false, hasIssue: true, published: true,
            builtAt: issue.builtAt.map { DeskApp.time(DeskApp.seconds(iso: $0), in: config) }
                ?? "imported, not built here",
            version: issue.version, versions: issue.versions.count,
            included: items.map {
                IncludedRow(
                    path: DeskText.visible($0.path), href: "/drafts/" + DeskApp.pathForURL($0.path),
                    title: DeskText.visible($0.title), placement: $0.placement)
            },
            // A published issue's left-out drafts may be gone from the folder: named, not linked.
            leftOut: (report?.leftOut ?? []).map { DeskApp.leftOutRow($0, linked: false) },
            emailChecked: report?.email != nil, emailFindings: DeskApp.emailRows(report?.email),
            preservation: await preservationRows(which), delivery: deliveryValues(issue),
            downloads: [
                .init(href: "/issues/\(which)/files/email.html", label: "Email HTML"),
                .init(href: "/issues/\(which)/files/digest.txt", label: "Text"),
                .init(href: "/issues/\(which)/files/digest.md", label: "Markdown"),
            ],
            web: "/issues/\(which)/web" + imagesQuery, email: "/issues/\(which)/email" + imagesQuery,
            imagesShown: images, imagesToggle: imagesToggle)
        return page("issue", values, session: session)
    }

    static func includedRow(_ item: BuildReport.Included) -> IncludedRow {
        IncludedRow(
            path: DeskText.visible(item.path), href: "/drafts/" + pathForURL(item.path),
            title: DeskText.visible(item.title), placement: item.placement)
    }

    static func leftOutRow(_ item: BuildReport.LeftOut) -> LeftOutRow { leftOutRow(item, linked: true) }

    static func leftOutRow(_ item: BuildReport.LeftOut, linked: Bool) -> LeftOutRow {
        LeftOutRow(
            path: DeskText.visible(item.path), href: linked ? "/drafts/" + pathForURL(item.path) : nil,
            status: item.status.rawValue, statusClass: item.status.cssClass, reason: item.reason)
    }

    /// The email checks' findings for the issue page (nil: the build predates the checks).
    static func emailRows(_ findings: [EmailFinding]?) -> [IssuePage.EmailRow] {
        (findings ?? []).map { IssuePage.EmailRow(rule: $0.rule, message: $0.message, line: $0.line) }
    }

    /// `/issues`: every published issue, newest first.
    func archivePage(session: String?) async -> Response {
        let store = IssueStore(state)
        let published = await readOrLogged("the published issues", []) { try await store.published() }
        let rows = published.map { issue in
            ArchivePage.Row(
                date: issue.date, href: "/issues/\(issue.date)", title: DeskText.visible(issue.title),
                items: ItemCount(items: issue.items, sponsors: issue.sponsors).description,
                builtAt: issue.builtAt.map { DeskApp.time(DeskApp.seconds(iso: $0), in: config) } ?? "imported",
                version: issue.version)
        }
        return page("archive", ArchivePage(issues: rows), session: session)
    }

    /// `/issues/<date>/files/<name>`: a published issue's email HTML, text or Markdown, as a download.
    func issueFile(_ which: String, _ name: String) -> Response {
        let types = [
            "email.html": "text/html; charset=utf-8", "digest.txt": "text/plain; charset=utf-8",
            "digest.md": "text/markdown; charset=utf-8",
        ]
        guard let type = types[name], let date = Day(iso: which), date.description == which,
            let data = FileManager.default.contents(atPath: config.paths.digests + "/" + which + "/" + name)
        else { return Response(status: .notFound) }
        return Response(
            status: .ok,
            headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(which)-\(name)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func seconds(iso: String) -> Double {
        guard let day = Day(iso: String(iso.prefix(10))), iso.count >= 19 else { return 0 }
        let time = iso.dropFirst(11).prefix(8).split(separator: ":").compactMap { Double($0) }
        guard time.count == 3 else { return 0 }
        return Double(day.daysSinceEpoch) * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]
    }

    /// The issue's own HTML (web or email), for the preview's frame: sandboxed, no script.
    func issueDocument(_ which: String, _ variant: String, images: Bool = false) async -> Response {
        let workspace = holder.workspace
        var html: String?
        if which == "next" {
            let build = DigestBuild(config: workspace.config, registry: workspace.registry, state: state)
            var preview: DigestBuild.Preview?
            do {
                preview = try await build.preview(
                    date: await drafts.account.nextIssue, account: await drafts.draftsForBuild())
            } catch {
                logger.error("the desk cannot preview the next issue", metadata: ["error": "\(error)"])
            }
            html = variant == "web" ? preview?.web : preview?.email
            if html == nil {
                html = "<!DOCTYPE html><title>No issue</title><p>No draft is ready for the next issue yet.</p>"
            }
        } else if let date = Day(iso: which), date.description == which {
            let file = workspace.config.paths.digests + "/" + which + (variant == "web" ? "/index.html" : "/email.html")
            html = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) }
        }
        guard let html else { return Response(status: .notFound) }
        var response = Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        // The issue's own styles are inline; it may be framed by the desk only, and runs nothing.
        // No remote resource unless the editor asked for the images on this view (a draft may name a tracking pixel).
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src \(images ? "https: data:" : "data:"); frame-ancestors 'self'; sandbox"
        return response
    }

    /// `POST /issues/next/build` (the coming issue, now) and `POST /issues/<date>/rebuild` (a published issue
    /// replaced, after its own confirmation): the build takes the account's ready drafts.
    func build(replacing published: Day? = nil, session: String?) async -> Response {
        let started = building.withLock { running -> Bool in
            guard !running else { return false }
            running = true
            return true
        }
        guard started else {
            return message("Build", "A build is already running; reload in a moment.", session: session)
        }
        defer { building.withLock { $0 = false } }
        let workspace = holder.workspace
        let build = DigestBuild(config: workspace.config, registry: workspace.registry, state: state)
        let date: Day
        if let published { date = published } else { date = await drafts.account.nextIssue }
        let began = DispatchTime.now()
        do {
            let outcome = try await build.run(
                date: date, root: workspace.config.paths.digests, dryRun: false, replace: published != nil,
                account: await drafts.draftsForBuild(target: date), trigger: .desk)
            await drafts.publishedChanged()
            Timer(label: "briefd_build_seconds").recordInterval(since: began)
            Counter(label: "briefd_builds_total", dimensions: [("outcome", outcome.isEmpty ? "empty" : "built")])
                .increment()
            logger.notice(
                "build from the desk",
                metadata: [
                    "issue": "\(date)", "items": "\(outcome.report.included.count)",
                    "version": "\(outcome.version ?? 0)",
                ])
            var values = DeskApp.outcomeValues(outcome.report)
            if let published, let links, outcome.folder != nil,
                let line = await CampaignHandOff(
                    config: workspace.config, registry: workspace.registry, state: state
                ).followReplacement(
                    of: published, links: links, user: "the desk", daemonRuns: true, environment: environment)
            {
                // The replaced issue's campaign follows the new version, or says why it could not.
                values.problems.append(line)
            }
            if outcome.isEmpty {
                values.title = "Not built"
                values.text = "No draft is ready: the issue of \(date) was not built."
            } else {
                values.title = "Built"
                values.text =
                    published == nil
                    ? "The issue of \(date) was built and published."
                    : "The issue of \(date) was replaced: version \(outcome.version ?? 0) is published; the earlier one is kept."
                values.link = "/issues/\(date)"
                values.linkText = "See the issue"
            }
            return page("outcome", values, session: session)
        } catch {
            Counter(label: "briefd_builds_total", dimensions: [("outcome", "failed")]).increment()
            logger.error(
                "build from the desk failed",
                metadata: ["issue": "\(date)", "step": "\(error.step.rawValue)", "error": "\(error)"])
            let advice: String
            switch error.step {
            case .templates: advice = "A template in \(workspace.config.paths.templates) needs fixing."
            case .writing:
                advice =
                    error.isDiskFull
                    ? "The disk is full: free some space, then build again." : "The digests folder cannot be written."
            case .state: advice = "The state database cannot be used."
            case .published: advice = "It is already published."
            case .busy:
                advice = "Another build, restore or hand-off of this workspace is running; try again when it is done."
            }
            return message("Build failed", "The issue of \(date) was not built. \(advice) (\(error))", session: session)
        }
    }

    /// A build's outcome as lists: what went in, what was left out and why, problems.
    static func outcomeValues(_ report: BuildReport) -> OutcomePage {
        OutcomePage(
            title: "", text: "", included: report.included.map(includedRow), leftOut: report.leftOut.map(leftOutRow),
            problems: report.errors + report.warnings, unverified: report.unverifiedLinks + report.unverifiedQuotes > 0,
            unverifiedText:
                "\(DraftAccount.counted(report.unverifiedLinks, "link")) and \(DraftAccount.counted(report.unverifiedQuotes, "quote")) went out unverified (they could not be checked)."
        )
    }

    /// `/links`: suspect and dead links, the issues citing them, and the alerts.
    func linksPage(session: String?) async -> Response {
        let rot = RotStore(state)
        let watched = await readOrLogged("the link health", [:]) { try await rot.states() }
        let troubled = watched.values.filter { $0.state != .alive }.sorted {
            ($0.state == .dead ? 0 : 1, $0.url) < ($1.state == .dead ? 0 : 1, $1.url)
        }
        var citing: [String: [String]] = [:]
        do {
            citing = try await IssueStore(state).issuesCiting(troubled.map(\.url))
        } catch {
            logger.error("the desk cannot read the published issues", metadata: ["error": "\(error)"])
        }
        var drafts: [String: [String]] = [:]
        for row in await self.drafts.account.drafts where row.standing.status != .published {
            for url in row.facts.citedLinks { drafts[url, default: []].append(row.path) }
        }
        let history = LinkStore(state)
        let reasons = await readOrLogged("the link history", [:]) {
            try await history.latest(of: troubled.map(\.url)).compactMapValues {
                LinkProblem.sentence(status: $0.status, error: $0.error)
            }
        }
        // Only a web address becomes a link (the archive's answer is outside input): `copies` checks each.
        let copies = await copies(
            of: troubled.map(\.url),
            wayback: troubled.reduce(into: [:]) { found, link in found[link.url] = link.archivedURL })
        let rows = troubled.map { link in
            LinksPage.Row(
                url: link.url, state: link.state.rawValue, failures: link.failures,
                issues: (citing[link.url] ?? []).map { .init(date: $0, href: "/issues/\($0)") },
                drafts: (drafts[link.url] ?? []).sorted().map {
                    DraftLink(path: DeskText.visible($0), href: "/drafts/" + DeskApp.pathForURL($0))
                },
                firstFailure: link.firstFailure.map(time) ?? "",
                lastCheck: link.lastCheck.map(time) ?? "",
                status: link.lastStatus, reason: reasons[link.url], copies: copies[link.url] ?? [])
        }
        let alerts = await readOrLogged("the alerts", []) { try await rot.deliveries() }
        let alertRows = alerts.prefix(100).map { entry in
            LinksPage.Alert(
                url: entry.alert.url, kind: "\(entry.alert.kind)",
                raised: DeskApp.time(entry.alert.raisedAt, in: config),
                delivered: entry.delivered.joined(separator: ", "), waiting: entry.waiting.joined(separator: ", "))
        }
        let published = rows.filter { !$0.issues.isEmpty }.count
        let counts = await readOrLogged("the watched links", nil) {
            try await RotMonitor(config: config, registry: holder.workspace.registry).counts(state: state)
        }
        let values = LinksPage(
            rows: rows, counts: counts?.description ?? "The watched links cannot be counted now (see the log).",
            troubledPublished: published, troubledWaiting: rows.count - published, alerts: Array(alertRows))
        return page("links", values, session: session)
    }

    /// `GET /clip`: the form.
    func clipForm(session: String?, problem: String? = nil, url: String = "") -> Response {
        let values = ClipPage(
            url: url, online: links != nil,
            sections: [.init(value: "", label: "where this publication's items usually go")]
                + config.newsletter.sections.map { .init(value: $0, label: $0) }, problem: problem)
        return page("clip", values, session: session, status: problem == nil ? .ok : .unprocessableContent)
    }

    /// `POST /clip`: a new draft from the address, then its page.
    func clip(_ form: ClipForm, session: String?) async -> Response {
        let url = (form.url ?? "").trimmingCharacters(in: .whitespaces)
        guard let links else {
            return clipForm(session: session, problem: "The daemon runs --offline: it fetches no page.", url: url)
        }
        guard let address = WebAddress(url), address.isHTTP else {
            return clipForm(session: session, problem: "'\(url)' is not an http(s) address.", url: url)
        }
        let section = form.section.flatMap { $0.isEmpty ? nil : $0 }
        if let section, !config.newsletter.sections.contains(section) {
            return clipForm(session: session, problem: "'\(section)' is not a section.", url: url)
        }
        let workspace = holder.workspace
        do {
            let outcome = try await RunContext(
                config: workspace.config, registry: workspace.registry, state: state, links: links
            )
            .clip(
                url, page: .web, section: section, issue: nil, featured: form.featured == "on", write: true,
                today: LocalCalendar.today())
            guard let path = outcome.path else {
                return clipForm(session: session, problem: "Nothing was written.", url: url)
            }
            let root = workspace.config.paths.drafts + "/"
            let relative = path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
            return Response(status: .seeOther, headers: [.location: "/drafts/" + DeskApp.pathForURL(relative)])
        } catch let unavailable as ClipRun.Unavailable {
            return clipForm(
                session: session, problem: "The page cannot be had: \(unavailable.verdict): \(unavailable.reason)",
                url: url)
        } catch {
            return clipForm(session: session, problem: "The draft could not be made: \(error)", url: url)
        }
    }

    /// `/healthz`: up, drafts watched, last scan, last build; without `detailed`, the reasons (which name files and
    /// errors) are left out.
    func health(detailed: Bool = true) async -> Response {
        let account = await drafts.account
        let counts = account.counts
        let lastScan = await drafts.lastScanFinished
        let store = DaemonStore(state)
        let lastBuild = await readOrLogged("the last build", nil) { try await store.lastBuild() }
        let body = Health(
            up: true, drafts: account.drafts.count,
            byStatus: Dictionary(uniqueKeysWithValues: DraftStatus.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
            online: links != nil, liveListeners: feed.listenerCount,
            lastScan: lastScan.map { DeskApp.iso($0.timeIntervalSince1970) },
            lastBuild: lastBuild.map {
                Health.Build(
                    issue: $0.issueDate, finished: DeskApp.iso($0.finishedAt),
                    outcome: detailed || !$0.outcome.hasPrefix("failed") ? $0.outcome : "failed",
                    trigger: $0.trigger)
            },
            nextIssue: account.nextIssue.description,
            lastReload: DeskApp.reloadValue(holder.reload).map { reload in
                var shown = reload
                if !detailed && shown.reason != nil { shown.reason = "shown to a logged-in editor" }
                return shown
            })
        let data = Array(JSONText.line(body).utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: - The JSON API: the same account as the pages

    /// `GET /api/drafts`.
    func apiDrafts() async -> Response {
        let account = await drafts.account
        let due = await BuildScheduler.nextBuild(config, store: DaemonStore(state), coming: account.nextIssue)?.due
        let document = AccountDocuments.Drafts(
            nextIssue: .init(
                date: account.nextIssue, buildAt: due.map { JSONText.timestamp($0.timeIntervalSince1970) }),
            drafts: account.drafts.map { AccountDocuments.DraftEntry(facts: $0.facts, standing: $0.standing) })
        return DeskApp.json(document)
    }

    /// `GET /api/issues/next`.
    func apiNextIssue() async -> Response {
        let workspace = holder.workspace
        let build = DigestBuild(config: workspace.config, registry: workspace.registry, state: state)
        do {
            let preview = try await build.preview(
                date: await drafts.account.nextIssue, account: await drafts.draftsForBuild())
            return DeskApp.json(AccountDocuments.IssuePlan(preview.report))
        } catch {
            logger.error("the desk cannot assemble the next issue", metadata: ["error": "\(error)"])
            return DeskApp.json(["error": "\(error)"], status: .internalServerError)
        }
    }

    /// `GET /api/issues`.
    func apiIssues() async -> Response {
        let store = IssueStore(state)
        do {
            let published = try await store.published()
            return DeskApp.json(["issues": published])
        } catch {
            logger.error("the desk cannot read the published issues", metadata: ["error": "\(error)"])
            return DeskApp.json(["error": "\(error)"], status: .internalServerError)
        }
    }

    /// How many issues are published (for tests that check a refused build built nothing).
    public func apiIssuesCount() async throws -> Int {
        let store = IssueStore(state)
        return try await store.published().count
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: JSONText.pretty(value))))
    }

    static func reloadValue(_ reload: (at: Date, outcome: WorkspaceHolder.ReloadOutcome)?) -> Health.Reload? {
        guard let reload else { return nil }
        let at = JSONText.timestamp(reload.at.timeIntervalSince1970)
        switch reload.outcome {
        case .applied: return Health.Reload(at: at, outcome: "applied", settings: [], reason: nil)
        case .refused(let settings): return Health.Reload(at: at, outcome: "refused", settings: settings, reason: nil)
        case .failed(let reason): return Health.Reload(at: at, outcome: "failed", settings: [], reason: reason)
        }
    }

    /// `/metrics`: the Prometheus text format.
    func metricsText() async -> Response {
        let counts = await drafts.account.counts
        for status in DraftStatus.allCases {
            Gauge(
                label: "briefd_drafts",
                dimensions: [("status", status.rawValue.replacingOccurrences(of: "-", with: "_"))]
            )
            .record(counts[status] ?? 0)
        }
        var buffer: [UInt8] = []
        metrics.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    // MARK: - Helpers

    /// What every page's layout shows: the session's CSRF token for its forms, the login, the newsletter.
    func layout(session: String?) -> DeskLayout {
        DeskLayout(
            csrf: security.csrfToken(session: security.requiresLogin ? session : nil),
            loginRequired: security.requiresLogin, newsletter: config.newsletter.name)
    }

    /// A page: the template of `name` with its values (one of the types in DeskPages.swift), inside the layout.
    func page(_ name: String, _ values: Any, session: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        switch templates.render(name, values, layout: layout(session: session)) {
        case .success(let html):
            return Response(
                status: status, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: html)))
        case .failure(let problem):
            logger.error("a desk template cannot be used", metadata: ["error": "\(problem)"])
            return Response(
                status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "The desk's templates cannot be used: \(problem)\n")))
        }
    }

    func message(_ title: String, _ text: String, session: String?, status: HTTPResponse.Status = .ok) -> Response {
        page("message", MessagePage(title: title, text: text), session: session, status: status)
    }

    func notFound(_ session: String?) -> Response {
        message("Not found", "There is no such page on the desk.", session: session, status: .notFound)
    }

    /// A page shows what it can when a store cannot be read; the reason goes to the log, not to the reader.
    func orLogged<T>(_ what: String, _ fallback: T, _ body: () throws -> T) -> T {
        do {
            return try body()
        } catch {
            logger.error("the desk cannot read \(what)", metadata: ["error": "\(error)"])
            return fallback
        }
    }

    /// The same for a store's (async) read.
    func readOrLogged<T>(_ what: String, _ fallback: T, _ body: () async throws -> T) async -> T {
        do {
            return try await body()
        } catch {
            logger.error("the desk cannot read \(what)", metadata: ["error": "\(error)"])
            return fallback
        }
    }

    /// A relative path as a URL path: each segment percent-encoded.
    static func pathForURL(_ path: String) -> String {
        path.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? "" }
            .joined(separator: "/")
    }

    private static let segmentCharacters = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#;"))

    static func query(_ values: [String: String?]) -> String {
        values.compactMap { key, value in
            value.map { "\(key)=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        }.sorted().joined(separator: "&")
    }

    /// "2026-11-28 11:08 +08:00", in the newsletter's time zone (`schedule.timezone`) with its offset: an editor
    /// in another time zone must not read the server's hour as her own.
    static func time(_ seconds: Double, in config: Config) -> String {
        ZonedTime.text(seconds, in: config.daemon.build.timeZone)
    }

    /// The same, for what the pages' values are built from.
    func time(_ seconds: Double) -> String { DeskApp.time(seconds, in: config) }

    static func iso(_ seconds: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }

    /// The page's passage of a `quote.altered` finding, with the words the message names ("where the page has
    /// 'rectifying'") marked.
    static func markedPassage(_ passage: String, message: String) -> [PassageRun] {
        var words: [String] = []
        var rest = Substring(message)
        while let range = rest.range(of: "where the page has '") {
            let after = rest[range.upperBound...]
            guard let end = after.firstIndex(of: "'") else { break }
            words.append(String(after[..<end]))
            rest = after[after.index(after: end)...]
        }
        var runs: [PassageRun] = []
        var remaining = Substring(passage)
        while !remaining.isEmpty {
            let next = words.compactMap { word in word.isEmpty ? nil : remaining.range(of: word) }.min {
                $0.lowerBound < $1.lowerBound
            }
            guard let next else {
                runs.append(PassageRun(text: String(remaining), marked: false))
                break
            }
            if next.lowerBound > remaining.startIndex {
                runs.append(PassageRun(text: String(remaining[..<next.lowerBound]), marked: false))
            }
            runs.append(PassageRun(text: String(remaining[next]), marked: true))
            remaining = remaining[next.upperBound...]
        }
        return runs
    }
}

extension DraftStatus {
    /// Needs work first: the list is a to-do list.
    var order: Int {
        switch self {
        case .needsWork: 0
        case .unreadable: 1
        case .checking: 2
        case .ready: 3
        case .held: 4
        case .published: 5
        }
    }

    var cssClass: String { rawValue }
}

/// `/healthz`'s answer; absent values are `null`, not left out.
struct Health: Encodable {
    struct Build: Encodable {
        var issue: String
        var finished: String
        var outcome: String
        var trigger: String
    }

    var up = true
    var drafts: Int
    var byStatus: [String: Int]
    var online: Bool
    var liveListeners: Int
    @NullEncoded var lastScan: String?
    @NullEncoded var lastBuild: Build?
    var nextIssue: String
    /// The last reload (SIGHUP): when, "applied", "refused" (with the settings only a restart applies) or "failed".
    @NullEncoded var lastReload: Reload?

    struct Reload: Encodable {
        var at: String
        var outcome: String
        var settings: [String]
        @NullEncoded var reason: String?
    }

    enum CodingKeys: String, CodingKey {
        case up, drafts
        case byStatus = "by_status"
        case online
        case liveListeners = "live_listeners"
        case lastScan = "last_scan"
        case lastBuild = "last_build"
        case nextIssue = "next_issue"
        case lastReload = "last_reload"
    }
}
