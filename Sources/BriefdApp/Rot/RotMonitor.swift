public import BriefdIO
public import BriefdCore
import Foundation

/// Re-checks every published link (and every link of a draft waiting for the next issue), follows each link's
/// state, and raises an alert when a link dies (with an archived copy when there is one) or comes back.
public struct RotMonitor: Sendable {
    public let config: Config
    public let registry: Registry
    /// The drafts as the account has them (the daemon's, or a command's `SavedAccount`): which drafts cite which
    /// link is the account's answer, not a parse of the folder of the monitor's own.
    public let drafts: [DraftFacts]

    public init(config: Config, registry: Registry, drafts: [DraftFacts]) {
        self.config = config
        self.registry = registry
        self.drafts = drafts
    }

    public struct Pass: Sendable {
        public var checked: Int
        public var watched: Int
        public var alerts: [RotAlert]
        /// Links not checked because no host name resolved (the network was down): no failure counted for them.
        public var unverified: Int = 0
    }

    /// Where each watched link is cited: issues (from the record of published issues) and drafts; and which of
    /// them are pages that drafts quote (their check keeps the page for the quote check).
    public func citations(state: StateDatabase) async throws -> [String: [RotAlert.Citation]] {
        try await watched(state: state).citations
    }

    /// Every watched address without its fragment (as the link states are kept), for the counts.
    public func watchedURLs(state: StateDatabase) async throws -> Set<String> {
        Set(try await watched(state: state).citations.keys.map(LinkProbe.withoutFragment))
    }

    /// The watched links' counts (`LinkWatchCount`), one way for `briefd rot` and the desk.
    public func counts(state: StateDatabase) async throws -> LinkWatchCount {
        let states = try await RotStore(state).states()
        return LinkWatchCount(
            watching: try await watchedURLs(state: state),
            states: states.mapValues { ($0.state, $0.lastStatus != nil || $0.failures > 0) })
    }

    func watched(state: StateDatabase) async throws -> (
        citations: [String: [RotAlert.Citation]], quotedPages: Set<String>
    ) {
        var citations: [String: [RotAlert.Citation]] = [:]
        var quotedPages: Set<String> = []
        let issues = IssueStore(state)
        for (date, item) in try await issues.allItems() {
            citations[item.url, default: []].append(.init(issue: date, title: item.title))
        }
        for facts in drafts {
            quotedPages.formUnion(facts.quotedPages ?? [])
            for url in facts.citedLinks where WebAddress(url)?.isHTTP == true {
                citations[url, default: []].append(.init(draft: facts.path))
            }
        }
        return (citations, quotedPages)
    }

