public import BriefdCore
public import BriefdIO
import Foundation

/// `briefd send test`: the published issue, exactly as its build wrote it (the recorded version's `email.html` and
/// `digest.txt`, not whatever is in the folder now), sent to the editors by SMTP as one `multipart/alternative`
/// message with the subject `[TEST] <newsletter> | <issue date>`.
public struct TestSend: Sendable {
    let config: Config
    let state: StateDatabase

    public init(config: Config, state: StateDatabase) {
        self.config = config
        self.state = state
    }

    public struct Outcome: Sendable, Equatable {
        public var issue: String
        public var version: Int
        public var recipients: [String]
        public var subject: String
        public var messageID: String
    }

    public struct SendError: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - date: the issue (nil: the newest published one).
    ///   - to: the recipients (empty: `delivery.test_to`).
    public func send(issue date: Day?, to: [String], environment: [String: String]) async throws(SendError) -> Outcome {
        let settings = config.delivery
        var missing: [String] = []
        if settings.from == nil { missing.append("delivery.from") }
        if settings.smtpURL == nil { missing.append("delivery.smtp.url") }
        let recipients = to.isEmpty ? settings.testTo : to
        if recipients.isEmpty { missing.append("delivery.test_to (or --to)") }
        guard missing.isEmpty, let from = settings.from, let url = settings.smtpURL else {
            throw SendError(
                description: "a test cannot be sent without \(missing.joined(separator: ", ")) in \(config.path)")
        }
        if let wrong = recipients.first(where: { !MailComposer.isAddress($0) }) {
            throw SendError(description: "'\(wrong)' is not an email address such as editors@example.org")
        }
        let store = IssueStore(state)
        let published: [IssueStore.Published]
        do {
            published = try await store.published()
        } catch {
            throw SendError(description: "\(config.paths.state): \(error)")
        }
        guard let issue = date.map({ day in published.first { $0.date == day.description } }) ?? published.first else {
            throw SendError(
                description: date.map { "the issue of \($0) is not published; build it first" }
                    ?? "no issue is published yet; build one first")
        }
        guard issue.importedFrom == nil, let day = Day(iso: issue.date) else {
            throw SendError(
                description: "the issue of \(issue.date) was imported, not built here: it has no email to send")
        }
        let files: [String: [UInt8]]
        do {
            files = Dictionary(
                try await store.files(of: day, version: issue.version).map { ($0.name, $0.bytes) },
                uniquingKeysWith: { first, _ in first })
        } catch {
            throw SendError(description: "\(config.paths.state): \(error)")
        }
        guard let html = files["email.html"], let text = files["digest.txt"] else {
            throw SendError(description: "the issue of \(issue.date) has no email.html and digest.txt recorded")
        }
        // The subject as the issue was built (its recorded title), like its body: renaming the newsletter later
        // changes neither.
        let subject = "[TEST] \(issue.title)"
        let host = WebAddress(url)?.host ?? "localhost"
        let messageID = "\(UUID().uuidString.lowercased())@briefd.\(host)"
        let sender = from.named(config.newsletter.name)
        let mail = MailComposer.Mail(
            from: sender.address, fromName: sender.name, to: recipients, subject: subject,
            date: MailComposer.date(Date().timeIntervalSince1970),
            messageID: messageID, text: String(decoding: text, as: UTF8.self),
            html: String(decoding: html, as: UTF8.self))
        let bytes: [UInt8]
        do {
            bytes = try MailComposer.compose(mail, boundary: "=_briefd_" + UUID().uuidString.lowercased())
        } catch {
            throw SendError(description: error.description)
        }
        if let problem = await CurlMailer.send(
            raw: bytes, from: sender.address, to: recipients, url: url, user: environment[settings.smtpUserEnv],
            password: environment[settings.smtpPasswordEnv], security: settings.smtpSecurity, timeoutSeconds: 60)
        {
            throw SendError(description: "the SMTP server at \(url) did not take the test: \(problem)")
        }
        return Outcome(
            issue: issue.date, version: issue.version, recipients: recipients, subject: subject, messageID: messageID)
    }
}
