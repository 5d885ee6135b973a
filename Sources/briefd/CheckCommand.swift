import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
import Foundation
@preconcurrency import Glibc

/// The `--format` choices, mapped onto the report formatter's.
enum ReportFormatOption: String, ExpressibleByArgument, CaseIterable {
    case text, json, github

    var format: ReportFormatter.Format { ReportFormatter.Format(rawValue: rawValue)! }
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The config file (default: $BRIEFD_CONFIG, else config/briefd.yml).")
    var config: String?

    /// Loads the workspace or exits 2 with the file, line and reason.
    func loadWorkspace() throws -> Workspace {
        do {
            return try Workspace.load(configPath: config)
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
    }
}

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check drafts: front matter, sources, attributions, names; links and quotes unless --offline.",
        discussion: """
            With --fix, the fixes findings carry (the registry's spelling, the page's date, a redirect's final \
            address, the closest section) are written into the drafts, atomically; --unsafe adds those that need an \
            editor's judgement (a title from the registry); --dry-run prints them as a unified diff instead. Exit \
            status: 0 when no draft has an error, 1 when any has (after --fix: any left) or a file changed while \
            it was being fixed, 2 for usage or config problems.
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: "Output format: text, json or github.")
    var format: ReportFormatOption = .text

    @Flag(help: "Only the checks that need no network (link and quote checks are skipped).")
    var offline = false

    @Flag(help: "Fetch the quotes' source pages again instead of using the kept snapshots.")
    var refresh = false

    @Flag(help: "No network: link findings from the link history, quotes compared with kept snapshots only.")
    var cached = false

    @Flag(help: "Apply the safe fixes to the drafts: atomically, and never to a file changed since it was read.")
    var fix = false

    @Flag(name: .customLong("unsafe"), help: "With --fix, apply the fixes that need an editor's judgement too.")
    var includingUnsafe = false

    @Flag(name: .customLong("dry-run"), help: "With --fix, print the changes as a unified diff and write nothing.")
    var dryRun = false

    @Argument(help: "Draft files or folders (searched recursively for *.md).")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one draft file or folder") }
        if (includingUnsafe || dryRun) && !fix { throw ValidationError("--unsafe and --dry-run go with --fix") }
    }

    func run() async throws {
        try requireExisting(paths)
        let workspace = try options.loadWorkspace()
        var (reports, drafts) = try await check(workspace)
        if fix {
            let outcomes = FixRun.apply(
                reports: reports, drafts: drafts, includingUnsafe: includingUnsafe, dryRun: dryRun)
            var refused = false
            for outcome in outcomes {
                if let reason = outcome.refused {
                    FileHandleOutput.write("briefd: \(outcome.path): \(reason)\n", to: .standardError)
                    refused = true
                    continue
                }
                if dryRun {
                    FileHandleOutput.write(outcome.diff)
                } else if !outcome.applied.isEmpty {
                    let titles = outcome.applied.map(\.title).joined(separator: "; ")
                    FileHandleOutput.write("fixed \(outcome.path): \(titles)\n", to: .standardError)
                }
                for (fix, reason) in outcome.skipped {
                    FileHandleOutput.write(
                        "not applied in \(outcome.path): \(fix.title): \(reason)\n", to: .standardError)
                }
            }
            if dryRun {
                if refused { throw ExitCode(1) }
                return
            }
            // What is left, checked again from the files as they are now.
            if outcomes.contains(where: { !$0.applied.isEmpty }) { (reports, drafts) = try await check(workspace) }
            if refused {
                FileHandleOutput.write(ReportFormatter.render(reports, as: format.format))
                throw ExitCode(1)
            }
        }
        FileHandleOutput.write(ReportFormatter.render(reports, as: format.format))
        if reports.contains(where: \.hasErrors) { throw ExitCode(1) }
    }

    /// The drafts under `paths` checked as the options say: their reports, and the drafts as read.
    private func check(_ workspace: Workspace) async throws -> (reports: [DraftReport], drafts: [Draft]) {
        let checker = DraftChecker(config: workspace.config, registry: workspace.registry, today: LocalCalendar.today())
        let checked = CheckRun(checker: checker).runKeepingDrafts(paths: paths)
        var reports = checked.reports
        let mode: DraftReview.Mode = offline ? .offline : cached ? .cached : .online(refreshPages: refresh)
        if mode != .offline {
            let state = try openState(workspace.config)
            let drafts = checked.drafts
            let outcome: DraftReview.Outcome
            do {
                outcome = try await withLinkService(workspace, state: state) { service in
                    try await RunContext(
                        config: workspace.config, registry: workspace.registry, state: state, links: service
                    )
                    .review(drafts, mode: mode)
                }
            } catch {
                FileHandleOutput.write("briefd: \(workspace.config.paths.state): \(error)\n", to: .standardError)
                throw ExitCode(2)
            }
            warnAboutHistory(outcome.historyProblem, state: workspace.config.paths.state)
            for index in reports.indices {
                let found = outcome.findings[reports[index].path] ?? []
                reports[index].findings = (reports[index].findings + found).inReadingOrder()
            }
        }
        return (reports, checked.drafts)
    }
}