    /// One pass at `now` (seconds since 1970; injectable for tests). `everything` checks every link; otherwise
    /// only links not checked for `rot.recheck_hours`, at most the share that spreads them over that interval
    /// (a pass every `passInterval` seconds).
    ///
    /// Checks go through the process's link service: the same politeness limits as every other request, and a
    /// link being checked for a draft at that moment is not requested twice.
    public func pass(now: Double, everything: Bool, passInterval: Double, links service: LinkService) async throws
        -> Pass
    {
        let state = service.state
        let links = LinkStore(state)
        let rot = RotStore(state)
        let (citations, quotedPages) = try await watched(state: state)
        let urls = citations.keys.sorted()
        let recheck = Double(config.rot.recheckHours) * 3600
        var due = urls
        if !everything {
            let last = try await links.lastChecked(urls)
            due = urls.filter { (last[$0] ?? 0) <= now - recheck }.sorted { (last[$0] ?? 0) < (last[$1] ?? 0) }
            let share = Int((Double(urls.count) * passInterval / recheck).rounded(.up))
            due = Array(due.prefix(max(share, 1)))
        }
        // Check: the link checker's politeness and safety; the history is written here, at the pass's time. An
        // explicit "now" (`everything`) requests every link again; the daemon's own passes may reuse a result
        // of the last minute.
        let results = await service.checker.check(
            due.map { CitedLink(url: $0, citations: []) }, reuse: everything ? .inFlight : .recent, record: false,
            keepingPages: quotedPages)
        var checked: [LinkResult] = []
        var checkedForOthers: Set<String> = []
        var unverified = 0
        for url in due {
            guard var result = results[url] else { continue }  // The service shut down first.
            // No host name resolves: the network is down, which says nothing of the link. No failure is counted.
            if result.verdict == .unverified {
                unverified += 1
                continue
            }
            result.url = LinkProbe.withoutFragment(url)
            // A result shared with a draft's check is in the history already, at its own time.
            if result.cached { checkedForOthers.insert(result.url) } else { result.checkedAt = now }
            checked.append(result)
        }
        // A host all of whose links failed in this pass is down, not its links.
        var byHost: [String: [LinkResult]] = [:]
        for result in checked {
            guard let address = WebAddress(result.url) else { continue }
            byHost[address.hostKey, default: []].append(result)
        }
        var outage: Set<String> = []
        for (_, group) in byHost
        where group.count >= 2 && group.allSatisfy({ HealthCheck.kind(of: $0.verdict) == .failure }) {
            outage.formUnion(group.map(\.url))
        }
        try await links.record(checked.filter { !checkedForOthers.contains($0.url) }, hostOutage: outage)

        let previous = try await rot.states()
        let checks = try await links.healthChecks(of: checked.map(\.url))
        var updated: [RotStore.Watched] = []
        var alerts: [RotAlert] = []
        let lookup = ArchiveLookup(client: service.client, baseURL: config.rot.archiveBaseURL)
        for result in checked {
            let url = result.url
            let health = LinkHealth.evaluate(checks[url] ?? [], policy: config.rot)
            let before = previous[url]?.state ?? .alive
            var watched = RotStore.Watched(
                url: url, state: health.state, failures: health.failures, firstFailure: health.firstFailure,
                lastCheck: health.lastCheck, lastStatus: health.lastStatus, archivedURL: previous[url]?.archivedURL)
            var cited = citations[url] ?? citations.first { LinkProbe.withoutFragment($0.key) == url }?.value ?? []
            if health.state != before && (health.state == .dead || before == .dead) {
                // Only a link whose alert goes out has its drafts read again, for the line and column of each citation.
                cited = positioned(cited, of: url)
            }
            if health.state == .dead && before != .dead {
                let firstIssue = cited.compactMap(\.issue).min().flatMap { Day(iso: $0) }
                let wayback = await lookup.find(url, before: firstIssue)
                var alert = RotAlert(
                    kind: .dead, url: url, citations: cited, health: health, archivedURL: wayback.url, raisedAt: now,
                    ownCopies: try await ownCopies(of: url, state: state))
                alert.lookupProblem = wayback.problem
                alert.timeZone = config.daemon.build.timeZone.identifier
                watched.archivedURL = alert.archivedURL
                alerts.append(alert)
            } else if health.state == .alive && before == .dead {
                var alert = RotAlert(
                    kind: .recovered, url: url, citations: cited, health: health, archivedURL: nil, raisedAt: now)
                alert.timeZone = config.daemon.build.timeZone.identifier
                alerts.append(alert)
            }
            updated.append(watched)
        }
        let raised = try await rot.save(updated, alerts: alerts, sinks: config.alerts.sinks, now: now)
        return Pass(checked: checked.count, watched: urls.count, alerts: raised, unverified: unverified)
    }

    /// The drafts' citations of `url` with where each is in its draft (read now: the account keeps which drafts cite
    /// a link, not where). A draft that cannot be read now keeps its citation without a position.
    private func positioned(_ citations: [RotAlert.Citation], of url: String) -> [RotAlert.Citation] {
        let root = config.paths.drafts
        var positioned: [RotAlert.Citation] = []
        for citation in citations {
            guard let path = citation.draft,
                case .read(_, let bytes) = DraftFiles.read(
                    root + "/" + path, root: root, maxBytes: config.checks.maxDraftBytes)
            else {
                positioned.append(citation)
                continue
            }
            let found = LinkExtractor.links(path: path, bytes: bytes)
                .filter { $0.url == url || LinkProbe.withoutFragment($0.url) == url }
                .flatMap(\.citations)
            if found.isEmpty {
                positioned.append(citation)
            } else {
                positioned += found.map { .init(draft: path, line: $0.line, column: $0.column) }
            }
        }
        return positioned
    }

    /// The copies briefd itself keeps of `url`: the Save Page Now snapshot, and the issue's own capture — served by
    /// the desk, so offered only when the desk has a public address (`web.public_url`): a loopback address in an
    /// alert is a link nobody else can open.
    private func ownCopies(of url: String, state: StateDatabase) async throws -> [ArchivedCopy] {
        let store = PreservationStore(state)
        var copies: [ArchivedCopy] = []
        if let publicURL = config.web.publicURL, let capture = try await store.goodCopies(of: [url])[url] {
            copies.append(
                ArchivedCopy(
                    kind: .issueCapture,
                    url: publicURL + "/archive/\(capture.issueDate)/\(capture.position + 1)",
                    takenAt: capture.capturedAt.map(JSONText.timestamp)))
        }
        if let submission = try await store.snapshots(of: [url])[url], let snapshot = submission.snapshot {
            copies.append(
                ArchivedCopy(
                    kind: .savePageNow, url: snapshot, takenAt: submission.submittedAt.map(JSONText.timestamp)))
        }
        return copies
    }
}
