import BriefdTestSupport
import Foundation
import Synchronization
@preconcurrency import Glibc
import Testing

/// What happens once must happen once, with real processes: builds, hand-offs and alert deliveries started together
/// on one workspace, and processes killed (SIGKILL) at each step of publishing and handing off, then run again.
@Suite("Two at once, and failure half-way", .serialized, .timeLimit(.minutes(5)))
struct ConcurrencyFaultTests {
    static let user = "briefd-api"
    static let token = "LM-TOKEN-fault-5c1d"
    static let buttondownKey = "BD-KEY-fault-88a0"
    var keys: [String: String] {
        [
            "BRIEFD_LISTMONK_USER": Self.user, "BRIEFD_LISTMONK_TOKEN": Self.token,
            "BRIEFD_BUTTONDOWN_TOKEN": Self.buttondownKey,
        ]
    }

    func workspace(site: String, extra: String) throws -> String {
        try LocalSiteWorkspace.make(site: site, paths: ["/a", "/b"], extraConfig: extra, linksRetries: false)
    }

    /// `together`, waited for off the concurrency pool.
    func togetherAsync(_ commands: [[String]], environment: [String: String] = [:]) async throws -> [Briefd.Run] {
        try await offThePool { try self.together(commands, environment: environment) }
    }

    /// Starts every command at once (all spawned before any is waited for) and returns their runs.
    func together(_ commands: [[String]], environment: [String: String] = [:]) throws -> [Briefd.Run] {
        var env = ProcessInfo.processInfo.environment
        env["BRIEFD_CONFIG"] = nil
        for (key, value) in environment { env[key] = value }
        var started: [(Process, FileHandle, FileHandle)] = []
        for arguments in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Briefd.executable)
            process.arguments = arguments
            process.environment = env
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            started.append((process, out.fileHandleForReading, err.fileHandleForReading))
        }
        return started.map { process, out, err in
            let stdout = out.readDataToEndOfFile()
            let stderr = err.readDataToEndOfFile()
            process.waitUntilExit()
            return Briefd.Run(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    /// Runs `arguments` with `BRIEFD_STOP_AT=step`, waits (off the concurrency pool) until the process has stopped
    /// itself there, and kills it with SIGKILL; fails when the process never reached the step.
    func killed(at step: String, _ arguments: [String], environment: [String: String] = [:]) async throws {
        let (stopped, signalled, said) = try await offThePool {
            try Self.stopAndKill(at: step, arguments, environment: environment)
        }
        #expect(stopped, "the process ended before \(step): \(said)")
        #expect(signalled, "\(said)")
    }

    static func stopAndKill(at step: String, _ arguments: [String], environment: [String: String]) throws -> (
        Bool, Bool, String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Briefd.executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["BRIEFD_CONFIG"] = nil
        for (key, value) in environment { env[key] = value }
        env["BRIEFD_STOP_AT"] = step
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var stopped = false
        while process.isRunning && !stopped {
            let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
            // The state is the field after the command's closing parenthesis: T when stopped.
            stopped = stat.split(separator: ")").last?.split(separator: " ").first == "T"
            if !stopped { usleep(10_000) }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (stopped, process.terminationReason == .uncaughtSignal, said)
    }

    func issues(_ folder: String) async throws -> [[String: Any]] {
        let run = try await Briefd.run(["issues", "--config", folder + "/briefd.yml", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return object?["issues"] as? [[String: Any]] ?? []
    }

    @Test func eightBuildsAtOnceOnAFreshWorkspacePublishVersionOneOnceAndTheOthersRefuseByName() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: LocalSiteWorkspace.page()) }
        defer { site.stop() }
        let folder = try workspace(site: site.url, extra: "archive: {capture: false}")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let build = ["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-10"]
        let runs = try await togetherAsync(Array(repeating: build, count: 8))
        let built = runs.filter { $0.status == 0 }
        #expect(built.count == 1, "\(runs.map { "\($0.status): \($0.stderr)" })")
        for run in runs where run.status != 0 {
            #expect(run.status == 1, "\(run.stderr)")
            // Waited for the first and found it published, or started after it was.
            #expect(
                run.stderr.contains("the issue of 2026-12-10 was published at")
                    || run.stderr.contains("the issue of 2026-12-10 is already published at"), "\(run.stderr)")
            #expect(run.stderr.contains("run again with --replace"), "\(run.stderr)")
        }
        for run in runs {
            #expect(!run.stderr.contains("rename") && !run.stderr.contains("duplicate column"), "\(run.stderr)")
        }
        let published = try await issues(folder)
        #expect(published.count == 1)
        #expect(published.first?["version"] as? Int == 1)
        #expect((published.first?["versions"] as? [Any])?.count == 1)
    }

    @Test(arguments: ["fresh", "old"])
    func manyCommandsAndTheDaemonOpeningAStateDatabaseAtOnceAllWork(_ age: String) async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: LocalSiteWorkspace.page()) }
        defer { site.stop() }
        let folder = try workspace(site: site.url, extra: "archive: {capture: false}")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/briefd.yml"
        if age == "old" {
            // A database as an earlier version left it: made, then its last two migrations taken back.
            #expect(try await Briefd.run(["issues", "--config", config]).status == 0)
            let aged = try await Briefd.pythonAsync(
                """
                import sqlite3
                db = sqlite3.connect('\(folder)/state/briefd.sqlite')
                for table in ["page_capture", "spn_submission", "spn_pace", "campaign"]:
                    db.execute("DROP TABLE " + table)
                db.execute("DELETE FROM grdb_migrations WHERE identifier LIKE 'v11:%' OR identifier LIKE 'v12:%'")
                db.commit()
                """)
            #expect(aged == 0)
        }
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: Briefd.executable)
        daemon.arguments = ["run", "--offline", "--config", config]
        var env = ProcessInfo.processInfo.environment
        env["BRIEFD_CONFIG"] = nil
        env["NOTIFY_SOCKET"] = nil
        daemon.environment = env
        let daemonLog = folder + "/daemon.log"
        _ = FileManager.default.createFile(atPath: daemonLog, contents: nil)
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle(forWritingAtPath: daemonLog)
        try daemon.run()
        let commands = [
            ["status", "--config", config], ["issues", "--config", config], ["rot", "--config", config],
            ["check", "--cached", "--config", config, folder + "/drafts"], ["status", "--config", config],
            ["issues", "--config", config],
        ]
        let runs = try await togetherAsync(commands)
        for (command, run) in zip(commands, runs) {
            #expect(run.status == 0, "\(command): \(run.stdout) \(run.stderr)")
            #expect(!run.stderr.contains("duplicate column"), "\(run.stderr)")
        }
        // Running, and past its start-up (its signal handlers in place), before it is asked to stop.
        let started = Date()
        while daemon.isRunning && Date().timeIntervalSince(started) < 60 {
            let log = (try? String(contentsOfFile: daemonLog, encoding: .utf8)) ?? ""
            if log.contains("briefd is running") { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(daemon.isRunning, "the daemon ended while the commands opened the database")
        kill(daemon.processIdentifier, SIGTERM)
        while daemon.isRunning { try await Task.sleep(for: .milliseconds(20)) }  // waited for off the pool
        daemon.waitUntilExit()
        let said = (try? String(contentsOfFile: daemonLog, encoding: .utf8)) ?? ""
        #expect(daemon.terminationStatus == 0, "\(said.suffix(2000))")
        #expect(!said.contains("duplicate column") && !said.contains("already exists"), "\(said.suffix(2000))")
        // Every migration is applied once: the tables an old database lacked are there.
        let campaigns = try await Briefd.run(["issues", "--config", config, "--format", "json"])
        #expect(campaigns.status == 0, "\(campaigns.stderr)")
    }

    @Test func eightHandOffsAtOnceMakeOneListmonkCampaign() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: LocalSiteWorkspace.page()) }
        defer { site.stop() }
        let listmonk = try ListmonkStandIn(user: Self.user, token: Self.token, subscribers: [], delay: 0.5)
        defer { listmonk.stop() }
        let folder = try workspace(
            site: site.url,
            extra: """
                archive: {capture: false}
                delivery:
                  from: newsletter@zgbriefs.test
                  service: listmonk
                  listmonk: {url: "\(listmonk.url)", lists: [3]}
                """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/briefd.yml"
        #expect(try await Briefd.run(["build", "--config", config, "--issue", "2026-12-10"]).status == 0)
        let send = ["send", "campaign", "--config", config, "--issue", "2026-12-10"]
        let runs = try await togetherAsync(Array(repeating: send, count: 8), environment: keys)
        for run in runs { #expect(run.status == 0, "\(run.stderr)") }
        #expect(listmonk.campaigns.count == 1, "\(listmonk.campaigns.map(\.id))")
        #expect(runs.filter { $0.stdout.contains("Created") || $0.stdout.contains("Made") }.count <= 1)
    }

    @Test func eightHandOffsAtOnceMakeOneButtondownEmail() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: LocalSiteWorkspace.page()) }
        defer { site.stop() }
        let buttondown = try ButtondownStandIn(key: Self.buttondownKey, delay: 0.5)
        defer { buttondown.stop() }
        let folder = try workspace(
            site: site.url,
            extra: """
                archive: {capture: false}
                delivery:
                  from: newsletter@zgbriefs.test
                  service: buttondown
                  buttondown: {endpoint: "\(buttondown.url)"}
                """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/briefd.yml"
        #expect(try await Briefd.run(["build", "--config", config, "--issue", "2026-12-10"]).status == 0)
        let send = ["send", "campaign", "--config", config, "--issue", "2026-12-10"]
        let runs = try await togetherAsync(Array(repeating: send, count: 8), environment: keys)
        for run in runs { #expect(run.status == 0, "\(run.stdout) \(run.stderr)") }
        #expect(buttondown.emails.count == 1, "\(buttondown.emails.map(\.id))")
    }

    @Test func aHandOffKilledAfterTheServiceMadeTheCampaignIsFoundAndUpdatedByTheRerun() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: LocalSiteWorkspace.page()) }
        defer { site.stop() }
        let listmonk = try ListmonkStandIn(user: Self.user, token: Self.token, subscribers: [])
        defer { listmonk.stop() }
        let buttondown = try ButtondownStandIn(key: Self.buttondownKey)
        defer { buttondown.stop() }
        // Older emails first, so that the search must follow Buttondown's `next` page (its stand-in pages by two).
        for date in ["November 19, 2026", "November 26, 2026", "December 3, 2026"] {
            buttondown.add(subject: "ZGBriefs | \(date)", status: "draft")
        }
        for service in ["listmonk", "buttondown"] {
            let folder = try workspace(
                site: site.url,
                extra: """
                    archive: {capture: false}
                    delivery:
                      from: newsletter@zgbriefs.test
                      service: \(service)
                      listmonk: {url: "\(listmonk.url)", lists: [3]}
                      buttondown: {endpoint: "\(buttondown.url)"}
                    """)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let config = folder + "/briefd.yml"
            #expect(try await Briefd.run(["build", "--config", config, "--issue", "2026-12-10"]).status == 0)
            let send = ["send", "campaign", "--config", config, "--issue", "2026-12-10"]
            try await killed(at: "after-create", send, environment: keys)
            // The intent was recorded before the service was asked: the editor is told a campaign may exist.
            let listed = try await Briefd.run(["issues", "--config", config])
            #expect(listed.stdout.contains("may have been made by a hand-off that ended"), "\(listed.stdout)")
            let made = service == "listmonk" ? listmonk.campaigns.count : buttondown.emails.count
            let again = try await Briefd.run(send, environment: keys)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("Updated"), "\(again.stdout)")
            let now = service == "listmonk" ? listmonk.campaigns.count : buttondown.emails.count
            #expect(now == made, "\(service): a second campaign was made for the same issue")
        }
    }

    @Test(arguments: ["after-render", "after-rename", "after-record"])
    func aBuildKilledAtEachStepIsCompletedByTheRerunAsOneVersion(step: String) async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: LocalSiteWorkspace.page()) }
        defer { site.stop() }
        let folder = try workspace(site: site.url, extra: "")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let build = ["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-10"]
        try await killed(at: step, build)
        let rerun = try await Briefd.run(build)
        if step == "after-record" {
            // Recorded before it was killed: the rerun says it is out, and completes the archive page and feeds.
            #expect(rerun.status == 1 && rerun.stderr.contains("already published"), "\(rerun.stderr)")
            let capture = try await Briefd.run(["archive", "--config", folder + "/briefd.yml", "--wait"])
            #expect(capture.status == 0, "\(capture.stderr)")
        } else {
            #expect(rerun.status == 0, "\(rerun.stderr)")
        }
        let published = try await issues(folder)
        #expect(published.count == 1)
        #expect(published.first?["version"] as? Int == 1, "\(published)")
        let archive = try String(contentsOfFile: folder + "/out/index.html", encoding: .utf8)
        #expect(archive.contains("2026-12-10"), "the archive page does not list the issue")
        let feed = try String(contentsOfFile: folder + "/out/feed.xml", encoding: .utf8)
        #expect(feed.contains("2026-12-10"))
        let warc = folder + "/out/2026-12-10/archive.warc.gz"
        #expect(FileManager.default.fileExists(atPath: warc))
        let check = try await Briefd.run(["python3", "-m", "warcio.cli", "check", warc], program: "/usr/bin/env")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        // No leftovers of the killed build beside the published versions.
        let store = try FileManager.default.contentsOfDirectory(atPath: folder + "/out/.issues")
        #expect(store.filter { $0.hasPrefix(".tmp") }.isEmpty, "\(store)")
    }

    /// A WARC that is shorter than its recorded length (a damaged disk, a copy cut short) is never rewritten from
    /// what was read: a capture into it is refused with the reason and the file stays byte for byte.
    @Test func aCaptureIntoADamagedWARCIsRefusedAndTheFileLeftByteForByte() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: LocalSiteWorkspace.page()) }
        defer { site.stop() }
        let folder = try workspace(site: site.url, extra: "")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/briefd.yml"
        #expect(try await Briefd.run(["build", "--config", config, "--issue", "2026-12-10"]).status == 0)
        let warc = folder + "/out/2026-12-10/archive.warc.gz"
        let whole = try Data(contentsOf: URL(fileURLWithPath: warc))
        let cut = whole.prefix(whole.count - 10)
        try cut.write(to: URL(fileURLWithPath: warc))
        // The captures forgotten, so that they are taken again into the damaged file.
        #expect(
            try await Briefd.pythonAsync(
                """
                import sqlite3
                db = sqlite3.connect('\(folder)/state/briefd.sqlite')
                db.execute("DELETE FROM page_capture")
                db.commit()
                """) == 0)
        let again = try await Briefd.run([
            "archive", "--config", config, "--issue", "2026-12-10", "--capture", "--wait",
        ])
        #expect(
            again.stdout.contains("Not finished: ") && again.stdout.contains("shorter than the"),
            "\(again.stdout) \(again.stderr)")
        #expect(again.status == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: warc)) == cut, "the damaged WARC was changed")
    }

    @Test func aReplacementThatCannotCarryTheWARCIsRefusedAndThePublishedIssueStays() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 200, body: LocalSiteWorkspace.page()) }
        defer { site.stop() }
        let folder = try workspace(site: site.url, extra: "")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/briefd.yml"
        #expect(try await Briefd.run(["build", "--config", config, "--issue", "2026-12-10"]).status == 0)
        let issue = folder + "/out/2026-12-10/"
        let index = try Data(contentsOf: URL(fileURLWithPath: issue + "index.html"))
        // A WARC that cannot be read (here a folder in its place): carrying it into a new version is impossible, and
        // the old folder, removed after a replacement, may hold the only copies of pages that have died since.
        try FileManager.default.removeItem(atPath: issue + "archive.warc.gz")
        try FileManager.default.createDirectory(atPath: issue + "archive.warc.gz", withIntermediateDirectories: false)
        let refused = try await Briefd.run(["build", "--config", config, "--issue", "2026-12-10", "--replace"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("preserved copies cannot be carried"), "\(refused.stderr)")
        #expect(try await issues(folder).first?["version"] as? Int == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: issue + "index.html")) == index)
    }

    /// The daemon and four `briefd rot --check-now` started together on a workspace whose published link has died:
    /// the dead link is raised once and its alert reaches the webhook once (the outbox's delivery and the raising of
    /// an alert both hold against other processes).
    @Test func theDaemonAndFourRotChecksAtOnceDeliverEachAlertOnce() async throws {
        let alive = Mutex(true)
        let site = try TestHTTPServer { _ in
            alive.withLock { $0 } ? .respond(status: 200, body: LocalSiteWorkspace.page()) : .respond(status: 410)
        }
        defer { site.stop() }
        let receiver = try TestHTTPServer { request in
            request.method == "POST" ? .respond(status: 200, body: "ok", delay: 0.3) : .respond(status: 404)
        }
        defer { receiver.stop() }
        let folder = try workspace(
            site: site.url,
            extra: """
                archive: {capture: false}
                rot: {dead_after_failures: 1, dead_after_hours: 0}
                alerts: {webhook: {url: "\(receiver.url)/hooks/briefd"}}
                web: {listen: ""}
                """)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/briefd.yml"
        #expect(try await Briefd.run(["build", "--config", config, "--issue", "2026-12-10"]).status == 0)
        alive.withLock { $0 = false }
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: Briefd.executable)
        daemon.arguments = ["run", "--config", config]
        var env = ProcessInfo.processInfo.environment
        env["BRIEFD_CONFIG"] = nil
        env["NOTIFY_SOCKET"] = nil
        daemon.environment = env
        let daemonLog = folder + "/daemon.log"
        FileManager.default.createFile(atPath: daemonLog, contents: nil)
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: daemonLog))
        try daemon.run()
        let runs = try await togetherAsync(Array(repeating: ["rot", "--config", config, "--check-now"], count: 4))
        for run in runs { #expect([0, 1].contains(run.status), "\(run.stdout) \(run.stderr)") }
        // The daemon's own pass and its delivery done (it says so), not a guessed sleep: only then does "once" mean
        // that the daemon did not deliver again.
        var said = ""
        for _ in 0..<3000 where daemon.isRunning && !said.contains("link-rot pass") {
            try await Task.sleep(for: .milliseconds(20))
            said = (try? String(contentsOfFile: daemonLog, encoding: .utf8)) ?? ""
        }
        #expect(said.contains("link-rot pass"), "the daemon made no pass of its own: \(said.suffix(2000))")
        kill(daemon.processIdentifier, SIGTERM)
        while daemon.isRunning { try await Task.sleep(for: .milliseconds(20)) }  // waited for off the pool
        daemon.waitUntilExit()
        let posts = receiver.requests.filter { $0.method == "POST" }
        #expect(posts.count == 2, "\(posts.map(\.body))")  // the alert for each of the issue's two links, once each
        let urls = posts.compactMap { post in
            (try? JSONSerialization.jsonObject(with: Data(post.body.utf8)) as? [String: Any])?["url"] as? String
        }
        #expect(urls.count == 2 && Set(urls).count == 2, "an alert was delivered twice, or one not at all: \(urls)")
    }
}
