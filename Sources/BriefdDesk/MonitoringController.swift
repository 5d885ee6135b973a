import BriefdApp
import BriefdCore
import Foundation
import Hummingbird
import Metrics

/// `/healthz` (for monitoring: up, drafts, last scan, last build) and `/metrics` (Prometheus).
struct MonitoringController {
    let app: DeskApp

    func addRoutes(to router: Router<DeskRequestContext>) {
        router.get("/healthz") { request, context in
            await health(detailed: app.mayReadDetails(request, context))
        }
        router.get("/metrics") { _, _ in await metrics() }
    }

    /// Without `detailed`, the reasons (which name files and errors) are left out.
    func health(detailed: Bool = true) async -> Response {
        let newsroom = app.newsroom
        let account = await newsroom.drafts.account
        let counts = account.counts
        let lastBuild = await app.readOrLogged("the last build", nil) { try await newsroom.lastBuild() }
        let body = Health(
            up: true, drafts: account.drafts.count,
            byStatus: Dictionary(uniqueKeysWithValues: DraftStatus.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
            online: newsroom.isOnline, liveListeners: newsroom.feed.listenerCount,
            lastScan: await newsroom.drafts.lastScanFinished.map { DeskApp.iso($0.timeIntervalSince1970) },
            lastBuild: lastBuild.map {
                Health.Build(
                    issue: $0.issue, finished: DeskApp.iso($0.finishedAt),
                    outcome: detailed || !$0.outcome.hasPrefix("failed") ? $0.outcome : "failed", trigger: $0.trigger)
            },
            nextIssue: account.nextIssue.description,
            lastReload: Health.Reload(newsroom.lastReload).map { reload in
                var shown = reload
                if !detailed && shown.reason != nil { shown.reason = "shown to a logged-in editor" }
                return shown
            })
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: JSONText.line(body))))
    }

    /// The Prometheus text format.
    func metrics() async -> Response {
        let counts = await app.newsroom.drafts.account.counts
        for status in DraftStatus.allCases {
            Gauge(
                label: "briefd_drafts",
                dimensions: [("status", status.rawValue.replacingOccurrences(of: "-", with: "_"))]
            ).record(counts[status] ?? 0)
        }
        var buffer: [UInt8] = []
        app.metrics.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }
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

        init?(_ reload: (at: Date, outcome: WorkspaceHolder.ReloadOutcome)?) {
            guard let reload else { return nil }
            at = JSONText.timestamp(reload.at.timeIntervalSince1970)
            switch reload.outcome {
            case .applied: (outcome, settings, reason) = ("applied", [], nil)
            case .refused(let refused): (outcome, settings, reason) = ("refused", refused, nil)
            case .failed(let why): (outcome, settings, reason) = ("failed", [], why)
            }
        }
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
