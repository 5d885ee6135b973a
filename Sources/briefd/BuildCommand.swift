import ArgumentParser
import BriefdCore
import BriefdIO

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an issue of the digest from the accepted drafts: web page, email, text, Markdown, archive and feeds.",
        discussion: """
            Exit status: 0 when the issue was built (even if some drafts were left out), 1 when it would be \
            empty or a template fails, 2 for usage or config problems.
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: "The issue date, YYYY-MM-DD (default: the next issue day of the config's issue_weekday).")
    var issue: String?

    @Option(help: "The digests folder to write into (default: paths.digests from the config).")
    var out: String?

    @Flag(help: "Print the build report only; write and record nothing.")
    var dryRun = false

    func validate() throws {
        if let issue, Day(iso: issue) == nil { throw ValidationError("--issue must be a date as YYYY-MM-DD, found '\(issue)'") }
    }

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let state = try openState(workspace.config)
        let build = DigestBuild(config: workspace.config, registry: workspace.registry, state: state)
        let date = issue.flatMap { Day(iso: $0) } ?? build.nextIssueDate(after: LocalCalendar.today())
        let root = out.map { Workspace.absolute($0) } ?? workspace.config.paths.digests
        let outcome: DigestBuild.Outcome
        do {
            outcome = try await build.run(date: date, root: root, dryRun: dryRun)
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(1)
        }
        FileHandleOutput.write(outcome.report.summary)
        if outcome.isEmpty {
            FileHandleOutput.write("briefd: the issue of \(date) would be empty; nothing was written\n", to: .standardError)
            throw ExitCode(1)
        }
        if let folder = outcome.folder {
            FileHandleOutput.write("Wrote \(folder)/: index.html, email.html, digest.txt, digest.md, build.json\n")
            FileHandleOutput.write("Open file://\(folder)/index.html; archive and feeds in \(root)/\n")
        }
    }
}
