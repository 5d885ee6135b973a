import Foundation

/// Reads `briefd.yml` strictly: unknown keys are errors naming the key and the closest known one.
public enum ConfigParser {
    static let sections = [
        "newsletter", "registry", "paths", "checks", "links", "digest", "schedule", "watch", "log_level", "rot",
        "alerts", "web", "archive", "delivery",
    ]

    /// - Parameter path: the config file's path, absolute or relative to the working folder; relative paths
    ///   inside the file are resolved against its folder.
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> Config {
        var config = Config.defaults(at: path)
        let folder = PathArithmetic.directory(of: path)
        let root: YAMLNode?
        do {
            root = try YAMLReader.compose(text, maxNodes: 100_000)
        } catch {
            throw ConfigurationError(path: path, position: error.position, message: error.message)
        }
        guard let root else { return config }
        let top = try StrictMapping(root, path: path, context: "the config", allowed: sections)

        if let node = top.values["newsletter"] { try applyNewsletter(node, to: &config, path: path, folder: folder) }
        if let registry = try top.string("registry") {
            config.registryPath = PathArithmetic.resolve(registry, against: folder)
        }
        if let node = top.values["paths"] { try applyPaths(node, to: &config, path: path, folder: folder) }
        if let node = top.values["checks"] { try applyChecks(node, to: &config, path: path, folder: folder) }
        if let node = top.values["links"] {
            config.links = try parseLinks(node, path: path)
        }
        if let node = top.values["digest"] {
            config.digest = try parseDigest(node, path: path)
        }
        if let node = top.values["schedule"] { try applySchedule(node, to: &config, path: path, folder: folder) }
        if let node = top.values["watch"] { try applyWatch(node, to: &config, path: path, folder: folder) }
        if let node = top.values["rot"] { try applyRot(node, to: &config, path: path, folder: folder) }
        if let node = top.values["alerts"] { try applyAlerts(node, to: &config, path: path, folder: folder) }
        if let node = top.values["web"] { try applyWeb(node, to: &config, path: path, folder: folder) }
        if let node = top.values["archive"] { config.archive = try parseArchive(node, path: path) }
        if let node = top.values["delivery"] { config.delivery = try parseDelivery(node, path: path, folder: folder) }
        if let level = try top.string("log_level") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(level) else {
                throw top.error(
                    "log_level", "'log_level' must be one of \(levels.joined(separator: ", ")), found '\(level)'")
            }
            config.daemon.logLevel = level
        }
        return config
    }

    /// The `newsletter:` section.
    private static func applyNewsletter(_ node: YAMLNode, to config: inout Config, path: String, folder: String)
        throws(ConfigurationError)
    {
        let newsletter = try StrictMapping(node, path: path, context: "newsletter", allowed: ["name", "sections"])
        if let name = try newsletter.string("name") { config.newsletter.name = name }
        let sections = try newsletter.strings("sections")
        if newsletter.values["sections"] != nil {
            guard !sections.isEmpty else {
                throw newsletter.error("sections", "'sections' must list at least one section")
            }
            if let repeated = firstRepeated(sections) {
                throw newsletter.error("sections", "the section '\(repeated)' is listed twice")
            }
            config.newsletter.sections = sections
        }
    }

    /// The `paths:` section.
    private static func applyPaths(_ node: YAMLNode, to config: inout Config, path: String, folder: String)
        throws(ConfigurationError)
    {
        let paths = try StrictMapping(
            node, path: path, context: "paths", allowed: ["drafts", "reports", "digests", "state", "templates"])
        if let value = try paths.string("drafts") {
            config.paths.drafts = PathArithmetic.resolve(value, against: folder)
        }
        if let value = try paths.string("reports") {
            config.paths.reports = PathArithmetic.resolve(value, against: folder)
        }
        if let value = try paths.string("digests") {
            config.paths.digests = PathArithmetic.resolve(value, against: folder)
        }
        if let value = try paths.string("state") { config.paths.state = PathArithmetic.resolve(value, against: folder) }
        if let value = try paths.string("templates") {
            config.paths.templates = PathArithmetic.resolve(value, against: folder)
        }
    }

    /// The `checks:` section.
    private static func applyChecks(_ node: YAMLNode, to config: inout Config, path: String, folder: String)
        throws(ConfigurationError)
    {
        let checks = try StrictMapping(
            node, path: path, context: "checks", allowed: ["max_draft_bytes", "excerpt_words"])
        if let bytes = try checks.int("max_draft_bytes", in: 1024...(256 * 1024 * 1024)) {
            config.checks.maxDraftBytes = bytes
        }
        if let wordsNode = checks.values["excerpt_words"] {
            let words = try StrictMapping(wordsNode, path: path, context: "excerpt_words", allowed: ["min", "max"])
            let minimum = try words.int("min", in: 0...100_000) ?? config.checks.excerptWords.lowerBound
            let maximum = try words.int("max", in: 1...100_000) ?? config.checks.excerptWords.upperBound
            guard minimum <= maximum else { throw words.error("min", "'min' (\(minimum)) is above 'max' (\(maximum))") }
            config.checks.excerptWords = minimum...maximum
        }
    }

    /// The `schedule:` section.
    private static func applySchedule(_ node: YAMLNode, to config: inout Config, path: String, folder: String)
        throws(ConfigurationError)
    {
        let schedule = try StrictMapping(node, path: path, context: "schedule", allowed: ["build", "timezone"])
        var zone = TimeZone.current
        if let name = try schedule.string("timezone") {
            guard let named = TimeZone(identifier: name) else {
                throw schedule.error(
                    "timezone", "'timezone' must be an IANA time zone such as Asia/Shanghai, found '\(name)'")
            }
            zone = named
        }
        let expression = try schedule.string("build") ?? DaemonSettings.defaultBuild
        do {
            config.daemon.build = try CronSchedule(expression, timeZone: zone)
        } catch {
            throw schedule.error("build", "'build' is not a schedule: \(error.description)")
        }
    }

    /// The `watch:` section.
    private static func applyWatch(_ node: YAMLNode, to config: inout Config, path: String, folder: String)
        throws(ConfigurationError)
    {
        let watch = try StrictMapping(node, path: path, context: "watch", allowed: ["settle_ms", "rescan_minutes"])
        if let value = try watch.int("settle_ms", in: 0...10_000) { config.daemon.settleMilliseconds = value }
        if let value = try watch.int("rescan_minutes", in: 1...1440) { config.daemon.rescanMinutes = value }
    }

    /// The `rot:` section.
    private static func applyRot(_ node: YAMLNode, to config: inout Config, path: String, folder: String)
        throws(ConfigurationError)
    {
        let rot = try StrictMapping(
            node, path: path, context: "rot",
            allowed: ["recheck_hours", "dead_after_failures", "dead_after_hours", "archive_base_url"])
        if let value = try rot.int("recheck_hours", in: 1...(24 * 365)) { config.rot.recheckHours = value }
        if let value = try rot.int("dead_after_failures", in: 1...100) { config.rot.deadAfterFailures = value }
        if let value = try rot.int("dead_after_hours", in: 0...(24 * 365)) { config.rot.deadAfterHours = value }
        if let value = try rot.string("archive_base_url") {
            guard WebAddress(value)?.isHTTP == true else {
                throw rot.error("archive_base_url", "'archive_base_url' must be an http(s) URL, found '\(value)'")
            }
            config.rot.archiveBaseURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        }
    }

    /// The `alerts:` section.
    private static func applyAlerts(_ node: YAMLNode, to config: inout Config, path: String, folder: String)
        throws(ConfigurationError)
    {
        let alerts = try StrictMapping(node, path: path, context: "alerts", allowed: ["jsonl", "webhook", "smtp"])
        if alerts.values["jsonl"] != nil {
            let value = try alerts.string("jsonl") ?? ""
            config.alerts.jsonl = value.isEmpty ? nil : PathArithmetic.resolve(value, against: folder)
        }
        if let node = alerts.values["webhook"] {
            let webhook = try StrictMapping(node, path: path, context: "webhook", allowed: ["url", "token_env"])
            if let url = try webhook.string("url"), !url.isEmpty {
                guard WebAddress(url)?.isHTTP == true else {
                    throw webhook.error("url", "the webhook 'url' must be an http(s) URL, found '\(url)'")
                }
                config.alerts.webhookURL = url
            }
            if let name = try webhook.string("token_env") { config.alerts.webhookTokenEnv = name }
        }
        if let node = alerts.values["smtp"] {
            let smtp = try StrictMapping(
                node, path: path, context: "smtp",
                allowed: ["url", "from", "to", "user_env", "password_env", "allow_plaintext_login", "ca_file"])
            if let url = try smtp.string("url"), !url.isEmpty {
                guard let scheme = WebAddress(url)?.scheme, scheme == "smtp" || scheme == "smtps" else {
                    throw smtp.error(
                        "url", "the smtp 'url' must be smtp://host:port or smtps://host:port, found '\(url)'")
                }
                config.alerts.smtpURL = url
                config.alerts.smtpTo = try smtp.strings("to")
                guard let from = try smtp.string("from"), !from.isEmpty, !config.alerts.smtpTo.isEmpty else {
                    throw smtp.error("url", "an smtp sink needs 'from' and at least one address in 'to'")
                }
                config.alerts.smtpFrom = from
            }
            if let name = try smtp.string("user_env") { config.alerts.smtpUserEnv = name }
            if let name = try smtp.string("password_env") { config.alerts.smtpPasswordEnv = name }
            config.alerts.smtpSecurity = try parseSMTPSecurity(smtp, url: config.alerts.smtpURL, folder: folder)
        }
    }

    /// The `web:` section.
    private static func applyWeb(_ node: YAMLNode, to config: inout Config, path: String, folder: String)
        throws(ConfigurationError)
    {
        let web = try StrictMapping(
            node, path: path, context: "web",
            allowed: [
                "listen", "token_env", "public_url", "max_body_bytes", "idle_timeout_s", "trusted_proxies",
                "max_connections",
            ])
        if web.values["listen"] != nil {
            let listen = try web.string("listen") ?? ""
            config.web.listen = listen
            guard listen.isEmpty || config.web.address != nil else {
                throw web.error(
                    "listen",
                    "'listen' must be host:port (127.0.0.1:8470, [::1]:8470) or \"\" for no desk, found '\(listen)'")
            }
        }
        if let name = try web.string("token_env"), !name.isEmpty { config.web.tokenEnv = name }
        if let url = try web.string("public_url"), !url.isEmpty {
            guard let address = WebAddress(url), address.isHTTP else {
                throw web.error("public_url", "'public_url' must be an http(s) URL, found '\(url)'")
            }
            config.web.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        if let bytes = try web.int("max_body_bytes", in: 1024...(16 * 1024 * 1024)) { config.web.maxBodyBytes = bytes }
        if let seconds = try web.int("idle_timeout_s", in: 1...3600) { config.web.idleTimeoutSeconds = seconds }
        if let count = try web.int("max_connections", in: 4...100_000) { config.web.maxConnections = count }
        for (index, text) in try web.strings("trusted_proxies").enumerated() {
            guard
                let network = IPNetwork(text)
                    ?? IPAddress(text).flatMap({ IPNetwork(text + ($0.isV4 ? "/32" : "/128")) })
            else {
                let position = web.values["trusted_proxies"]?.sequence?[index].position
                throw ConfigurationError(
                    path: path, position: position,
                    message:
                        "'trusted_proxies' items must be addresses or networks such as 127.0.0.1 or 10.0.0.0/8, found '\(text)'"
                )
            }
            config.web.trustedProxies.append(network)
        }
    }

    /// `allow_plaintext_login` and `ca_file` of an `smtp:` mapping; a plain-text login only to a loopback relay.
    private static func parseSMTPSecurity(_ smtp: StrictMapping, url: String?, folder: String)
        throws(ConfigurationError)
        -> SMTPSecurity
    {
        var security = SMTPSecurity()
        if try smtp.bool("allow_plaintext_login") == true {
            guard let host = url.flatMap({ WebAddress($0)?.host }), SMTPSecurity.isLoopback(host) else {
                throw smtp.error(
                    "allow_plaintext_login",
                    "'allow_plaintext_login' is for a relay on this machine only (localhost, 127.0.0.0/8, ::1); a password to \(url ?? "another server") must travel inside TLS"
                )
            }
            security.allowPlaintextLogin = true
        }
        if let file = try smtp.string("ca_file"), !file.isEmpty {
            security.caFile = PathArithmetic.resolve(file, against: folder)
        }
        return security
    }

    /// The `delivery:` section.
    private static func parseDelivery(_ node: YAMLNode, path: String, folder: String) throws(ConfigurationError)
        -> DeliverySettings
    {
        var settings = DeliverySettings()
        let delivery = try StrictMapping(
            node, path: path, context: "delivery",
            allowed: ["from", "test_to", "smtp", "service", "listmonk", "buttondown"])
        if let from = try delivery.string("from") {
            guard let mailbox = Mailbox(from) else {
                throw delivery.error(
                    "from",
                    "'from' must be an email address such as newsletter@example.org, or with a name: ZGBriefs <newsletter@example.org>; found '\(from)'"
                )
            }
            settings.from = mailbox
        }
        settings.testTo = try delivery.strings("test_to")
        if let wrong = settings.testTo.first(where: { !MailComposer.isAddress($0) }) {
            throw delivery.error("test_to", "'test_to' must list email addresses, found '\(wrong)'")
        }
        if let node = delivery.values["smtp"] {
            let smtp = try StrictMapping(
                node, path: path, context: "smtp",
                allowed: ["url", "user_env", "password_env", "allow_plaintext_login", "ca_file"])
            if let url = try smtp.string("url"), !url.isEmpty {
                guard let scheme = WebAddress(url)?.scheme, scheme == "smtp" || scheme == "smtps" else {
                    throw smtp.error(
                        "url", "the smtp 'url' must be smtp://host:port or smtps://host:port, found '\(url)'")
                }
                settings.smtpURL = url
            }
            if let name = try smtp.string("user_env") { settings.smtpUserEnv = name }
            if let name = try smtp.string("password_env") { settings.smtpPasswordEnv = name }
            settings.smtpSecurity = try parseSMTPSecurity(smtp, url: settings.smtpURL, folder: folder)
        }
        let service = try delivery.string("service") ?? "none"
        guard ["none", "listmonk", "buttondown"].contains(service) else {
            throw delivery.error("service", "'service' must be none, listmonk or buttondown, found '\(service)'")
        }
        if service == "buttondown" {
            var buttondown = ButtondownSettings()
            if let node = delivery.values["buttondown"] {
                let mapping = try StrictMapping(
                    node, path: path, context: "buttondown", allowed: ["endpoint", "token_env"])
                if let endpoint = try mapping.string("endpoint") {
                    guard WebAddress(endpoint)?.isHTTP == true else {
                        throw mapping.error(
                            "endpoint", "Buttondown's 'endpoint' must be an http(s) URL, found '\(endpoint)'")
                    }
                    if let refusal = KeyTransport.refusal(endpoint, what: "Buttondown's 'endpoint'") {
                        throw mapping.error("endpoint", refusal)
                    }
                    buttondown.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
                }
                if let name = try mapping.string("token_env") { buttondown.tokenEnv = name }
            }
            settings.buttondown = buttondown
        }
        if service == "listmonk" {
            guard let node = delivery.values["listmonk"] else {
                throw delivery.error("service", "service: listmonk needs a 'listmonk:' section with url and lists")
            }
            let listmonk = try StrictMapping(
                node, path: path, context: "listmonk",
                allowed: ["url", "user_env", "token_env", "lists", "template_id"])
            guard let url = try listmonk.string("url"), WebAddress(url)?.isHTTP == true else {
                throw listmonk.error("url", "listmonk's 'url' must be the instance's http(s) address")
            }
            if let refusal = KeyTransport.refusal(url, what: "listmonk's 'url'") {
                throw listmonk.error("url", refusal)
            }
            let lists = try listmonk.strings("lists").map { Int($0) }
            guard !lists.isEmpty, lists.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw listmonk.error("lists", "listmonk's 'lists' must name one or more list ids, such as [3]")
            }
            var settings2 = ListmonkSettings(
                url: url.hasSuffix("/") ? String(url.dropLast()) : url, lists: lists.compactMap { $0 })
            if let name = try listmonk.string("user_env") { settings2.userEnv = name }
            if let name = try listmonk.string("token_env") { settings2.tokenEnv = name }
            settings2.templateID = try listmonk.int("template_id", in: 1...Int(Int32.max))
            settings.listmonk = settings2
        }
        return settings
    }

    /// The `archive:` section.
    private static func parseArchive(_ node: YAMLNode, path: String) throws(ConfigurationError) -> ArchiveSettings {
        var settings = ArchiveSettings()
        let archive = try StrictMapping(
            node, path: path, context: "archive",
            allowed: ["capture", "max_page_bytes", "capture_attempts", "capture_retry_s", "save_page_now"])
        if let flag = try archive.bool("capture") { settings.capture = flag }
        if let value = try archive.int("max_page_bytes", in: 65536...(256 * 1024 * 1024)) {
            settings.maxPageBytes = value
        }
        if let value = try archive.int("capture_attempts", in: 1...20) { settings.captureAttempts = value }
        if let value = try archive.int("capture_retry_s", in: 1...(7 * 86_400)) { settings.captureRetrySeconds = value }
        guard let node = archive.values["save_page_now"] else { return settings }
        let spn = try StrictMapping(
            node, path: path, context: "save_page_now",
            allowed: [
                "endpoint", "access_key_env", "secret_key_env", "per_minute", "if_not_archived_within", "retry_base_s",
                "poll_s",
            ])
        var save = SavePageNowSettings()
        if let endpoint = try spn.string("endpoint") {
            guard WebAddress(endpoint)?.isHTTP == true, !endpoint.contains(where: \.isNewline) else {
                throw spn.error("endpoint", "'endpoint' must be an http(s) URL, found '\(endpoint)'")
            }
            if let refusal = KeyTransport.refusal(endpoint, what: "Save Page Now's 'endpoint'") {
                throw spn.error("endpoint", refusal)
            }
            save.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        }
        for key in ["access_key_env", "secret_key_env"] {
            guard let name = try spn.string(key) else { continue }
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw spn.error(key, "'\(key)' must name an environment variable (letters, digits, _), found '\(name)'")
            }
            if key == "access_key_env" { save.accessKeyEnv = name } else { save.secretKeyEnv = name }
        }
        if let value = try spn.int("per_minute", in: 1...60) { save.perMinute = value }
        if let value = try spn.int("retry_base_s", in: 1...86_400) { save.retryBaseSeconds = value }
        if let value = try spn.int("poll_s", in: 1...600) { save.pollSeconds = value }
        if let text = try spn.string("if_not_archived_within") {
            guard let seconds = SavePageNowSettings.seconds(of: text), seconds <= 3650 * 86_400 else {
                throw spn.error(
                    "if_not_archived_within",
                    "'if_not_archived_within' must be a duration such as 30d, 12h, 45m or 90s, found '\(text)'")
            }
            save.ifNotArchivedWithinSeconds = seconds
        }
        settings.savePageNow = save
        return settings
    }

    static let linkKeys = [
        "max_concurrency", "per_host_concurrency", "per_host_interval_ms", "connect_timeout_s", "timeout_s", "retries",
        "retry_base_ms",
        "max_redirects", "user_agent_contact", "exclude", "allow_networks", "cache_ok_hours", "cache_broken_hours",
        "max_body_bytes", "max_page_bytes", "max_retry_after_s", "max_link_s", "resolver_probes", "history_days",
    ]

    private static func parseLinks(_ node: YAMLNode, path: String) throws(ConfigurationError) -> LinkSettings {
        var settings = LinkSettings()
        let links = try StrictMapping(node, path: path, context: "links", allowed: linkKeys)
        if let value = try links.int("max_concurrency", in: 1...1024) { settings.maxConcurrency = value }
        if let value = try links.int("per_host_concurrency", in: 1...64) { settings.perHostConcurrency = value }
        if let value = try links.int("per_host_interval_ms", in: 0...60_000) {
            settings.perHostIntervalMilliseconds = value
        }
        if let value = try links.int("connect_timeout_s", in: 1...300) { settings.connectTimeoutSeconds = value }
        if let value = try links.int("timeout_s", in: 1...600) { settings.timeoutSeconds = value }
        if let value = try links.int("retries", in: 0...10) { settings.retries = value }
        if let value = try links.int("retry_base_ms", in: 1...60_000) { settings.retryBaseMilliseconds = value }
        if let value = try links.int("max_redirects", in: 0...50) { settings.maxRedirects = value }
        if let value = try links.int("cache_ok_hours", in: 0...(24 * 365)) { settings.cacheOKHours = value }
        if let value = try links.int("cache_broken_hours", in: 0...(24 * 365)) { settings.cacheBrokenHours = value }
        if let value = try links.int("history_days", in: 7...(100 * 365)) { settings.historyDays = value }
        if let value = try links.int("max_body_bytes", in: 1024...(16 * 1024 * 1024)) { settings.maxBodyBytes = value }
        if let value = try links.int("max_retry_after_s", in: 0...3600) { settings.maxRetryAfterSeconds = value }
        if let value = try links.int("max_link_s", in: 1...3600) { settings.maxLinkSeconds = value }
        if let value = try links.int("max_page_bytes", in: 65536...(64 * 1024 * 1024)) { settings.maxPageBytes = value }
        if let contact = try links.string("user_agent_contact") {
            guard let address = WebAddress(contact), address.isHTTP, !contact.contains(where: \.isNewline) else {
                throw links.error(
                    "user_agent_contact", "'user_agent_contact' must be an http(s) URL, found '\(contact)'")
            }
            settings.userAgentContact = contact
        }
        if links.values["resolver_probes"] != nil {
            let probes = try links.strings("resolver_probes")
            guard !probes.isEmpty, probes.allSatisfy({ WebAddress("http://\($0)/")?.host == $0.lowercased() }) else {
                throw links.error("resolver_probes", "'resolver_probes' must list host names such as example.com")
            }
            settings.resolverProbes = probes
        }
        settings.exclude = try links.strings("exclude")
        for (index, pattern) in settings.exclude.enumerated() {
            do {
                _ = try Regex(pattern)
            } catch {
                let position = links.values["exclude"]?.sequence?[index].position
                throw ConfigurationError(
                    path: path, position: position, message: "'exclude' has an invalid regular expression '\(pattern)'")
            }
        }
        for (index, text) in try links.strings("allow_networks").enumerated() {
            guard let network = IPNetwork(text) else {
                let position = links.values["allow_networks"]?.sequence?[index].position
                throw ConfigurationError(
                    path: path, position: position,
                    message: "'allow_networks' items must be networks such as 127.0.0.0/8 or ::1/128, found '\(text)'")
            }
            settings.allowNetworks.append(network)
        }
        return settings
    }

    private static func parseDigest(_ node: YAMLNode, path: String) throws(ConfigurationError) -> DigestSettings {
        var settings = DigestSettings()
        let digest = try StrictMapping(
            node, path: path, context: "digest",
            allowed: [
                "issue_weekday", "site_url", "disclaimer", "support_text", "support_url", "sponsor_line",
                "donation_appeal", "donation_text", "donation_url", "tagline", "subscribe_url", "unsubscribe_url",
                "feed_issues",
            ])
        if let text = try digest.string("issue_weekday") {
            guard let weekday = Weekday(rawValue: text.lowercased()) else {
                throw digest.error(
                    "issue_weekday", "'issue_weekday' must be a day of the week such as wednesday, found '\(text)'")
            }
            settings.issueWeekday = weekday
        }
        for key in ["site_url", "support_url", "donation_url"] {
            guard let text = try digest.string(key) else { continue }
            guard let address = WebAddress(text), address.isHTTP else {
                throw digest.error(key, "'\(key)' must be an http(s) URL, found '\(text)'")
            }
            switch key {
            case "site_url": settings.siteURL = text.hasSuffix("/") ? text : text + "/"
            case "support_url": settings.supportURL = text
            default: settings.donationURL = text
            }
        }
        if let text = try digest.string("disclaimer") { settings.disclaimer = text }
        if let text = try digest.string("support_text") { settings.supportText = text }
        if let text = try digest.string("sponsor_line") { settings.sponsorLine = text }
        if let flag = try digest.bool("donation_appeal") { settings.donationAppeal = flag }
        if let text = try digest.string("donation_text") { settings.donationText = text }
        if let text = try digest.string("tagline") { settings.tagline = text }
        if let text = try digest.string("subscribe_url") { settings.subscribeURL = text }
        if let text = try digest.string("unsubscribe_url") { settings.unsubscribeURL = text }
        if let count = try digest.int("feed_issues", in: 1...500) { settings.feedIssues = count }
        return settings
    }

    private static func firstRepeated(_ values: [String]) -> String? {
        var seen = Set<String>()
        return values.first { !seen.insert($0).inserted }
    }
}
