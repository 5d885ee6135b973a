import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
import Foundation

struct ClipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract: "Make a ready brief from an article's address: title, date, outlet, section and excerpt filled in.",
        discussion: """
            Fetches the page politely and safely (as briefd links does), or reads a page saved from a browser \
            (--from), and writes DRAFTS/<published>-<slug>.md, never over an existing file. The excerpt is the \
            article's opening paragraphs, verbatim; the page is kept as the quote's snapshot. Exit status: 0 written \
            (or printed), 1 when the page cannot be had or read (with the link verdict), 2 for usage or config problems.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: ConfigOption

    @Argument(help: "The article's address.")
    var url: String

    @Option(help: "The section (default: where this publication's items usually go, else the first section).")
    var section: String?

    @Option(help: "The issue it is for, YYYY-MM-DD (default: the next issue).")
    var issue: String?

    @Flag(help: "Make it the issue's featured article.")
    var featured = false

    @Option(name: .customLong("from"), help: "Read the page from this saved HTML file instead of fetching it.")
    var file: String?

    @Flag(name: .customLong("print"), help: "Print the draft instead of writing it.")
    var printOnly = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard let address = WebAddress(url), address.isHTTP else {
            throw ValidationError("'\(url)' is not an http(s) address")
        }
        if let issue, Day(iso: issue) == nil { throw ValidationError("--issue '\(issue)' is not a date (YYYY-MM-DD)") }
    }

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        if let section, !config.newsletter.sections.contains(section) {
            let known = config.newsletter.sections.map { "'\($0)'" }.joined(separator: ", ")
            FileHandleOutput.write(
                "briefd: --section '\(section)' is not one of the config's sections: \(known)\n", to: .standardError)
            throw ExitCode(2)
        }
        let page: ClipRun.Page
        if let file {
            page = .saved(file: file, bytes: try readSaved(file, limit: config.links.maxPageBytes))
        } else {
            page = .web
        }
        let state = try openState(config)
        let outcome: ClipRun.Outcome
        do {
            outcome = try await withLinkService(workspace, state: state) { service in
                try await RunContext(config: config, registry: workspace.registry, state: state, links: service).clip(
                    url, page: page, section: section, issue: issue.flatMap { Day(iso: $0) }, featured: featured,
                    write: !printOnly, today: LocalCalendar.today())
            }
        } catch let unavailable as ClipRun.Unavailable {
            if format == .json {
                FileHandleOutput.write(
                    json(ClipFailure(url: url, verdict: unavailable.verdict, reason: unavailable.reason)))
            }
            FileHandleOutput.write(
                "briefd: \(url): \(unavailable.verdict): \(unavailable.reason)\n", to: .standardError)
            throw ExitCode(1)
        } catch let failure as AtomicOutput.WriteError {
            FileHandleOutput.write("briefd: \(failure)\n", to: .standardError)
            throw ExitCode(2)
        } catch {
            FileHandleOutput.write("briefd: \(config.paths.state): \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
        switch format {
        case .json:
            FileHandleOutput.write(
                json(
                    ClipDocument(
                        path: outcome.path, draft: outcome.result.draft,
                        notes: outcome.result.notes, findings: outcome.findings)))
        case .text:
            FileHandleOutput.write(text(outcome))
        }
    }

    private func readSaved(_ file: String, limit: Int) throws -> [UInt8] {
        try requireExisting([file])
        do {
            return try TextFile.readBytes(file, maxBytes: limit, limitName: "links.max_page_bytes")
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(1)
        }
    }

    private func text(_ outcome: ClipRun.Outcome) -> String {
        let draft = outcome.result.draft
        var out = ""
        if let path = outcome.path {
            out += "wrote \(path)\n"
        } else {
            out += outcome.markdown + "\n"
        }
        let words = draft.excerpt.reduce(0) { $0 + $1.split(whereSeparator: \.isWhitespace).count }
        out += "  \(draft.title)\n  \(draft.source), \(draft.published?.description ?? "no date"); \(draft.section); "
        out += "excerpt of \(words) words\n"
        for note in outcome.result.notes { out += "note: \(note)\n" }
        let shown = outcome.path ?? "(printed)"
        for finding in outcome.findings {
            out += "\(shown):\(finding.position.line):\(finding.position.column): "
            out += "\(finding.severity.rawValue) \(finding.rule.id): \(finding.message)\n"
        }
        return out
    }

    private struct ClipDocument: Encodable {
        var path: String?
        var draft: ClippedDraft
        var notes: [String]
        var findings: [Finding]

        func encode(to encoder: any Encoder) throws {
            enum Keys: String, CodingKey { case path, draft, notes, findings }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(path, forKey: .path)  // null with --print
            try container.encode(draft, forKey: .draft)
            try container.encode(notes, forKey: .notes)
            try container.encode(findings, forKey: .findings)
        }
    }

    private struct ClipFailure: Encodable {
        var url: String
        var verdict: String
        var reason: String
    }

    private func json(_ value: some Encodable) -> String { JSONText.pretty(value) }
}
