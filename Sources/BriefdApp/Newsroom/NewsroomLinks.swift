public import BriefdCore
public import BriefdIO
import Foundation

/// A published or waiting link's state as the rot monitor keeps it (alive, suspect, dead; failures; last check).
public typealias WatchedLink = RotStore.Watched

/// Link health as the desk's Links page shows it: every watched link that is not alive, the issues and drafts that
/// cite it, why it failed, the copies offered; the alerts and what became of them.
extension Newsroom {
    public struct TroubledLink: Sendable {
        /// Its state as the monitor keeps it.
        public var watched: WatchedLink
        public var url: String { watched.url }
        /// The last failure as a sentence; nil when the history has none.
        public var reason: String?
        /// The published issues citing it (dates).
        public var issues: [String]
        /// The drafts not yet published citing it, from the account (relative paths).
        public var drafts: [String]
        /// Copies of the page, best first.
        public var copies: [PageCopy]
    }

    public struct PageCopy: Sendable {
        public enum Kind: Sendable { case own(issue: String, position: Int, capturedAt: Double?), savePageNow, wayback }
        public var kind: Kind
        /// A web address (`savePageNow`, `wayback`); nil for the issue's own copy, which the desk serves itself.
        public var href: String?
    }

    public struct AlertEntry: Sendable {
        public var alert: RotAlert
        public var delivered: [String]
        public var waiting: [String]
    }

    /// What could not be read, for the page to say (each is logged too).
    public struct LinkHealth: Sendable {
        public var troubled: [TroubledLink]
        public var alerts: [AlertEntry]
        /// nil when the watched links cannot be counted now.
        public var counts: LinkWatchCount?
        public var problems: [String]
    }

    /// Dead links first, then suspect ones, by address.
    public func linkHealth() async -> LinkHealth {
        var problems: [String] = []
        func orNoted<T>(_ what: String, _ fallback: T, _ body: () async throws -> T) async -> T {
            do {
                return try await body()
            } catch {
                logger.error("cannot read \(what)", metadata: ["error": "\(error)"])
                problems.append("\(what) cannot be read now (see the log)")
                return fallback
            }
        }
        let rot = RotStore(state)
        let watched = await orNoted("the link health", [:]) { try await rot.states() }
        let troubled = watched.values.filter { $0.state != .alive }.sorted {
            ($0.state == .dead ? 0 : 1, $0.url) < ($1.state == .dead ? 0 : 1, $1.url)
        }
        let urls = troubled.map(\.url)
        let citing = await orNoted("the published issues", [:]) { try await IssueStore(state).issuesCiting(urls) }
        let citingDrafts = await drafts.citing(Set(urls))
        let reasons = await orNoted("the link history", [:]) {
            try await LinkStore(state).latest(of: urls).compactMapValues {
                LinkProblem.sentence(status: $0.status, error: $0.error)
            }
        }
        let copies = await orNoted("the captures", [:]) {
            try await self.copies(of: urls, wayback: troubled.reduce(into: [:]) { $0[$1.url] = $1.archivedURL })
        }
        let alerts = await orNoted("the alerts", []) {
            try await rot.deliveries().map { AlertEntry(alert: $0.alert, delivered: $0.delivered, waiting: $0.waiting) }
        }
        let counts = await orNoted("the watched links", nil) {
            let facts = await drafts.account.drafts.map(\.facts)
            return try await RotMonitor(config: config, registry: workspace.registry, drafts: facts).counts(
                state: state)
        }
        return LinkHealth(
            troubled: troubled.map { link in
                TroubledLink(
                    watched: link, reason: reasons[link.url],
                    issues: citing[link.url] ?? [], drafts: (citingDrafts[link.url] ?? []).sorted(),
                    copies: copies[link.url] ?? [])
            }, alerts: alerts, counts: counts, problems: problems)
    }

    /// The copies of each link, best first: the issue's own, Save Page Now's, then the Wayback lookup's. Only a web
    /// address becomes a link (the services' answers are outside input).
    func copies(of urls: [String], wayback: [String: String]) async throws -> [String: [PageCopy]] {
        let store = PreservationStore(state)
        let own = try await store.goodCopies(of: urls)
        let snapshots = try await store.snapshots(of: urls)
        var copies: [String: [PageCopy]] = [:]
        for url in urls {
            var list: [PageCopy] = []
            if let capture = own[url] {
                list.append(
                    PageCopy(
                        kind: .own(
                            issue: capture.issueDate, position: capture.position, capturedAt: capture.capturedAt),
                        href: nil))
            }
            if let snapshot = snapshots[url]?.snapshot, WebAddress(snapshot)?.isHTTP == true {
                list.append(PageCopy(kind: .savePageNow, href: snapshot))
            }
            // The monitor stores the best copy it offered; only a Wayback answer is not already listed.
            if let archived = wayback[url], WebAddress(archived)?.isHTTP == true,
                !archived.contains("/archive/\(own[url]?.issueDate ?? "-")/"), archived != snapshots[url]?.snapshot
            {
                list.append(PageCopy(kind: .wayback, href: archived))
            }
            copies[url] = list
        }
        return copies
    }
}
