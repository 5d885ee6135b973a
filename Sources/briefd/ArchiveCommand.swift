import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
import Foundation

struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "The preservation of an issue's cited pages: its own captures (WARC) and Save Page Now.",
        discussion: """
            Without options: the state of each cited page of the issue (default: the newest published one). \
            --capture queues a capture of an issue that has none (an imported one) and, with no daemon running, \
            captures it now. --wait works the queue in the foreground until every capture and submission is final \
            (with a daemon running it only watches: the daemon does the work). Exit status: 0 when every cited page \
            has a good copy, 1 when some have none (yet), 2 for usage or config problems.
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: "The issue date, YYYY-MM-DD (default: the newest published issue).")
    var issue: String?

    @Flag(help: "Work the queue in the foreground until every capture and Save Page Now job is final.")
    var wait = false

    @Flag(help: "Capture an issue that has no captures (an imported one) from the live pages.")
    var capture = false

    @Option(help: "With --wait: give up waiting when the next step is further away than this many seconds.")
    var patience: Int = 300

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if let issue, Day(iso: issue) == nil {
            throw ValidationError("--issue must be a date as YYYY-MM-DD, found '\(issue)'")
        }
    }

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        let state = try openState(config)
        let report = PreservationReport(config: config, state: state)
        let environment = ProcessInfo.processInfo.environment
        var unfinished: String?
        do {
            let latest = issue == nil ? try await report.latestIssue() : nil
            guard let date = issue ?? latest else {
                FileHandleOutput.write("briefd: no issue is published yet\n", to: .standardError)
                throw ExitCode(1)
            }
            guard try await IssueStore(state).issues().contains(where: { $0.date == date }) else {
                FileHandleOutput.write("briefd: the issue of \(date) is not published\n", to: .standardError)
                throw ExitCode(1)
            }
            if capture {
                let queued = try await report.queueCapture(of: date)
                if format == .text { FileHandleOutput.write("Queued \(queued) pages of \(date) for capture.\n") }
            }
            if wait || capture {
                let daemon = daemonRuns(config)
                let links =
                    daemon
                    ? nil
                    : LinkService(
                        settings: config.links, registry: workspace.registry, state: state, version: Briefd.version)
                let progress: @Sendable (String) -> Void = { line in
                    FileHandleOutput.write(line + "\n", to: .standardError)
                }
                do {
                    unfinished = try await report.work(
                        date, links: links, environment: environment, patience: Double(patience), progress: progress)
                } catch {
                    await links?.shutdown()
                    throw error
                }
                await links?.shutdown()
            }
            let preservation = try await report.preservation(of: date)
            switch format {
            case .json: FileHandleOutput.write(JSONText.pretty(preservation))
            case .text: FileHandleOutput.write(Self.text(preservation, unfinished: unfinished))
            }
            if preservation.links.contains(where: { $0.copy == nil }) { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandleOutput.write("briefd: \(config.paths.state): \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
    }

    static func text(_ preservation: IssuePreservation, unfinished: String?) -> String {
        var out = "Issue of \(preservation.issue): " + (preservation.warc ?? "no WARC yet") + "\n"
        if preservation.links.isEmpty { out += "  no capture is queued ('briefd archive --capture' queues one)\n" }
        for link in preservation.links {
            let state = link.captured ? "captured \(link.status.map(String.init) ?? "-")" : "not captured"
            let excerpt: String
            switch link.excerptFound {
            case true?: excerpt = "excerpt found"
            case false?: excerpt = "excerpt NOT found"
            case nil: excerpt = "excerpt not checked"
            }
            // The reason in the editor's words; the raw library text stays in `--format json`.
            let reason = link.reason.map { LinkProblem.sentence(status: link.status, error: $0) ?? $0 }
            out += "  \(link.url)\n    \(state); \(excerpt)" + (reason.map { " (\($0))" } ?? "") + "\n"
            if let copy = link.copy { out += "    own copy: \(copy) on the desk\n" }
            if let spn = link.savePageNow {
                out += "    Save Page Now: \(spn.status)"
                if let snapshot = spn.snapshot { out += " \(snapshot)" }
                if let ext = spn.statusExt { out += " (\(ext))" }
                if let next = spn.nextTry { out += "; next step \(next)" }
                out += "\n"
            }
        }
        if let unfinished { out += "Not finished: \(unfinished)\n" }
        return out
    }
}
