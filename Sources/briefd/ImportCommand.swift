import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
import Foundation

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring a newsletter's published issues in, so that link-rot watch and the archive cover them.",
        discussion: """
            Reads issue pages as the newsletter published them (HTML files, folders of them, addresses) or the \
            digest.md briefd wrote, and records each issue and its items as published. Re-importing a page changes \
            nothing; an issue briefd built is never overwritten. Exit status: 0 when every page was read, 1 when \
            some items or pages had problems, 2 for usage or config problems.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: ConfigOption

    @Flag(help: "Read and report only; record nothing.")
    var dryRun = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Only issues on or after this date (YYYY-MM-DD).")
    var since: String?

    @Argument(help: "Issue pages: HTML files, folders of them, http(s) addresses, or briefd's digest.md.")
    var inputs: [String]

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("name at least one page, folder or address") }
        if let since, Day(iso: since) == nil { throw ValidationError("--since '\(since)' is not a date (YYYY-MM-DD)") }
    }

    func run() async throws {
        try requireExisting(inputs.filter { WebAddress($0)?.isHTTP != true })
        let workspace = try options.loadWorkspace()
        let state = try openState(workspace.config)
        let outcome: ImportRun.Outcome
        do {
            outcome = try await withLinkService(workspace, state: state) { service in
                try await RunContext(
                    config: workspace.config, registry: workspace.registry, state: state, links: service
                ).importPages(inputs, dryRun: dryRun, since: since.flatMap { Day(iso: $0) })
            }
        } catch {
            FileHandleOutput.write("briefd: \(workspace.config.paths.state): \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
        FileHandleOutput.write(format == .json ? json(outcome) : text(outcome))
        let troubled = outcome.pages.contains {
            !$0.problems.isEmpty || $0.issue == nil || ($0.issue?.date == nil && $0.issue?.isListing != true)
        }
        if troubled { throw ExitCode(1) }
    }

    private func text(_ outcome: ImportRun.Outcome) -> String {
        var out = ""
        for page in outcome.pages {
            let date = page.issue?.date?.description ?? "no date"
            out += "\(page.page): \(date): \(page.outcome)"
            if let issue = page.issue {
                var order: [String] = []
                var counts: [String: Int] = [:]
                for item in issue.items {
                    if counts[item.section] == nil { order.append(item.section) }
                    counts[item.section, default: 0] += 1
                }
                out +=
                    "; \(DraftAccount.counted(issue.items.count, "item")) ("
                    + order.map { "\($0.isEmpty ? "no section" : $0) \(counts[$0]!)" }.joined(separator: ", ") + ")"
            }
            out += "\n"
            for problem in page.problems {
                out += "\(page.page):\(problem.line): \(problem.message)\n"
            }
        }
        let pages = outcome.pages.count
        out += "\(pages) page\(pages == 1 ? "" : "s") read in \(String(format: "%.2f", outcome.seconds)) s: "
        out +=
            "\(outcome.pages.filter(\.recorded).count) recorded, \(DraftAccount.counted(outcome.pages.reduce(0) { $0 + $1.problems.count }, "problem"))\n"
        if !outcome.unknownSources.isEmpty {
            out += "\nSources not in the registry (paste into its publications, then check the names):\n"
            for (name, domain) in outcome.unknownSources {
                out += "  - name: \(YAMLQuoting.scalar(name))\n    domains: [\(domain)]"
                out += domain.isEmpty ? "   # its own site's domain: the item was hosted elsewhere (via)\n" : "\n"
            }
        }
        return out
    }

    private struct Document: Encodable {
        struct Issue: Encodable {
            var date: String?
            var source_page: String
            var outcome: String
            var items: [ImportedItem]
            var problems: [ImportProblem]
        }
        struct Unknown: Encodable {
            var name: String
            var domain: String
        }
        var issues: [Issue]
        var unknown_sources: [Unknown]
    }

    private func json(_ outcome: ImportRun.Outcome) -> String {
        let document = Document(
            issues: outcome.pages.map {
                .init(
                    date: $0.issue?.date?.description, source_page: $0.page, outcome: $0.outcome,
                    items: $0.issue?.items ?? [],
                    problems: $0.problems)
            },
            unknown_sources: outcome.unknownSources.map { .init(name: $0.name, domain: $0.domain) })
        return JSONText.pretty(document)
    }
}

/// A name written into YAML as a plain scalar when that is safe, quoted otherwise.
enum YAMLQuoting {
    static func scalar(_ text: String) -> String {
        let plain =
            text.allSatisfy { $0.isLetter || $0.isNumber || " .'-&".contains($0) } && text.first?.isLetter == true
        guard !plain else { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }
}
