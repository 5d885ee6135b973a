import BriefdCore
import BriefdIO
import BriefdApp
import BriefdTestSupport
import Foundation
import Synchronization
import Testing

/// The link-rot monitor against real local servers: a link that dies and comes back over simulated passes (an
/// injected clock, no sleeps), the host-outage rule, the archive lookup, and the three alert sinks.
@Suite(.serialized, .timeLimit(.minutes(5))) struct RotMonitorTests {
    /// A switch the test flips while a server runs.
    final class Switch: Sendable {
        private let value: Mutex<Bool>
        init(_ on: Bool) { value = Mutex(on) }
        var isOn: Bool { value.withLock { $0 } }
        func set(_ on: Bool) { value.withLock { $0 = on } }
    }

    static let day = 86_400.0
    static let start = 1_795_000_000.0  // 2026-11-18

    /// A workspace whose drafts cite `urls`; state, alerts and drafts in a temporary folder.
    final class Workspace {
        let folder: String
        var config: Config

        init(urls: [String], archive: String, policy: (inout RotPolicy) -> Void = { _ in }) throws {
            folder =
                FileManager.default.temporaryDirectory.appendingPathComponent("briefd-rot-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
            config = Config.defaults(at: folder + "/briefd.yml")
            config.paths.drafts = folder + "/drafts"
            config.paths.state = folder + "/briefd.sqlite"
            config.alerts.jsonl = folder + "/alerts.jsonl"
            config.links.allowNetworks = [IPNetwork("127.0.0.0/8")!]
            config.links.perHostIntervalMilliseconds = 0
            config.links.retries = 0
            config.rot.archiveBaseURL = archive
            policy(&config.rot)
            let body = urls.enumerated().map { "Item \($0.offset): [a story](\($0.element))" }.joined(separator: "\n\n")
            // A draft waiting for the next issue: the account knows which links it cites.
            try "---\ntitle: Waiting\nkind: post\nauthor: A\ndate: 2026-11-20\n---\n\(body)\n".write(
                toFile: folder + "/drafts/next.md", atomically: true, encoding: .utf8)
        }

        func pass(at now: Double) async throws -> RotMonitor.Pass {
            let service = LinkService(
                settings: config.links, registry: .empty, state: try StateDatabase(path: config.paths.state),
                version: "test")
            let pass = try await RotMonitor(config: config, registry: .empty, drafts: try await drafts()).pass(
                now: now, everything: true, passInterval: 0, links: service)
            await service.shutdown()
            return pass
        }

        var store: RotStore { get throws { RotStore(try StateDatabase(path: config.paths.state)) } }

        /// The drafts as a command without a daemon has them: which draft cites which link is the account's answer.
        func drafts() async throws -> [DraftFacts] {
            try await SavedAccount.computed(
                config: config, registry: .empty, state: try StateDatabase(path: config.paths.state),
                today: LocalCalendar.today()
            ).facts
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    static func archiveServer() throws -> TestHTTPServer {
        try TestHTTPServer { request in
            // /web/<timestamp>/<url> redirects to the snapshot closest to the timestamp, as the Wayback Machine does.
            guard request.path.hasPrefix("/web/") else { return .respond(status: 404) }
            let original = request.path.split(separator: "/", maxSplits: 3).dropFirst(2).joined(separator: "/")
            return .respond(status: 302, headers: ["Location": "/web/20261115093000/\(original)"])
        }
    }

    @Test func aLinkDiesAfterTheThresholdsAlertsOnceWithAnArchivedCopyAndRecovers() async throws {
        let alive = Switch(true)
        let site = try TestHTTPServer { _ in alive.isOn ? .respond(status: 200) : .respond(status: 404) }
        defer { site.stop() }
        let archive = try Self.archiveServer()
        defer { archive.stop() }
        let url = site.url + "/2026/11/story"
        let workspace = try Workspace(urls: [url], archive: archive.url)

        #expect(try await workspace.pass(at: Self.start).alerts.isEmpty)
        #expect(try await workspace.store.states()[url]?.state == .alive)
        alive.set(false)
        for day in 1...3 {  // Three failures, but only two days apart: suspect.
            _ = try await workspace.pass(at: Self.start + Double(day) * Self.day - (day == 3 ? Self.day + 3600 : 0))
        }
        #expect(try await workspace.store.states()[url]?.state == .suspect)
        let fatal = try await workspace.pass(at: Self.start + 4 * Self.day + 3600)  // 72 h after the first failure
        #expect(fatal.alerts.map(\.kind) == [.dead])
        let alert = try #require(fatal.alerts.first)
        #expect(alert.archivedURL == archive.url + "/web/20261115093000/" + url)
        #expect(alert.replacement?.contains("(archived copy)") == true)
        #expect(alert.citations.first?.draft == "next.md")
        #expect(alert.citations.first?.line == 7, "the citation's line, read from the draft when the alert is raised")
        #expect(try await workspace.pass(at: Self.start + 5 * Self.day).alerts.isEmpty)  // Told once.
        alive.set(true)
        #expect(try await workspace.pass(at: Self.start + 6 * Self.day).alerts.map(\.kind) == [.recovered])
        #expect(try await workspace.store.states()[url]?.state == .alive)

        // The JSON Lines sink: each alert once, however often delivery runs.
        let dispatcher = AlertDispatcher(
            settings: workspace.config.alerts, newsletter: "ZGBriefs", environment: [:], version: "test")
        #expect(
            await dispatcher.deliver(
                try workspace.store, statePath: workspace.config.paths.state, now: Self.start + 6 * Self.day
            ).accepted[.jsonl] == 2)
        await dispatcher.deliver(
            try workspace.store, statePath: workspace.config.paths.state, now: Self.start + 7 * Self.day)
        let lines = try String(contentsOfFile: workspace.config.alerts.jsonl!, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["kind"] as? String == "dead")
        #expect((first?["text"] as? String)?.contains("Dead link: \(url)") == true)
    }

    /// A page the issue captured when it was published, which then dies: the alert offers what any reader can open
    /// first (the Wayback copy), then the issue's own copy at the desk's public address.
    @Test func aCapturedPageThatDiesPointsToTheIssuesOwnCopy() async throws {
        let alive = Switch(true)
        let site = try TestHTTPServer { _ in
            alive.isOn
                ? .respond(
                    status: 200,
                    body:
                        "<html><head><title>Story</title></head><body><article><p>\(String(repeating: "Village schools close as families move to the cities. ", count: 3))</p></article></body></html>"
                )
                : .respond(status: 404)
        }
        defer { site.stop() }
        let archive = try Self.archiveServer()
        defer { archive.stop() }
        let url = site.url + "/2026/11/story"
        let workspace = try Workspace(urls: [url], archive: archive.url)
        workspace.config.paths.digests = workspace.folder + "/digests"
        workspace.config.web.publicURL = "https://desk.example.org"
        try FileManager.default.createDirectory(
            atPath: workspace.folder + "/digests/2026-11-19", withIntermediateDirectories: true)
        try "<!DOCTYPE html><title>Issue</title>".write(
            toFile: workspace.folder + "/digests/2026-11-19/index.html", atomically: true, encoding: .utf8)
        let state = try StateDatabase(path: workspace.config.paths.state)
        try await PreservationStore(state).enqueue(
            issue: "2026-11-19", links: [(url: url, excerpt: "Village schools close as families move to the cities.")],
            savePageNow: false, now: 0)
        let service = LinkService(settings: workspace.config.links, registry: .empty, state: state, version: "test")
        #expect(
            try await CaptureRun(config: workspace.config, state: state, links: service).work(now: Self.start).captured
                == 1)
        await service.shutdown()

        _ = try await workspace.pass(at: Self.start)
        alive.set(false)
        for day in 1...3 { _ = try await workspace.pass(at: Self.start + Double(day) * Self.day) }
        let fatal = try await workspace.pass(at: Self.start + 4 * Self.day + 3600)
        let alert = try #require(fatal.alerts.first { $0.kind == .dead })
        #expect(alert.copies?.map(\.kind) == [.wayback, .issueCapture])
        #expect(alert.archivedURL?.hasPrefix(archive.url + "/web/") == true, "\(String(describing: alert.archivedURL))")
        #expect(alert.text.contains("the issue's own copy (taken "))
        #expect(alert.text.contains("https://desk.example.org/archive/2026-11-19/1"))
        #expect(alert.jsonLine.contains("\"kind\":\"issue_capture\""))
    }

    /// Without `web.public_url` the desk's copy is at a loopback address nobody else can open: the alert leaves it
    /// out. With no archive answering at all, it says it could not look, never that no copy was found; its times
    /// are in the newsletter's zone, with the offset.
    @Test func anAlertOffersOnlyWhatReadersCanOpenAndSaysWhenItCouldNotLook() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 404) }
        defer { site.stop() }
        // A port nobody listens on: the lookup's requests are refused, as with no network.
        let closed = try TestHTTPServer { _ in .respond(status: 200) }
        let nowhere = closed.url
        closed.stop()
        let url = site.url + "/gone"
        let workspace = try Workspace(urls: [url], archive: nowhere)
        workspace.config.daemon.build = try CronSchedule("0 10 * * 4", timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        var alerts: [RotAlert] = []
        for day in 0...4 { alerts += try await workspace.pass(at: Self.start + Double(day) * Self.day + 3600).alerts }
        let alert = try #require(alerts.first { $0.kind == .dead })
        #expect(alert.copies?.contains { $0.kind == .issueCapture } == false)
        #expect(alert.text.contains("could not look for an archived copy: "), "\(alert.text)")
        #expect(!alert.text.contains("no archived copy was found"))
        #expect(alert.text.contains(" +08:00"), "\(alert.text)")
        // Counter-example: an archive that answers and has nothing is "none found".
        let empty = try TestHTTPServer { request in
            request.path.hasPrefix("/web/")
                ? .respond(status: 404) : .respond(status: 200, body: "{\"archived_snapshots\": {}}")
        }
        defer { empty.stop() }
        let second = try Workspace(urls: [site.url + "/gone-too"], archive: empty.url)
        var found: [RotAlert] = []
        for day in 0...4 { found += try await second.pass(at: Self.start + Double(day) * Self.day + 3600).alerts }
        #expect(found.first { $0.kind == .dead }?.text.contains("no archived copy was found") == true)
    }

    /// An outbox row this version cannot read (written by another version) is said at every due pass and kept,
    /// and does not hold back the alerts that can be read.
    @Test func anUnreadableOutboxRowIsReportedNotDropped() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 404) }
        defer { site.stop() }
        let workspace = try Workspace(urls: [site.url + "/gone"], archive: site.url)
        for day in 0...4 { _ = try await workspace.pass(at: Self.start + Double(day) * Self.day + 3600) }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: try Self.pythonExecutable())
        python.arguments = [
            "-c",
            """
            import sqlite3
            db = sqlite3.connect('\(workspace.config.paths.state)')
            cur = db.execute("INSERT INTO alert_outbox (alert, created_at) VALUES ('{\\"from\\": \\"the future\\"}', 0)")
            db.execute("INSERT INTO alert_delivery (alert_id, sink) VALUES (?, 'jsonl')", (cur.lastrowid,))
            db.commit()
            """,
        ]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let dispatcher = AlertDispatcher(
            settings: workspace.config.alerts, newsletter: "ZGBriefs", environment: [:], version: "test")
        let delivery = await dispatcher.deliver(
            try workspace.store, statePath: workspace.config.paths.state, now: Self.start + 6 * Self.day)
        #expect(delivery.accepted[.jsonl] == 1, "the readable dead-link alert still goes out")
        #expect(delivery.errors[.jsonl]?.contains("cannot be read by this version") == true, "\(delivery.errors)")
        // Kept, on the backoff: not said again a minute later, said again when due.
        #expect(
            await dispatcher.deliver(
                try workspace.store, statePath: workspace.config.paths.state, now: Self.start + 6 * Self.day + 30
            ).errors.isEmpty)
        #expect(
            await dispatcher.deliver(
                try workspace.store, statePath: workspace.config.paths.state, now: Self.start + 7 * Self.day
            ).errors[.jsonl] != nil)
    }

    /// `rot --check-now` (a pass over everything) requests every link now, even one the history says was checked
    /// seconds ago (the old pass reused a result of the last minute, and a page that had just died read as alive).
    @Test(.timeLimit(.minutes(1)))
    func checkNowRequestsALinkCheckedSecondsAgoAgain() async throws {
        let alive = Switch(true)
        let site = try TestHTTPServer { _ in
            alive.isOn ? .respond(status: 200, body: "<p>fine</p>") : .respond(status: 404)
        }
        defer { site.stop() }
        let url = site.url + "/story"
        let workspace = try Workspace(urls: [url], archive: site.url)
        let now = Date().timeIntervalSince1970
        _ = try await workspace.pass(at: now)
        alive.set(false)
        _ = try await workspace.pass(at: now + 1)
        #expect(site.requests.filter { $0.path == "/story" }.count >= 2, "\(site.requests.map(\.path))")
        #expect(try await workspace.store.states()[url]?.failures == 1)
    }

    /// The daemon's own passes check the links due: the one never checked before the one checked a minute ago (the
    /// history is asked about the watched URLs only, `WHERE url IN`).
    @Test(.timeLimit(.minutes(1)))
    func aDaemonPassChecksTheLinksDueFirst() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: "<p>fine</p>") }
        defer { site.stop() }
        let (recent, never) = (site.url + "/recent", site.url + "/never")
        let workspace = try Workspace(urls: [recent, never], archive: site.url)
        let state = try StateDatabase(path: workspace.config.paths.state)
        let now = Date().timeIntervalSince1970
        try await LinkStore(state).record([LinkResult(url: recent, verdict: .ok, status: 200, checkedAt: now - 60)])
        #expect(try await LinkStore(state).lastChecked([recent, never, site.url + "/unknown"]) == [recent: now - 60])
        let service = LinkService(settings: workspace.config.links, registry: .empty, state: state, version: "test")
        // One link due per pass (two links over 24 hours, a pass an hour): the one never checked.
        let pass = try await RotMonitor(
            config: workspace.config, registry: .empty, drafts: try await workspace.drafts()
        )
        .pass(now: now, everything: false, passInterval: 3600, links: service)
        await service.shutdown()
        #expect(pass.checked == 1)
        #expect(site.requests.map(\.path) == ["/never"])
    }

    /// No host name resolves (the resolver's probes are `.invalid` names): the network is down, which says nothing
    /// of the link; no failure is counted, it never turns suspect or dead, and no alert goes out.
    @Test(.timeLimit(.minutes(1)))
    func noFailureIsCountedWhileNoHostNameResolves() async throws {
        let url = "http://news.briefd-rot-nowhere.zzz/story"
        let workspace = try Workspace(urls: [url], archive: "http://127.0.0.1:9/")
        workspace.config.links.resolverProbes = ["briefd-probe.invalid"]
        for day in 0..<5 {
            let pass = try await workspace.pass(at: Self.start + Double(day) * Self.day)
            #expect(pass.unverified == 1)
            #expect(pass.alerts.isEmpty)
        }
        #expect(try await workspace.store.states()[url]?.state ?? .alive == .alive)
        #expect(try await workspace.store.states()[url]?.failures ?? 0 == 0)
        // Counter-example: while names resolve (localhost does), the same name is a failure.
        workspace.config.links.resolverProbes = ["localhost"]
        let pass = try await workspace.pass(at: Self.start + 6 * Self.day)
        #expect(pass.unverified == 0)
        #expect(try await workspace.store.states()[url]?.failures == 1)
    }

    @Test func blockedAndPaywalledAnswersAreNotFailures() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 999) }
        defer { site.stop() }
        let workspace = try Workspace(urls: [site.url + "/in/profile"], archive: site.url)
        for day in 0..<5 { _ = try await workspace.pass(at: Self.start + Double(day) * Self.day) }
        #expect(try await workspace.store.states()[site.url + "/in/profile"]?.state == .alive)
    }

    @Test func aHostOutageIsNotHeldAgainstItsLinksUntilItLastsTheThresholds() async throws {
        let up = Switch(true)
        let lonely = Switch(true)
        let site = try TestHTTPServer { request in
            if !up.isOn { return .respond(status: 503) }
            return request.path == "/a" && !lonely.isOn ? .respond(status: 404) : .respond(status: 200)
        }
        defer { site.stop() }
        let (a, b) = (site.url + "/a", site.url + "/b")
        let workspace = try Workspace(urls: [a, b], archive: site.url) {
            $0.deadAfterFailures = 3
            $0.deadAfterHours = 36
        }
        lonely.set(false)
        _ = try await workspace.pass(at: Self.start)  // a fails on its own
        up.set(false)
        _ = try await workspace.pass(at: Self.start + Self.day)  // the whole site is down
        let second = try await workspace.pass(at: Self.start + 2 * Self.day)
        // Without the rule, a would be dead: three failures over 48 h. The outage has lasted only 24 h.
        #expect(second.alerts.isEmpty)
        #expect(try await workspace.store.states()[a]?.state == .suspect)
        #expect(try await workspace.store.states()[b]?.state == .suspect)
        let third = try await workspace.pass(at: Self.start + 3 * Self.day)  // the outage passes the thresholds
        #expect(Set(third.alerts.map(\.url)) == [a, b])
    }

    /// Five deliverers at once (the daemon and `briefd rot --check-now` in terminals), each with its own connection to
    /// the state database as a process has: the outbox's alert reaches the webhook once.
    @Test func fiveDeliverersAtOnceDeliverEachAlertOnce() async throws {
        let receiver = try TestHTTPServer { request in
            request.method == "POST" ? .respond(status: 200, body: "ok", delay: 0.2) : .respond(status: 404)
        }
        defer { receiver.stop() }
        let site = try TestHTTPServer { _ in .respond(status: 410) }
        defer { site.stop() }
        let workspace = try Workspace(urls: [site.url + "/gone"], archive: site.url) {
            $0.deadAfterFailures = 1
            $0.deadAfterHours = 0
        }
        workspace.config.alerts.jsonl = nil
        workspace.config.alerts.webhookURL = receiver.url + "/hooks/briefd"
        #expect(try await workspace.pass(at: Self.start).alerts.count == 1)
        let settings = workspace.config.alerts
        let statePath = workspace.config.paths.state
        let stores = try (0..<5).map { _ in try workspace.store }
        let accepted = await withTaskGroup(of: Int.self) { group in
            for store in stores {
                group.addTask {
                    let dispatcher = AlertDispatcher(
                        settings: settings, newsletter: "ZGBriefs", environment: [:], version: "test")
                    return await dispatcher.deliver(store, statePath: statePath, now: Self.start).accepted[.webhook]
                        ?? 0
                }
            }
            return await group.reduce(0, +)
        }
        #expect(accepted == 1)
        #expect(receiver.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test func theWebhookGetsEachAlertOnceEvenWhenItWasDownFirst() async throws {
        let receiving = Switch(false)
        let receiver = try TestHTTPServer { request in
            request.method == "POST" && receiving.isOn ? .respond(status: 200, body: "ok") : .respond(status: 503)
        }
        defer { receiver.stop() }
        let site = try TestHTTPServer { _ in .respond(status: 410) }
        defer { site.stop() }
        let workspace = try Workspace(urls: [site.url + "/gone"], archive: site.url) {
            $0.deadAfterFailures = 1
            $0.deadAfterHours = 0
        }
        workspace.config.alerts.jsonl = nil
        workspace.config.alerts.webhookURL = receiver.url + "/hooks/briefd"
        #expect(try await workspace.pass(at: Self.start).alerts.count == 1)
        let dispatcher = AlertDispatcher(
            settings: workspace.config.alerts, newsletter: "ZGBriefs", environment: ["BRIEFD_WEBHOOK_TOKEN": "s3cret"],
            version: "test")
        let down = await dispatcher.deliver(
            try workspace.store, statePath: workspace.config.paths.state, now: Self.start)
        #expect(down.errors[.webhook]?.contains("503") == true)
        receiving.set(true)
        #expect(
            await dispatcher.deliver(try workspace.store, statePath: workspace.config.paths.state, now: Self.start + 30)
                .accepted.isEmpty)  // backing off
        #expect(
            await dispatcher.deliver(try workspace.store, statePath: workspace.config.paths.state, now: Self.start + 61)
                .accepted[.webhook] == 1)
        #expect(
            await dispatcher.deliver(
                try workspace.store, statePath: workspace.config.paths.state, now: Self.start + 3600
            ).accepted.isEmpty)
        let posts = receiver.requests.filter { $0.method == "POST" }
        #expect(posts.count == 2)  // refused once, accepted once
        let accepted = try #require(posts.last)
        #expect(accepted.headers["authorization"] == "Bearer s3cret")
        #expect(accepted.headers["content-type"] == "application/json")
        // The configured services' client: it says what calls, not the link checker's contact address.
        #expect(accepted.headers["user-agent"] == "briefd/test (alert webhook client)")
        let json = try JSONSerialization.jsonObject(with: Data(accepted.body.utf8)) as? [String: Any]
        #expect(json?["kind"] as? String == "dead")
        #expect((json?["text"] as? String)?.hasPrefix("Dead link: ") == true)
    }

    /// The path of the Python interpreter `python3` runs.
    static func pythonExecutable() throws -> String { try TestSMTPServer.pythonExecutable() }

    /// aiosmtpd is there (`make test-deps` installs it; CI always runs `make test`, so there it must be).
    static let aiosmtpdAvailable: Bool = {
        guard ProcessInfo.processInfo.environment["CI"] == nil else { return true }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import aiosmtpd"]
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    @Test(
        .enabled(if: aiosmtpdAvailable, "needs the aiosmtpd SMTP server: run make test-deps (or pip install aiosmtpd)"))
    func theSMTPSinkSendsOneMessageToARealServer() async throws {
        let smtp = try TestSMTPServer()
        defer { smtp.stop() }
        let port = smtp.port
        let site = try TestHTTPServer { _ in .respond(status: 404) }
        defer { site.stop() }
        let workspace = try Workspace(urls: [site.url + "/lost"], archive: site.url) {
            $0.deadAfterFailures = 1
            $0.deadAfterHours = 0
        }
        workspace.config.alerts.jsonl = nil
        workspace.config.alerts.smtpURL = "smtp://127.0.0.1:\(port)"
        workspace.config.alerts.smtpFrom = "briefd@zgbriefs.test"
        workspace.config.alerts.smtpTo = ["editors@zgbriefs.test"]
        #expect(try await workspace.pass(at: Self.start).alerts.count == 1)
        let dispatcher = AlertDispatcher(
            settings: workspace.config.alerts, newsletter: "ZGBriefs", environment: [:], version: "test")
        let delivery = await dispatcher.deliver(
            try workspace.store, statePath: workspace.config.paths.state, now: Self.start)
        #expect(delivery.accepted[.smtp] == 1, "\(delivery.errors)")
        let messages = smtp.messages
        #expect(messages.count == 1)
        let message = try String(contentsOfFile: messages.first ?? "", encoding: .utf8)
        #expect(message.contains("Subject: [ZGBriefs] 1 link died"))
        #expect(message.contains("To: editors@zgbriefs.test"))
        #expect(message.contains("Dead link: \(site.url)/lost"))
    }
}
