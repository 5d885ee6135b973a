import BriefdCore
import Foundation
import Testing

@Suite("Config and registry files: errors name the file and line")
struct ConfigAndRegistryTests {
    func registryError(_ text: String) -> ConfigurationError? {
        do {
            _ = try RegistryParser.parse(text, path: "sources.yml")
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownRegistryKeyNamesTheClosest() throws {
        let error = try #require(registryError("publications:\n  - name: A\n    domian: [a.com]\n"))
        #expect(error.position?.line == 3)
        #expect(error.message.contains("did you mean 'domains'"))
    }

    @Test func duplicatePersonNameIsAnError() throws {
        let error = try #require(registryError("people:\n  - name: Mara Feld\n  - name: Mara Feld\n"))
        #expect(error.position?.line == 3)
        #expect(error.description.hasPrefix("sources.yml:3:"))
    }

    @Test func aliasClaimedByTwoEntriesIsAnError() throws {
        let error = try #require(
            registryError("publications:\n  - name: A\n    aliases: [X]\n  - name: B\n    aliases: [X]\n"))
        #expect(error.message.contains("'A'") && error.message.contains("'B'"))
    }

    @Test func anAliasRepeatingItsOwnNameIsAcceptedWithAWarning() throws {
        let registry = try RegistryParser.parse(
            "publications:\n  - name: TIME\n    aliases: [Time, Time Magazine]\n    domains: [time.com]\n"
                + "people:\n  - name: Zhou Enlai\n    aliases: [Zhou Énlai]\n",
            path: "s.yml")
        #expect(registry.publications.first?.aliases == ["Time Magazine"])
        #expect(registry.people.first?.aliases == [])
        #expect(registry.warnings.count == 2)
        #expect(registry.warnings.first?.hasPrefix("s.yml:3:") == true, "\(registry.warnings)")
        #expect(registry.publication(forHost: "time.com")?.name == "TIME")
        // Two different entries claiming one name stay an error.
        #expect(registryError("publications:\n  - name: TIME\n  - name: Time\n") != nil)
    }

    @Test func writesForMustNameAKnownPublication() throws {
        let error = try #require(registryError("people:\n  - name: Mara Feld\n    writes_for: [Nowhere]\n"))
        #expect(error.position?.line == 3)
    }

    @Test func registryAliasBombIsRefused() throws {
        var yaml = "x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml +=
                "x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        let error = try #require(registryError(yaml))
        #expect(error.message.contains("aliases"))
    }

    @Test func validRegistryLoads() throws {
        let registry = try RegistryParser.parse(
            "publications:\n  - name: Caixin\n    domains: [caixinglobal.com]\npeople:\n  - name: Li Wei\n    writes_for: [Caixin]\n",
            path: "s.yml")
        #expect(registry.publications.count == 1 && registry.people.count == 1)
        #expect(registry.publication(forHost: "www.caixinglobal.com")?.name == "Caixin")
        #expect(registry.publication(forHost: "notcaixinglobal.com") == nil)
    }

    @Test func unknownConfigKeyNamesTheClosest() {
        #expect(throws: ConfigurationError.self) {
            try ConfigParser.parse("newsleter:\n  name: X\n", path: "/c/briefd.yml")
        }
        do {
            _ = try ConfigParser.parse("paths:\n  draft: x\n", path: "/c/briefd.yml")
        } catch {
            #expect(error.message.contains("did you mean 'drafts'"))
            #expect(error.position?.line == 2)
        }
    }

    @Test func configPathsAreRelativeToTheConfigFile() throws {
        let config = try ConfigParser.parse(
            "registry: sources.yml\npaths:\n  drafts: ../drafts\n", path: "/srv/briefd/config/briefd.yml")
        #expect(config.registryPath == "/srv/briefd/config/sources.yml")
        #expect(config.paths.drafts == "/srv/briefd/drafts")
    }
}

@Suite("The desk's settings")
struct WebSettingsTests {
    @Test func theIdleTimeoutIsReadAndBounded() throws {
        #expect(try ConfigParser.parse("web:\n  listen: 127.0.0.1:9000\n", path: "c.yml").web.idleTimeoutSeconds == 30)
        #expect(try ConfigParser.parse("web:\n  idle_timeout_s: 5\n", path: "c.yml").web.idleTimeoutSeconds == 5)
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigParser.parse("web:\n  idle_timeout_s: 0\n", path: "c.yml")
        }
        #expect(error?.position?.line == 2, "\(String(describing: error))")
        #expect(error?.description.contains("idle_timeout_s") == true, "\(String(describing: error))")
    }
}

