import ArgumentParser
import BriefdApp
import BriefdCore
import BriefdIO
import Foundation

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a published issue: a test email to the editors.",
        subcommands: [SendTestCommand.self]
    )
}

struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send the published issue by SMTP to delivery.test_to (or --to), subject [TEST] …",
        discussion: """
            The issue as its build recorded it: the email HTML and the text version in one multipart/alternative \
            message (UTF-8, quoted-printable). Exit status: 0 when the SMTP server took it, 1 when it did not or \
            the issue is not published, 2 for usage or config problems.
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: "The issue date, YYYY-MM-DD (default: the newest published issue).")
    var issue: String?

    @Option(help: "A recipient (repeat for more); default: delivery.test_to.")
    var to: [String] = []

    func validate() throws {
        if let issue, Day(iso: issue) == nil {
            throw ValidationError("--issue must be a date as YYYY-MM-DD, found '\(issue)'")
        }
        if let wrong = to.first(where: { !MailComposer.isAddress($0) }) {
            throw ValidationError("--to must be an email address such as editors@example.org, found '\(wrong)'")
        }
    }

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let state = try openState(workspace.config)
        do {
            let outcome = try await TestSend(config: workspace.config, state: state).send(
                issue: issue.flatMap { Day(iso: $0) }, to: to, environment: ProcessInfo.processInfo.environment)
            FileHandleOutput.write(
                "Sent \"\(outcome.subject)\" (the issue of \(outcome.issue), version \(outcome.version)) to "
                    + outcome.recipients.joined(separator: ", ") + "\n")
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(1)
        }
    }
}
