import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
import Dispatch
@preconcurrency import Glibc
import Synchronization

enum LinkFormatOption: String, ExpressibleByArgument, CaseIterable { case text, json }

struct LinksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "links",
        abstract: "Check the links that Markdown files cite (or, with --dump, only list them).",
        discussion: """
            Verdicts: ok, redirected, paywalled, broken, soft-404, blocked, timeout, skipped, blocked-address.
            Exit status: 0 when no link is broken, 1 when any is (broken, soft-404, timeout or blocked-address) \
            or a file could not be read, 2 for usage or config problems.
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: "Output format: text or json.")
    var format: LinkFormatOption = .text

    @Flag(help: "Check every link again, ignoring results from earlier runs (they are still recorded).")
    var noCache = false

    @Flag(help: "Print the links found, one per line, without checking them.")
    var dump = false

    @Flag(help: "No progress bar on the terminal.")
    var quiet = false

    @Argument(help: "Markdown files or folders (searched recursively for *.md).")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one Markdown file or folder") }
    }

    func run() async throws {
        try requireExisting(paths)
        let workspace = try options.loadWorkspace()
        let run = LinkRun(config: workspace.config, registry: workspace.registry)
        let (links, refused) = run.extract(paths: paths)
        for (path, reason) in refused { FileHandleOutput.write("briefd: \(path): \(reason)\n", to: .standardError) }
        if dump {
            FileHandleOutput.write(LinkReportFormatter.dump(links))
            if !refused.isEmpty { throw ExitCode(1) }
            return
        }
        let progress = quiet ? nil : ProgressBar.forTerminal()
        let state = try openState(workspace.config)
        let reuse: LinkChecker.Reuse = noCache ? .inFlight : .history
        let outcome = try await withLinkService(workspace, state: state) { service in
            await run.check(links, service: service, reuse: reuse, progress: progress?.update)
        }
        progress?.finish()
        warnAboutHistory(outcome.historyProblem, state: workspace.config.paths.state)
        let entries = outcome.entries
        switch format {
        case .text: FileHandleOutput.write(LinkReportFormatter.text(entries))
        case .json: FileHandleOutput.write(LinkReportFormatter.json(entries))
        }
        if !refused.isEmpty || entries.contains(where: { LinksCommand.failing.contains($0.result.verdict) }) {
            throw ExitCode(1)
        }
    }

    /// Verdicts that make the run fail; `blocked` (unverifiable) and `skipped` do not.
    static let failing: Set<LinkVerdict> = [.broken, .soft404, .timeout, .blockedAddress]
}

/// A one-line progress bar on stderr, drawn only on a terminal and only once a run has taken a second.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw = 0.0
        var drawn = false
    }

    private let started = ProgressBar.now()
    private let state = Mutex(State())

    static func forTerminal() -> ProgressBar? { isatty(2) == 1 ? ProgressBar() : nil }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    func update(done: Int, total: Int) {
        let now = ProgressBar.now()
        let draw = state.withLock { state -> Bool in
            guard now - started >= 1, now - state.lastDraw >= 0.1 || done == total else { return false }
            state.lastDraw = now
            state.drawn = true
            return true
        }
        guard draw, total > 0 else { return }
        let width = 30
        let filled = done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        FileHandleOutput.write("\r[\(bar)] \(done)/\(total) links", to: .standardError)
    }

    func finish() {
        if state.withLock({ $0.drawn }) { FileHandleOutput.write("\r\u{1B}[K", to: .standardError) }
    }
}
