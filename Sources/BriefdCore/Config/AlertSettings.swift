/// The `alerts:` section of `briefd.yml`: where link-rot alerts go. Secrets (a webhook's token, the SMTP
/// login) come from environment variables named here, never from the file.
public struct AlertSettings: Sendable, Equatable {
    /// The JSON Lines file alerts are appended to; nil turns it off.
    public var jsonl: String?
    public var webhookURL: String?
    public var webhookTokenEnv = "BRIEFD_WEBHOOK_TOKEN"
    /// `smtp://host:port` or `smtps://host:port` (STARTTLS is used when the server offers it, and required with a login).
    public var smtpURL: String?
    public var smtpFrom = ""
    public var smtpTo: [String] = []
    public var smtpUserEnv = "BRIEFD_SMTP_USER"
    public var smtpPasswordEnv = "BRIEFD_SMTP_PASSWORD"
    public var smtpSecurity = SMTPSecurity()

    public init(jsonl: String?) { self.jsonl = jsonl }
}

/// Where link-rot alerts go. The raw values are stored in the outbox (`alert_delivery.sink`) and printed.
public enum AlertSink: String, Sendable, CaseIterable, Hashable {
    case jsonl, webhook, smtp
}

extension AlertSettings {
    /// The sinks these settings turn on.
    public var sinks: [AlertSink] {
        var sinks: [AlertSink] = []
        if jsonl != nil { sinks.append(.jsonl) }
        if webhookURL != nil { sinks.append(.webhook) }
        if smtpURL != nil { sinks.append(.smtp) }
        return sinks
    }
}
