import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the config.",
        subcommands: [ConfigCheckCommand.self]
    )
}

struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config and the registry, and print what was loaded.",
        discussion: "Exit status: 0 when both are valid, 2 with the file, line and reason when not."
    )

    @OptionGroup var options: ConfigOption

    func run() throws {
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        let registry = workspace.registry
        if let problem = Workspace.draftsFolderProblem(config) {
            FileHandleOutput.write("briefd: \(config.path): \(problem)\n", to: .standardError)
            throw ExitCode(2)
        }
        var out = "config: \(config.path)\n"
        out += "newsletter: \(config.newsletter.name)\n"
        out += "sections (\(config.newsletter.sections.count)):\n"
        for section in config.newsletter.sections { out += "  - \(section)\n" }
        out += "registry: \(config.registryPath)\n"
        out += "  \(registry.publications.count) publications, \(registry.people.count) people\n"
        for warning in registry.warnings { out += "  warning: \(warning)\n" }
        out += "paths:\n"
        out += "  drafts:  \(config.paths.drafts)\n"
        out += "  reports: \(config.paths.reports)\n"
        out += "  digests: \(config.paths.digests)\n"
        out += "  state:   \(config.paths.state)\n"
        out += "  templates: \(config.paths.templates)\n"
        out += "checks:\n"
        out += "  max_draft_bytes: \(config.checks.maxDraftBytes)\n"
        out += "  excerpt_words: \(config.checks.excerptWords.lowerBound)...\(config.checks.excerptWords.upperBound)\n"
        out += Self.sections(config)
        FileHandleOutput.write(out)
    }

    /// Every other section as it was loaded (defaults included), so that what is checked is what runs. Secrets are
    /// never in the config, and none is printed: only the names of the environment variables that hold them.
    static func sections(_ config: Config) -> String {
        let links = config.links
        let digest = config.digest
        let web = config.web
        let delivery = config.delivery
        let alerts = config.alerts
        var out = "links:\n"
        out += "  at most \(links.maxConcurrency) at once, \(links.perHostConcurrency) per host, "
        out += "\(links.perHostIntervalMilliseconds) ms apart per host\n"
        out += "  timeouts: connect \(links.connectTimeoutSeconds) s, request \(links.timeoutSeconds) s, "
        out += "link \(links.maxLinkSeconds) s; \(links.retries) retries; at most \(links.maxRedirects) redirects\n"
        out += "  cache: ok \(links.cacheOKHours) h, broken \(links.cacheBrokenHours) h; "
        out += "history kept \(links.historyDays) days\n"
        out += "  user_agent_contact: \(links.userAgentContact)\n"
        if !links.allowNetworks.isEmpty {
            out += "  allow_networks: \(links.allowNetworks.map(\.description).joined(separator: ", "))\n"
        }
        if !links.exclude.isEmpty { out += "  exclude: \(links.exclude.joined(separator: ", "))\n" }
        out += "digest:\n"
        out += "  issue_weekday: \(digest.issueWeekday.rawValue); site_url: \(digest.siteURL)\n"
        out += "  feed_issues: \(digest.feedIssues); donation_appeal: \(digest.donationAppeal)\n"
        out += "schedule:\n"
        out += "  build: \(config.daemon.build)\n"
        out += "watch:\n"
        out += "  settle_ms: \(config.daemon.settleMilliseconds); rescan_minutes: \(config.daemon.rescanMinutes)\n"
        out += "rot:\n"
        out += "  recheck_hours: \(config.rot.recheckHours); dead after \(config.rot.deadAfterFailures) failures "
        out += "over \(config.rot.deadAfterHours) h; archive: \(config.rot.archiveBaseURL)\n"
        out += "alerts:\n"
        if alerts.sinks.isEmpty { out += "  none\n" }
        if let jsonl = alerts.jsonl { out += "  jsonl: \(jsonl)\n" }
        if let url = alerts.webhookURL { out += "  webhook: \(url) (token from \(alerts.webhookTokenEnv), if set)\n" }
        if let url = alerts.smtpURL {
            out += "  smtp: \(url), from \(alerts.smtpFrom) to \(alerts.smtpTo.joined(separator: ", "))\n"
        }
        out += "web:\n"
        if web.isEnabled {
            out += "  listen: \(web.listen)\(web.publicURL.map { "; public_url: \($0)" } ?? "")\n"
            out += "  login: " + (web.tokenEnv.map { "token from \($0)" } ?? "none (loopback only)") + "\n"
            out += "  max_connections: \(web.maxConnections); idle_timeout_s: \(web.idleTimeoutSeconds); "
            out += "max_body_bytes: \(web.maxBodyBytes)\n"
            if !web.trustedProxies.isEmpty {
                out += "  trusted_proxies: \(web.trustedProxies.map(\.description).joined(separator: ", "))\n"
            }
        } else {
            out += "  off\n"
        }
        out += "archive:\n"
        out += "  capture: \(config.archive.capture); max_page_bytes: \(config.archive.maxPageBytes)\n"
        if let spn = config.archive.savePageNow {
            out += "  save_page_now: \(spn.endpoint) (keys from \(spn.accessKeyEnv), \(spn.secretKeyEnv)), "
            out += "\(spn.perMinute) a minute\n"
        }
        out += "delivery:\n"
        out += "  from: " + (delivery.from.map { $0.named(config.newsletter.name).display } ?? "not set") + "\n"
        if !delivery.testTo.isEmpty { out += "  test_to: \(delivery.testTo.joined(separator: ", "))\n" }
        if let url = delivery.smtpURL {
            let security = delivery.smtpSecurity
            out += "  smtp: \(url) (login from \(delivery.smtpUserEnv), \(delivery.smtpPasswordEnv); "
            out += security.allowPlaintextLogin ? "in clear allowed: loopback relay)\n" : "only inside TLS)\n"
        }
        if let listmonk = delivery.listmonk {
            out +=
                "  service: listmonk at \(listmonk.url), lists \(listmonk.lists.map(String.init).joined(separator: ", "))\n"
        } else if let buttondown = delivery.buttondown {
            out += "  service: Buttondown at \(buttondown.endpoint) (key from \(buttondown.tokenEnv))\n"
        } else {
            out += "  service: none\n"
        }
        out += "log_level: \(config.daemon.logLevel)\n"
        return out
    }
}
