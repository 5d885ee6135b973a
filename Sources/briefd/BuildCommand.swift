import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
import Foundation

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract:
            "Build an issue of the digest from the ready drafts: web page, email, text, Markdown, archive and feeds.",
        discussion: """
            The drafts are the account's: the running daemon's when one runs, else computed the same way. Every draft \
            left out is listed with its status and reason. An issue already published is not replaced unless \
            --replace is given; the replaced version is kept ('briefd issues', 'briefd issues restore'). \
            A build waits (at most two minutes) for another build, restore or hand-off of the workspace that is \
            running, and then refuses by name if that one published the issue. \
            Exit status: 0 when the issue was built (even if some drafts were left out), 1 when it would be \
            empty, is already published, or a template fails, 2 for usage or config problems, 75 when another \
            build held the workspace longer than the wait (try again).
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: "The issue date, YYYY-MM-DD (default: the coming issue, the next issue day not yet published).")
    var issue: String?

    @Option(help: "The digests folder to write into (default: paths.digests from the config).")
    var out: String?

    @Flag(help: "Print the build report only; write and record nothing.")
    var dryRun = false

    @Flag(help: "Replace the issue if it is already published (the published version is kept).")
    var replace = false

    @Option(help: "text or json (the report as GET /api/issues/next has it).")
    var format: OutputFormat = .text

    @Flag(help: "Do not capture the cited pages now (the daemon, or 'briefd archive --wait', captures them later).")
    var noCapture = false

    func validate() throws {
        if let issue, Day(iso: issue) == nil {
            throw ValidationError("--issue must be a date as YYYY-MM-DD, found '\(issue)'")
        }
    }

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        let state = try openState(config)
        let build = DigestBuild(config: config, registry: workspace.registry, state: state)
        let date: Day
        if let asked = issue.flatMap({ Day(iso: $0) }) {
            date = asked
        } else {
            do {
                date = try await build.nextIssueDate(after: LocalCalendar.today())
            } catch {
                FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
                throw ExitCode(2)
            }
        }
        let root = out.map { Workspace.absolute($0) } ?? config.paths.digests
        let outcome: DigestBuild.Outcome
        do {
            let (drafts, _) = try await SavedAccount.drafts(
                config: config, registry: workspace.registry, state: state, daemonRuns: daemonRuns(config), today: date)
            outcome = try await build.run(
                date: date, root: root, dryRun: dryRun, replace: replace, account: drafts,
                waiting: { holder in
                    let who = holder.map { "\($0.purpose) is running (pid \($0.pid))" } ?? "another build is running"
                    FileHandleOutput.write(
                        "briefd: \(who); waiting for it (at most \(Int(DigestBuild.lockWait)) s)\n", to: .standardError)
                })
        } catch let error as DigestBuild.BuildError {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(error.step == .busy ? 75 : 1)
        } catch {
            FileHandleOutput.write("briefd: \(config.paths.state): \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
        switch format {
        case .json: FileHandleOutput.write(JSONText.pretty(AccountDocuments.IssuePlan(outcome.report)))
        case .text: FileHandleOutput.write(outcome.report.summary)
        }
        if outcome.isEmpty {
            FileHandleOutput.write(
                "briefd: the issue of \(date) would be empty; nothing was written\n", to: .standardError)
            throw ExitCode(1)
        }
        if let folder = outcome.folder, format == .text {
            let version = outcome.version.map { $0 > 1 ? " (version \($0); the earlier ones are kept)" : "" } ?? ""
            FileHandleOutput.write(
                "Wrote \(folder)/: index.html, email.html, digest.txt, digest.md, build.json\(version)\n")
            FileHandleOutput.write("Open file://\(folder)/index.html; archive and feeds in \(root)/\n")
        }
        if outcome.folder != nil, config.archive.capture, root == config.paths.digests, !noCapture {
            await captureCitedPages(date: date, workspace: workspace, state: state)
        }
        if replace, outcome.folder != nil, root == config.paths.digests {
            // A replaced issue's campaign, if it has not gone out, follows the new version.
            let links = LinkService(
                settings: config.links, registry: workspace.registry, state: state, version: Briefd.version)
            if let line = await CampaignHandOff(config: config, registry: workspace.registry, state: state)
                .followReplacement(
                    of: date, links: links, user: SendCampaignCommand.user(), daemonRuns: daemonRuns(config),
                    environment: ProcessInfo.processInfo.environment)
            {
                FileHandleOutput.write(line + "\n")
            }
            await links.shutdown()
        }
    }

    /// The cited pages of the issue just published, captured into its WARC now unless a daemon runs (then the
    /// daemon captures them within seconds). A failed capture is said and left for the daemon to try again.
    private func captureCitedPages(date: Day, workspace: Workspace, state: StateDatabase) async {
        let config = workspace.config
        guard !daemonRuns(config) else {
            FileHandleOutput.write(
                "The running daemon captures the cited pages ('briefd archive' shows them).\n", to: .standardError)
            return
        }
        let links = LinkService(
            settings: config.links, registry: workspace.registry, state: state, version: Briefd.version)
        do {
            let outcome = try await CaptureRun(config: config, state: state, links: links).work(
                now: Date().timeIntervalSince1970, issue: date.description)
            var line = "Captured \(outcome.captured) cited pages into \(config.paths.digests)/\(date)/archive.warc.gz"
            if outcome.retrying + outcome.failed > 0 {
                line += "; \(outcome.retrying + outcome.failed) could not be fetched (see 'briefd archive')"
            }
            if let reason = outcome.unwritten[date.description] {
                line = "The cited pages could not be captured: \(reason)"
            }
            FileHandleOutput.write(line + "\n", to: .standardError)
        } catch {
            FileHandleOutput.write("briefd: the cited pages could not be captured: \(error)\n", to: .standardError)
        }
        await links.shutdown()
    }
}

struct IssuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issues",
        abstract: "List the published issues with their versions.",
        subcommands: [IssuesListCommand.self, IssuesRestoreCommand.self],
        defaultSubcommand: IssuesListCommand.self
    )
}

struct IssuesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The published issues, newest first, with their versions.")

    @OptionGroup var options: ConfigOption

    @Option(help: "text or json (as GET /api/issues has it).")
    var format: OutputFormat = .text

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let state = try openState(workspace.config)
        await recordMissingBuildTimes(workspace.config, state: state)
        let published: [IssueStore.Published]
        do {
            published = try await IssueStore(state).published()
        } catch {
            FileHandleOutput.write("briefd: \(workspace.config.paths.state): \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
        switch format {
        case .json:
            FileHandleOutput.write(JSONText.pretty(["issues": published]))
        case .text:
            var out = published.isEmpty ? "No issue is published yet.\n" : ""
            for issue in published {
                out += "\(issue.date)  \(ItemCount(items: issue.items, sponsors: issue.sponsors))  "
                out +=
                    issue.builtAt.map { "built \($0), version \(issue.version) of \(issue.versions.count)" }
                    ?? issue.importedFrom.map { "imported from \($0)" }
                    ?? "built by an earlier version of briefd (its build time was not recorded)"
                out += "\n"
                if let campaign = issue.delivery {
                    out += "    \(campaign.summary)"
                    out += (campaign.sendAt.map { ", sends at \($0)" } ?? "") + " (version \(campaign.version))\n"
                }
                if issue.versions.count > 1 {
                    for version in issue.versions {
                        out +=
                            "    version \(version.version): built \(version.builtAt ?? "?"), \(DraftAccount.counted(version.items, "item"))"
                        out += version.version == issue.version ? " (published)\n" : "\n"
                    }
                }
            }
            FileHandleOutput.write(out)
        }
    }
}

struct IssuesRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Publish an earlier version of an issue again (its files, its record, the archive and the feeds).")

    @OptionGroup var options: ConfigOption

    @Argument(help: "The issue's date, YYYY-MM-DD.")
    var date: String

    @Argument(help: "The version to bring back (see 'briefd issues').")
    var version: Int

    func validate() throws {
        if Day(iso: date) == nil { throw ValidationError("the date must be YYYY-MM-DD, found '\(date)'") }
    }

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let state = try openState(workspace.config)
        let build = DigestBuild(config: workspace.config, registry: workspace.registry, state: state)
        do {
            try await build.restore(date: Day(iso: date)!, version: version, root: workspace.config.paths.digests)
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(1)
        }
        FileHandleOutput.write("The issue of \(date) is version \(version) again; archive and feeds rewritten.\n")
        // The issue's campaign, if it has not gone out, follows the version now published, or the editor is told why not.
        let config = workspace.config
        let links = LinkService(
            settings: config.links, registry: workspace.registry, state: state, version: Briefd.version)
        if let line = await CampaignHandOff(config: config, registry: workspace.registry, state: state)
            .followReplacement(
                of: Day(iso: date)!, links: links, user: SendCampaignCommand.user(), daemonRuns: daemonRuns(config),
                environment: ProcessInfo.processInfo.environment)
        {
            FileHandleOutput.write(line + "\n")
        }
        await links.shutdown()
    }
}