@Suite("Secrets travel only encrypted")
struct SecretTransportTests {
    /// A service's key over http:// to anything but this machine is refused at load, naming the setting; https://
    /// and a service on loopback are accepted.
    @Test func aServicesKeyOverPlainHTTPIsRefusedUnlessTheServiceIsLocal() throws {
        for (section, refused) in [
            (
                "delivery: {service: listmonk, listmonk: {url: \"http://lists.example.org\", lists: [3]}}",
                "listmonk's 'url'"
            ),
            (
                "delivery: {service: buttondown, buttondown: {endpoint: \"http://api.example.org\"}}",
                "Buttondown's 'endpoint'"
            ),
            ("archive: {save_page_now: {endpoint: \"http://web.example.org\"}}", "Save Page Now's 'endpoint'"),
        ] {
            #expect {
                _ = try ConfigParser.parse(section + "\n", path: "/c/briefd.yml")
            } throws: { error in
                "\(error)".contains(refused) && "\(error)".contains("would travel in clear")
                    && "\(error)".contains("/c/briefd.yml:1")
            }
        }
        for section in [
            "delivery: {service: listmonk, listmonk: {url: \"https://lists.example.org\", lists: [3]}}",
            "delivery: {service: listmonk, listmonk: {url: \"http://127.0.0.1:9000\", lists: [3]}}",
            "delivery: {service: buttondown, buttondown: {endpoint: \"http://localhost:8000\"}}",
        ] {
            #expect(throws: Never.self) { _ = try ConfigParser.parse(section + "\n", path: "/c/briefd.yml") }
        }
        #expect(KeyTransport.refusal("http://hooks.example.org/briefd", what: "the webhook's 'url'") != nil)
        #expect(KeyTransport.refusal("http://[::1]:8080/hook", what: "the webhook's 'url'") == nil)
        #expect(KeyTransport.refusal("https://hooks.example.org/briefd", what: "the webhook's 'url'") == nil)
    }

    /// allow_plaintext_login is for a relay on this machine only.
    @Test func aPlaintextSMTPLoginIsForALoopbackRelayOnly() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try ConfigParser.parse(
                "delivery: {smtp: {url: \"smtp://mail.example.org:25\", allow_plaintext_login: true}}\n",
                path: "/c/briefd.yml")
        }
        let local = try ConfigParser.parse(
            "delivery: {smtp: {url: \"smtp://127.0.0.1:2525\", allow_plaintext_login: true}}\n", path: "/c/briefd.yml")
        #expect(local.delivery.smtpSecurity.allowPlaintextLogin)
        #expect(local.delivery.smtpSecurity.requirement(url: "smtp://127.0.0.1:2525", loggingIn: true) == .whenOffered)
        #expect(
            SMTPSecurity().requirement(url: "smtp://mail.example.org:587", loggingIn: true) == .required)
        #expect(SMTPSecurity().requirement(url: "smtp://mail.example.org:587", loggingIn: false) == .whenOffered)
    }
}

@Suite("Documentation")
struct DocumentationTests {
    @Test func rulesDocumentListsEveryRule() throws {
        let root = String(#filePath).components(separatedBy: "/Tests/")[0]
        let text = try String(contentsOfFile: root + "/docs/rules.md", encoding: .utf8)
        for rule in Rule.allCases {
            #expect(text.contains("`\(rule.id)`"), "docs/rules.md does not document \(rule.id)")
            #expect(text.contains("| `\(rule.id)` | \(rule.severity.rawValue) |"), "severity of \(rule.id) in docs")
        }
    }
}

@Suite("What a reload applies")
struct ReloadCheckTests {
    /// Each setting made at start is named as the config spells it; the drafts folder and the desk's body limit
    /// are applied by a reload, so they are not named.
    @Test func settingsMadeAtStartAreNamedOneByOne() {
        let old = Config.defaults(at: "/srv/briefd/briefd.yml")
        var new = old
        new.paths.drafts = "/srv/briefd/other-drafts"
        new.web.maxBodyBytes = 128 * 1024
        new.web.trustedProxies = [IPNetwork("127.0.0.1/32")!]
        #expect(ReloadCheck.settingsNeedingRestart(old: old, new: new).isEmpty)
        new.web.listen = "127.0.0.1:9000"
        new.web.idleTimeoutSeconds = 60
        new.paths.reports = "/srv/briefd/other-reports"
        #expect(
            ReloadCheck.settingsNeedingRestart(old: old, new: new) == [
                "paths.reports", "web.listen", "web.idle_timeout_s",
            ])
        // The templates the desk loaded at start, the digests folder the captures look in, the log handler made at
        // start: named, not half applied (the desk kept its old templates while its CSS came from the new folder).
        var moved = old
        moved.paths.templates = "/srv/briefd/other-templates"
        moved.paths.digests = "/srv/briefd/other-digests"
        moved.daemon.logLevel = old.daemon.logLevel == "debug" ? "info" : "debug"
        #expect(
            ReloadCheck.settingsNeedingRestart(old: old, new: moved) == [
                "paths.digests", "paths.templates", "log_level",
            ])
    }
}
