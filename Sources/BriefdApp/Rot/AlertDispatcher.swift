public import BriefdIO
public import BriefdCore
import Foundation
@preconcurrency import Glibc
import Metrics

/// Delivers the outbox's alerts to every configured sink: a JSON Lines file, a webhook, email. A sink that
/// fails is tried again later (1, 2, 4 … minutes, across restarts); a sink that accepted an alert never gets it
/// again.
public struct AlertDispatcher: Sendable {
    let settings: AlertSettings
    let newsletter: String
    let environment: [String: String]
    /// briefd's version, for the webhook request's User-Agent.
    let version: String

    public init(settings: AlertSettings, newsletter: String, environment: [String: String], version: String) {
        self.settings = settings
        self.newsletter = newsletter
        self.environment = environment
        self.version = version
    }

    /// Tries every due delivery; returns how many alerts each sink accepted, and the errors of the others.
    ///
    /// Under the workspace's alert lock (`statePath`): the daemon and a `briefd rot --check-now` delivering at the same
    /// moment take turns, and the second finds the first's deliveries recorded, so each alert reaches each sink once.
    @discardableResult
    public func deliver(_ store: RotStore, statePath: String, now: Double) async -> (
        accepted: [AlertSink: Int], errors: [AlertSink: String]
    ) {
        let lock: WorkspaceLock
        do {
            lock = try await WorkspaceLock.acquire(
                statePath: statePath, scope: .alerts, purpose: "the delivery of link-rot alerts", waitingAtMost: 180)
        } catch {
            // Left in the outbox: the next pass delivers them.
            let problem = "the alerts were not delivered now: \(error)"
            return ([:], Dictionary(uniqueKeysWithValues: settings.sinks.map { ($0, problem) }))
        }
        defer { lock.release() }
        return await deliverHoldingTheLock(store, now: now)
    }

    private func deliverHoldingTheLock(_ store: RotStore, now: Double) async -> (
        accepted: [AlertSink: Int], errors: [AlertSink: String]
    ) {
        var accepted: [AlertSink: Int] = [:]
        var errors: [AlertSink: String] = [:]
        func note(_ sink: AlertSink, _ problem: String) {
            errors[sink] = errors[sink].map { $0 + "; " + problem } ?? problem
        }
        for sink in settings.sinks {
            let pending: [(id: Int64, alert: RotAlert)]
            do {
                let due = try await store.pending(for: sink, now: now)
                pending = due.alerts
                if !due.unreadable.isEmpty {
                    // Kept in the outbox (a later version may read them), retried on the backoff, and said.
                    let problem = "alert(s) \(due.unreadable) in the outbox cannot be read by this version of briefd"
                    note(sink, problem)
                    // Said above either way.
                    try? await store.failed(due.unreadable, to: sink, error: problem, now: now)
                }
            } catch {
                note(sink, "cannot read the alert outbox: \(error)")
                continue
            }
            guard !pending.isEmpty else { continue }
            let problem: String?
            switch sink {
            case .jsonl: problem = appendLines(pending.map(\.alert))
            case .webhook: problem = await post(pending.map(\.alert))
            case .smtp: problem = await mail(pending.map(\.alert))
            }
            let ids = pending.map(\.id)
            Counter(
                label: "briefd_alerts_total",
                dimensions: [("sink", sink.rawValue), ("outcome", problem == nil ? "accepted" : "failed")]
            )
            .increment(by: ids.count)
            if let problem {
                note(sink, problem)
                do {
                    try await store.failed(ids, to: sink, error: problem, now: now)
                } catch {
                    // Unrecorded, the failure is only retried sooner than the backoff says: said, not fatal.
                    note(sink, "and its retry time could not be recorded: \(error)")
                }
            } else {
                accepted[sink] = ids.count
                // Unrecorded, a delivery would be made again at the next pass: a duplicate alert. One more try
                // after a moment (a busy database), then it is reported as an error so that the log says why.
                do {
                    try await store.delivered(ids, to: sink, now: now)
                } catch {
                    try? await Task.sleep(for: .milliseconds(200))
                    do {
                        try await store.delivered(ids, to: sink, now: now)
                    } catch {
                        note(
                            sink,
                            "\(ids.count) alert(s) delivered, but the delivery could not be recorded (\(error)); they may be sent again"
                        )
                    }
                }
            }
        }
        return (accepted, errors)
    }

    /// One write of all the lines, appended (O_APPEND) and fsync'd: a reader sees whole lines.
    func appendLines(_ alerts: [RotAlert]) -> String? {
        guard let path = settings.jsonl else { return nil }
        return AppendOnlyFile.append(Array(alerts.map { $0.jsonLine + "\n" }.joined().utf8), to: path)
    }

    /// One POST per alert: the alert as JSON with a Slack-compatible `text`; a bearer token from the environment.
    func post(_ alerts: [RotAlert]) async -> String? {
        guard let url = settings.webhookURL, let address = WebAddress(url) else { return nil }
        // The webhook is the operator's own address, not a draft's: the configured services' client, outside the
        // drafts' address rule and pacing. 30 s per alert, as long as the link checker waits for a page.
        let client = ConfiguredServiceClient.make(for: .alertWebhook, timeoutSeconds: 30, version: version)
        let problem = await post(alerts, url: url, address: address, client: client)
        await client.shutdown()
        return problem
    }

    private func post(_ alerts: [RotAlert], url: String, address: WebAddress, client: CurlHTTPClient) async -> String? {
        var headers = ["Content-Type: application/json"]
        if let token = environment[settings.webhookTokenEnv], !token.isEmpty {
            // The token only inside TLS (or to this machine): nothing is sent rather than the token in clear.
            if let refusal = KeyTransport.refusal(url, what: "the webhook's 'url'") { return refusal }
            headers.append("Authorization: Bearer \(token)")
        }
        for alert in alerts {
            let request = HTTPRequest(
                url: url, method: .post, hostKey: address.hostKey, maxBodyBytes: 4096, body: Array(alert.jsonLine.utf8),
                headers: headers)
            switch await client.send(request) {
            case .failure(let failure): return "the webhook did not answer: \(failure.message)"
            case .success(let response) where !(200..<300).contains(response.status):
                return "the webhook answered \(response.status)"
            case .success: continue
            }
        }
        return nil
    }

    /// One message for the whole batch.
    func mail(_ alerts: [RotAlert]) async -> String? {
        guard let url = settings.smtpURL else { return nil }
        let dead = alerts.filter { $0.kind == .dead }.count
        let recovered = alerts.count - dead
        var subject = "[\(newsletter)] "
        if dead > 0 { subject += "\(dead) link\(dead == 1 ? "" : "s") died" }
        if recovered > 0 {
            subject += (dead > 0 ? ", " : "") + "\(recovered) link\(recovered == 1 ? "" : "s") recovered"
        }
        let body = "briefd's link-rot monitor:\n\n" + alerts.map(\.text).joined(separator: "\n\n") + "\n"
        let message = CurlMailer.Message(from: settings.smtpFrom, to: settings.smtpTo, subject: subject, body: body)
        return await CurlMailer.send(
            message, url: url, user: environment[settings.smtpUserEnv], password: environment[settings.smtpPasswordEnv],
            security: settings.smtpSecurity, timeoutSeconds: 60)
    }
}
