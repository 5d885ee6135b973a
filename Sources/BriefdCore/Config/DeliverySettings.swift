/// The `delivery:` section of `briefd.yml`: who an issue comes from, where its test goes, and the SMTP server
/// that sends the test. The login comes from environment variables named here, never from the file.
public struct DeliverySettings: Sendable, Equatable {
    /// The sender: `newsletter@example.org`, or with the name readers see, `ZGBriefs <newsletter@example.org>`
    /// (without one, the newsletter's name is shown).
    public var from: Mailbox?
    /// Where `briefd send test` sends the issue when no `--to` is given.
    public var testTo: [String] = []
    /// `smtp://host:port` (STARTTLS when the server offers it, required with a login) or `smtps://host:port`.
    public var smtpURL: String?
    public var smtpUserEnv = "BRIEFD_SMTP_USER"
    public var smtpPasswordEnv = "BRIEFD_SMTP_PASSWORD"
    public var smtpSecurity = SMTPSecurity()
    /// The mailing service the campaign is handed to (at most one is set); both nil: none.
    public var listmonk: ListmonkSettings?
    public var buttondown: ButtondownSettings?

    public init() {}
}

/// listmonk (self-hosted, open source): where it is, the API user and token (from the environment), the lists the
/// campaign goes to, and optionally the template it is wrapped in.
public struct ListmonkSettings: Sendable, Equatable {
    /// The instance's root, `https://lists.example.org` (the API is under `/api`).
    public var url: String
    public var userEnv = "BRIEFD_LISTMONK_USER"
    public var tokenEnv = "BRIEFD_LISTMONK_TOKEN"
    public var lists: [Int]
    public var templateID: Int?

    public init(url: String, lists: [Int]) {
        self.url = url
        self.lists = lists
    }
}

/// Buttondown (hosted): its API's root and the environment variable holding the API key.
public struct ButtondownSettings: Sendable, Equatable {
    public var endpoint = "https://api.buttondown.com"
    public var tokenEnv = "BRIEFD_BUTTONDOWN_TOKEN"

    public init() {}
}
