import ArgumentParser
import BriefdCore
import BriefdIO
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

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check drafts: front matter, sources, attributions, names; links and quotes unless --offline.",
        discussion: "Exit status: 0 when no draft has an error, 1 when any has, 2 for usage or config problems."
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

    @Argument(help: "Draft files or folders (searched recursively for *.md).")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one draft file or folder") }
    }

    func run() throws {
        try requireExisting(paths)
        let workspace = try options.loadWorkspace()
        let checker = DraftChecker(config: workspace.config, registry: workspace.registry, today: SystemClock.today())
        let checked = CheckRun(checker: checker).runKeepingDrafts(paths: paths)
        var reports = checked.reports
        let drafts = checked.drafts
        let links = CitedLink.merging(drafts.map(LinkExtractor.links(in:)))
        if !offline && !links.isEmpty {
            let results: [String: LinkResult]
            if cached {
                results = knownLinkResults(links, workspace: workspace)
            } else {
                let entries = try checkLinks(links, in: workspace, useCache: true, progress: nil)
                results = Dictionary(entries.map { ($0.link.url, $0.result) }, uniquingKeysWith: { first, _ in first })
            }
            // Quotes are compared with their pages unless the link itself already failed.
            let failed = Set(results.filter { !$0.value.ok && $0.value.verdict != .skipped }.map(\.key))
            let quoteRun = QuoteRun(config: workspace.config)
            let refresh = self.refresh
            let snapshots: [String: PageSnapshot]
            do {
                snapshots = try blocking {
                    try await quoteRun.snapshots(
                        for: drafts, refresh: refresh && !cached, fetch: !cached, version: Briefd.version, skipping: failed)
                }
            } catch {
                FileHandleOutput.write("briefd: \(workspace.config.paths.state): \(error)\n", to: .standardError)
                throw ExitCode(2)
            }
            let quoteFindings = QuoteRun.findings(drafts, snapshots: snapshots, registry: workspace.registry)
            for index in reports.indices {
                let path = reports[index].path
                let found = LinkFindings.findings(path: path, links: links, results: results) + (quoteFindings[path] ?? [])
                reports[index].findings = (reports[index].findings + found).inReadingOrder()
            }
        }
        FileHandleOutput.write(ReportFormatter.render(reports, as: format.format))
        if reports.contains(where: \.hasErrors) { throw ExitCode(1) }
    }

    /// What the link history already knows of `links`, within the cache ages; nothing is requested.
    func knownLinkResults(_ links: [CitedLink], workspace: Workspace) -> [String: LinkResult] {
        let settings = workspace.config.links
        guard let store = try? LinkStore(path: workspace.config.paths.state),
            let history = try? store.freshResults(
                for: links.map { LinkProbe.withoutFragment($0.url) }, now: Date().timeIntervalSince1970,
                okAge: Double(settings.cacheOKHours) * 3600, brokenAge: Double(settings.cacheBrokenHours) * 3600)
        else { return [:] }
        var results: [String: LinkResult] = [:]
        for link in links { results[link.url] = history[LinkProbe.withoutFragment(link.url)] }
        return results
    }
}
