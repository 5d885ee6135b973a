import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "What the daemon is doing: whether it runs, every draft's status and why, the next and the last build.",
        discussion: """
            With a daemon running, the drafts are its account as it last saved it (what the desk shows); without \
            one, the account is computed the same way from the drafts and the link history (no request is sent).
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: "text or json (the drafts as GET /api/drafts has them, with last_build and daemon).")
    var format: OutputFormat = .text

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        guard FileManager.default.fileExists(atPath: config.paths.state) else {
            // In the format asked for: a program reading JSON gets JSON.
            let said = "briefd is not running and has not run here yet (no \(config.paths.state))"
            FileHandleOutput.write(
                format == .json
                    ? "{\"daemon\": \"not running\", \"state\": null, \"reason\": \(JSONText.string(said))}\n"
                    : said + "\n")
            return
        }
        // The lock says whether a daemon runs, asked without taking it (taking it, even for an instant, would make a
        // daemon starting at that instant find it held); a lock file this user cannot open (an editor asking about the
        // service's state) says nothing either way, and is said so rather than guessed.
        let daemon: String
        do {
            daemon = try InstanceLock.isHeld(statePath: config.paths.state) ? "running" : "not running"
        } catch {
            daemon = "unknown (\(error))"
        }
        let state = try openState(config)
        await recordMissingBuildTimes(config, state: state)
        let store = DaemonStore(state)
        var entries: [AccountDocuments.DraftEntry] = []
        var draftsProblem: String?
        var next = LocalCalendar.today()
        do {
            let published = try await IssueStore(state).publishedIssues()
            next = DraftAccount.nextIssue(
                weekday: config.digest.issueWeekday, today: LocalCalendar.today(), published: published.dates)
            let (drafts, _) = try await SavedAccount.drafts(
                config: config, registry: workspace.registry, state: state, daemonRuns: daemon == "running",
                today: LocalCalendar.today(), parsing: false)
            entries = SavedAccount.standings(drafts, config: config, published: published, target: next)
        } catch {
            draftsProblem = "cannot be read from \(config.paths.state) (\(error))"
        }
        let nextBuild = await BuildScheduler.nextBuild(config, store: store, coming: next)
        let due = nextBuild?.due
        let zone = config.daemon.build.timeZone
        let lastBuild: DaemonStore.BuildRecord?
        var lastBuildProblem: String?
        do {
            lastBuild = try await store.lastBuild()
        } catch {
            lastBuild = nil
            lastBuildProblem = "\(error)"
        }
        switch format {
        case .json:
            FileHandleOutput.write(
                JSONText.pretty(
                    StatusDocument(
                        daemon: daemon,
                        nextIssue: .init(date: next, buildAt: due.map { JSONText.timestamp($0.timeIntervalSince1970) }),
                        lastBuild: lastBuild, drafts: entries)))
        case .text:
            var out = "daemon: \(daemon)\n"
            if let draftsProblem {
                out += "drafts: \(draftsProblem)\n"
            } else {
                var counts: [DraftStatus: Int] = [:]
                for entry in entries { counts[entry.status, default: 0] += 1 }
                out +=
                    DraftIndex.summaryLine(counts) + " in \(config.paths.drafts); reports in \(config.paths.reports)\n"
                for entry in entries where entry.status != .published {
                    out += "  \(entry.status.rawValue) \(entry.path): \(entry.reasons.first ?? "")\n"
                }
            }
            out += "next issue: \(next)\n"
            out += "schedule: \(config.daemon.build)\n"
            if let nextBuild {
                out += "next build: \(ZonedTime.text(nextBuild.due, in: zone)), for the issue of \(nextBuild.issue)\n"
            }
            if let lastBuild {
                out +=
                    "last build: issue \(lastBuild.issueDate), \(lastBuild.outcome) (\(lastBuild.trigger)), finished \(ZonedTime.text(lastBuild.finishedAt, in: zone))\n"
            } else if let lastBuildProblem {
                out += "last build: cannot be read (\(lastBuildProblem))\n"
            } else {
                out += "last build: none yet\n"
            }
            FileHandleOutput.write(out)
        }
    }
}

/// `briefd status --format json`.
private struct StatusDocument: Encodable {
    var daemon: String
    var nextIssue: AccountDocuments.NextIssue
    @NullEncoded var lastBuild: DaemonStore.BuildRecord?
    var drafts: [AccountDocuments.DraftEntry]

    enum CodingKeys: String, CodingKey {
        case daemon, drafts
        case nextIssue = "next_issue"
        case lastBuild = "last_build"
    }
}
