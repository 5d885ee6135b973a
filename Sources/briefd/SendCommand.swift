import ArgumentParser
import BriefdApp
import BriefdCore
import BriefdIO
import Foundation

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a published issue: a test email to the editors, or the campaign to the mailing service.",
        subcommands: [SendTestCommand.self, SendCampaignCommand.self]
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

struct SendCampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract:
            "Hand the published issue to the mailing service (listmonk, Buttondown) as one campaign, updated on each run.",
        discussion: """
            The gate comes first: the issue must be built, no link in it broken now, no quote altered, its email \
            checks clean; --force REASON sends anyway and records the reason. A second run updates the same \
            campaign while it is a draft or scheduled, and refuses once the service has started sending it. \
            Exit status: 0 when handed off, 1 when the gate or the service refused (each reason listed), 2 for usage \
            or config problems.
            """
    )

    @OptionGroup var options: ConfigOption

    @Option(help: "The issue date, YYYY-MM-DD (default: the newest published issue).")
    var issue: String?

    @Option(help: "When the service sends it, RFC 3339 (2026-12-03T08:00:00Z); without it the campaign stays a draft.")
    var at: String?

    @Option(help: "An address for the service's test (repeat for more; listmonk sends tests to subscribers only).")
    var test: [String] = []

    @Option(help: "Send past the gate, for this reason (recorded with the campaign and logged).")
    var force: String?

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if let issue, Day(iso: issue) == nil {
            throw ValidationError("--issue must be a date as YYYY-MM-DD, found '\(issue)'")
        }
        if let wrong = test.first(where: { !MailComposer.isAddress($0) }) {
            throw ValidationError("--test must be an email address such as editors@example.org, found '\(wrong)'")
        }
        if let force, force.trimmingCharacters(in: .whitespaces).isEmpty || force.contains(where: \.isNewline) {
            throw ValidationError("--force needs a reason on one line")
        }
    }

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        let state = try openState(config)
        let links = LinkService(
            settings: config.links, registry: workspace.registry, state: state, version: Briefd.version)
        let request = CampaignHandOff.Request(
            issue: issue.flatMap { Day(iso: $0) }, at: at, tests: test, force: force, user: Self.user(),
            daemonRuns: daemonRuns(config))
        let outcome: CampaignHandOff.Outcome
        do {
            outcome = try await CampaignHandOff(config: config, registry: workspace.registry, state: state).run(
                request, links: links, environment: ProcessInfo.processInfo.environment)
        } catch {
            await links.shutdown()
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(1)
        }
        await links.shutdown()
        let happened = CampaignHandOff.describe(
            created: outcome.created, service: outcome.service, campaignID: outcome.campaignID,
            status: outcome.status, sendAt: outcome.sendAt)
        if let reason = outcome.forcedReason {
            // Said as it happened: the gate was passed over for this issue; whether anything goes out depends on the
            // campaign's state, which the line names.
            FileHandleOutput.write(
                "briefd: the gate was passed over by \(Self.user()) (\(reason)): \(happened). The gate had held it back for:\n"
                    + outcome.forcedPast.map { "  - \($0)\n" }.joined(), to: .standardError)
        }
        switch format {
        case .json:
            FileHandleOutput.write(JSONText.pretty(outcome))
        case .text:
            var out =
                "\(outcome.created ? "Made" : "Updated") \(outcome.service) campaign \(outcome.campaignID) for the issue of "
            out += "\(outcome.issue) (version \(outcome.version)): \(outcome.status)"
            out += outcome.sendAt.map { ", sends at \($0)" } ?? ""
            out += "\n"
            if !outcome.tested.isEmpty {
                out += "Test sent through \(outcome.service) to \(outcome.tested.joined(separator: ", "))\n"
            }
            for url in outcome.uncheckedLinks { out += "warning: \(url) could not be checked now\n" }
            FileHandleOutput.write(out)
        }
    }

    /// The login running the command: `SUDO_USER` when run through sudo, else `USER` or `LOGNAME`, else the name the
    /// user database gives the uid (a systemd unit or cron job has no `USER`), else the uid.
    static func user() -> String {
        let environment = ProcessInfo.processInfo.environment
        var name = environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"]
        if name?.isEmpty != false, let entry = getpwuid(getuid()), let login = entry.pointee.pw_name {
            name = String(cString: login)
        }
        return name.map { String($0.prefix(64)).filter { !$0.isNewline } } ?? "uid \(getuid())"
    }
}
