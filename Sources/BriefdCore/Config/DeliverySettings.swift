/// The `delivery:` section of `briefd.yml`: who an issue comes from, where its test goes, and the SMTP server
/// that sends the test. The login comes from environment variables named here, never from the file.
public struct DeliverySettings: Sendable, Equatable {
    /// The sender, `newsletter@example.org`.
    public var from: String?
    /// Where `briefd send test` sends the issue when no `--to` is given.
    public var testTo: [String] = []
    /// `smtp://host:port` (STARTTLS when the server offers it) or `smtps://host:port`.
    public var smtpURL: String?
    public var smtpUserEnv = "BRIEFD_SMTP_USER"
    public var smtpPasswordEnv = "BRIEFD_SMTP_PASSWORD"

    public init() {}
}
