import ArgumentParser
import BriefdApp
import BriefdLanguageServer
@preconcurrency import Glibc

/// `briefd lsp`: the findings in the editor's own text editor, over the Language Server Protocol on stdio.
struct LSPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Serve the Language Server Protocol on stdin/stdout: findings, hovers and quick fixes as you type.",
        discussion: """
            Started by a text editor (see docs/editors.md), never by hand. Checks each open Markdown file as \
            `briefd check --offline` does, on the text as typed, and adds the latest link and quote verdicts the \
            state database holds, with their age; it makes no request itself. Reloads the config and the registry \
            when they change. Logs go to stderr; stdout carries only the protocol. Exit status: 0 after the \
            client's shutdown and exit, 1 when the input ended without them.
            """
    )

    @Option(name: .long, help: "The config file (default: $BRIEFD_CONFIG, else config/briefd.yml).")
    var config: String?

    func run() async throws {
        // A client that goes away mid-write ends the session at the next read, not with a signal.
        signal(SIGPIPE, SIG_IGN)
        let inbox = MessageInbox()
        StandardStreams.startReading(into: inbox)
        let server = LanguageServer(
            checks: EditorChecks(configPath: config), version: Briefd.version, send: StandardStreams.write,
            log: { FileHandleOutput.write($0 + "\n", to: .standardError) })
        let status = await server.run(inbox)
        if status != 0 { throw ExitCode(status) }
    }
}
