import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
import Foundation

struct RotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rot",
        abstract: "Published links that are failing: suspect and dead ones with their history and alerts.",
        discussion: """
            With --check-now, runs one pass of the link-rot monitor first: every published link (and every link \
            of a waiting draft) is checked, states move (alive, suspect, dead), alerts are raised and delivered. \
            Exit status: 1 when a link is dead, 0 otherwise, 2 for usage or config problems.
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: "Output format: text or json.")
    var format: LinkFormatOption = .text

    @Flag(help: "Check every watched link now, then report.")
    var checkNow = false

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        let checkNow = self.checkNow
        let environment = ProcessInfo.processInfo.environment
        let outcome:
            (
                states: [String: RotStore.Watched], alerts: [RotAlert], errors: [String: String],
                waiting: [String: Int],
                unverified: Int, reasons: [String: String], counts: LinkWatchCount
            )
        do {
            let state = try openState(config)
            // Which drafts cite which link: the account's answer, the running daemon's when there is one.
            let drafts = try await SavedAccount.drafts(
                config: config, registry: workspace.registry, state: state, daemonRuns: daemonRuns(config),
                today: LocalCalendar.today(), parsing: false
            ).0.facts
            let monitor = RotMonitor(config: config, registry: workspace.registry, drafts: drafts)
            outcome = try await {
                let store = RotStore(state)
                var raised: [RotAlert] = []
                var errors: [String: String] = [:]
                var unverified = 0
                if checkNow {
                    let pass = try await withLinkService(workspace, state: state) { service in
                        try await monitor.pass(
                            now: Date().timeIntervalSince1970, everything: true, passInterval: 0, links: service)
                    }
                    raised = pass.alerts
                    unverified = pass.unverified
                    let delivery = await AlertDispatcher(
                        settings: config.alerts, newsletter: config.newsletter.name, environment: environment,
                        version: Briefd.version
                    )
                    .deliver(store, statePath: config.paths.state, now: Date().timeIntervalSince1970)
                    errors = Dictionary(uniqueKeysWithValues: delivery.errors.map { ($0.key.rawValue, $0.value) })
                }
                var waiting: [String: Int] = [:]
                for delivery in try await store.deliveries() {
                    for sink in delivery.waiting { waiting[sink, default: 0] += 1 }
                }
                let states = try await store.states()
                // Each failing link's last reason, from the history of its checks.
                let failing = states.values.filter { $0.state != .alive }.map(\.url)
                // In the editor's words (the raw library text stays in `briefd links --format json`).
                let reasons = try await LinkStore(state).latest(of: failing).compactMapValues {
                    LinkProblem.sentence(status: $0.status, error: $0.error)
                }
                let counts = try await monitor.counts(state: state)
                return (states, raised, errors, waiting, unverified, reasons, counts)
            }()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
        for (sink, error) in outcome.errors.sorted(by: { $0.key < $1.key }) {
            FileHandleOutput.write(
                "briefd: warning: alerts not delivered to \(sink) (will retry): \(error)\n", to: .standardError)
        }
        let failing = outcome.states.values.filter { $0.state != .alive }.sorted { $0.url < $1.url }
        switch format {
        case .text:
            var out = ""
            for watched in failing {
                out +=
                    "\(watched.state.rawValue) \(watched.url): \(watched.failures) failed check\(watched.failures == 1 ? "" : "s")"
                if let first = watched.firstFailure {
                    out += " since \(ZonedTime.text(first, in: config.daemon.build.timeZone))"
                }
                if let status = watched.lastStatus { out += ", last answer \(status)" }
                if let reason = outcome.reasons[watched.url] { out += "; last reason: \(reason)" }
                if let archived = watched.archivedURL { out += "; archived copy \(archived)" }
                out += "\n"
            }
            for alert in outcome.alerts { out += "alert raised: \(alert.kind.rawValue) \(alert.url)\n" }
            out += "\(outcome.counts)\n"
            if outcome.unverified > 0 {
                out +=
                    "\(outcome.unverified) link\(outcome.unverified == 1 ? "" : "s") not checked: no host name resolves; the network may be down. "
                out += "No failure was counted for \(outcome.unverified == 1 ? "it" : "them").\n"
            }
            for (sink, count) in outcome.waiting.sorted(by: { $0.key < $1.key }) {
                out += "\(count) alert\(count == 1 ? "" : "s") waiting for delivery to \(sink)\n"
            }
            FileHandleOutput.write(out)
        case .json:
            FileHandleOutput.write(
                JSONText.pretty(
                    RotDocument(
                        links: failing.map {
                            .init(
                                url: $0.url, state: $0.state.rawValue, failures: $0.failures,
                                first_failure: $0.firstFailure.map(JSONText.timestamp),
                                last_status: $0.lastStatus, archived_url: $0.archivedURL)
                        },
                        alerts: outcome.alerts, counts: outcome.counts)))
        }
        if failing.contains(where: { $0.state == .dead }) { throw ExitCode(1) }
    }
}

/// `briefd rot --format json`: the suspect and dead links, and the alerts this pass raised.
private struct RotDocument: Encodable {
    struct Link: Encodable {
        var url: String
        var state: String
        var failures: Int
        var first_failure: String?
        var last_status: Int?
        var archived_url: String?

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case url, state, failures, first_failure, last_status, archived_url }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(url, forKey: .url)
            try container.encode(state, forKey: .state)
            try container.encode(failures, forKey: .failures)
            try container.encode(first_failure, forKey: .first_failure)
            try container.encode(last_status, forKey: .last_status)
            try container.encode(archived_url, forKey: .archived_url)
        }
    }
    var links: [Link]
    var alerts: [RotAlert]
    var counts: LinkWatchCount

    func encode(to encoder: any Encoder) throws {
        enum Keys: String, CodingKey { case links, alerts, counts }
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(links, forKey: .links)
        try container.encode(alerts.map(RotAlert.Line.init), forKey: .alerts)
        try container.encode(counts, forKey: .counts)
    }
}
