import BriefdCore
import BriefdIO
import BriefdApp
import BriefdTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// The daemon's own services (upkeep, watcher, reviews, the link service), online, in a `ServiceGroup` run in this
/// process as Hummingbird's test framework runs an application: drafts dropped into the watched folder, the
/// politeness limits measured at two recording servers, a graceful shutdown at the end. The real binary is
/// tested the same way in `OnlineDaemonTests`.
@Suite("The daemon's services in process, online", .timeLimit(.minutes(5)))
struct InProcessDaemonTests {
    static let excerpt = """
        Officials in the province said the new rules would take effect next month and apply to every county, \
        although the details of how they will be enforced have not yet been published.
        """
    static let page = "<html><head><title>Rules</title></head><body><article><p>\(excerpt)</p></article></body></html>"

    @Test func aBurstKeepsTheLimitsAtThePublishersAndEveryReportEndsFinal() async throws {
        let interval = 0.025
        let handler: TestHTTPServer.Handler = { request in
            request.path.hasPrefix("/gone/")
                ? .respond(status: 404) : .respond(status: 200, body: Self.page, delay: 0.01)
        }
        // One slow publisher (200 ms answers), where requests pile up, and one fast.
        let slow = try TestHTTPServer(host: "127.0.0.5") { request in
            request.path.hasPrefix("/gone/")
                ? .respond(status: 404) : .respond(status: 200, body: Self.page, delay: 0.2)
        }
        let fast = try TestHTTPServer(host: "127.0.0.6", handler)
        defer {
            slow.stop()
            fast.stop()
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "briefd-inprocess-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        var config = Config.defaults(at: folder + "/briefd.yml")
        config.paths.drafts = folder + "/drafts"
        config.paths.reports = folder + "/reports"
        config.paths.state = folder + "/briefd.sqlite"
        config.links.allowNetworks = [IPNetwork("127.0.0.0/8")!]
        config.links.perHostConcurrency = 2
        config.links.perHostIntervalMilliseconds = Int(interval * 1000)
        config.links.retries = 0
        let workspace = Workspace(config: config, registry: .empty, fingerprint: "in-process")
        let logger = Logger(label: "briefd-test")
        let state = try StateDatabase(path: config.paths.state)
        let links = LinkService(settings: config.links, registry: .empty, state: state, version: "test")
        let reviews = ReviewQueue()
        let desk = try await DraftLedger(
            workspace: workspace, store: DaemonStore(state), logger: logger, reviews: reviews, version: "test")
        let watcher = try DraftWatcher(root: config.paths.drafts)
        let group = ServiceGroup(
            services: [
                UpkeepService(
                    desk: desk, rescan: .seconds(600), notifier: SystemdNotifier(environment: [:]), status: { "" }),
                WatchService(folder: WatchedFolder(watcher), desk: desk, settle: .milliseconds(20), logger: logger),
                ReviewService(
                    queue: reviews, desk: desk, holder: WorkspaceHolder(workspace), links: links, logger: logger),
                LinkServiceOwner(links: links),
            ], logger: logger)

        let count = 60
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 0..<count {
                let own = (index % 2 == 0 ? slow : fast).url + "/a/\(index)"
                let other =
                    index % 10 == 0
                    ? fast.url + "/gone/\(index)" : (index % 2 == 0 ? fast : slow).url + "/a/shared-\(index % 8)"
                let text = """
                    ---
                    title: Rules \(index)
                    url: \(own)
                    source: Somewhere
                    published: 2026-11-20
                    section: Government / Politics / Foreign Affairs
                    ---
                    \(Self.excerpt) See [more](\(other)).
                    """
                try text.write(toFile: folder + "/drafts/d\(index).md", atomically: true, encoding: .utf8)
            }
            // Waits on what the desk reports, not on time.
            let deadline = Date().addingTimeInterval(60)
            while true {
                let (seen, awaited) = (await desk.account.drafts.count, await desk.reviewsAwaited)
                if seen == count && awaited == 0 { break }
                guard Date() < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }

        for server in [slow, fast] {
            #expect(server.maxInFlight <= 2, "\(server.host): \(server.maxInFlight) at once")
            let starts = server.requests.map(\.receivedAt).sorted()
            let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }
            #expect((gaps.min() ?? 1) >= interval - 0.0002, "\(server.host): \(gaps.min() ?? 0) s between two requests")
        }
        let requested = Dictionary(
            grouping: (slow.requests + fast.requests), by: { $0.method + $0.headers["host", default: ""] + $0.path })
        #expect(
            requested.values.allSatisfy { $0.count == 1 },
            "requested twice: \(requested.filter { $0.value.count > 1 }.keys.sorted())")
        for index in stride(from: 0, to: count, by: 10) {
            let report = try String(contentsOfFile: folder + "/reports/d\(index).report.txt", encoding: .utf8)
            #expect(report.contains("link.broken"), "d\(index): \(report)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/reports/INDEX.json"))
        let index = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let drafts = try #require(index["drafts"] as? [[String: Any]])
        #expect(drafts.count == count)
        #expect(
            drafts.allSatisfy { $0["status"] as? String == "needs-work" },
            "\(drafts.filter { $0["status"] as? String != "needs-work" })")
        #expect((index["summary"] as? [String: Any])?["checking"] as? Int == 0)
    }
}
