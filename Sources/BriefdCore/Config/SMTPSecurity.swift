/// How briefd guards a login to an SMTP server (the test mail's and the alert mail's): a user and password travel
/// only inside TLS — `smtps://`, or STARTTLS required — unless the server is a relay on this machine and the config
/// says so on purpose.
public struct SMTPSecurity: Sendable, Equatable {
    /// `smtp.allow_plaintext_login: true`: a login may go without TLS, to a loopback relay only (refused at load
    /// for any other host).
    public var allowPlaintextLogin = false
    /// `smtp.ca_file`: the certificate authorities the server's certificate is checked against (PEM), instead of the
    /// system's; for a relay with a certificate of its own.
    public var caFile: String?

    public init(allowPlaintextLogin: Bool = false, caFile: String? = nil) {
        self.allowPlaintextLogin = allowPlaintextLogin
        self.caFile = caFile
    }

    /// What TLS a connection to `url` needs when `loggingIn`.
    public enum Requirement: Sendable, Equatable {
        /// STARTTLS when the server offers it (no login: nothing secret travels but the message itself).
        case whenOffered
        /// TLS or nothing: a server without it is refused before the login.
        case required
    }

    public func requirement(url: String, loggingIn: Bool) -> Requirement {
        guard loggingIn else { return .whenOffered }
        if allowPlaintextLogin, let host = WebAddress(url)?.host, SMTPSecurity.isLoopback(host) { return .whenOffered }
        return .required
    }

    /// `localhost`, `127.0.0.0/8` or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host == "::1" { return true }
        guard let network = IPNetwork("127.0.0.0/8"), let address = IPAddress(host) else { return false }
        return network.contains(address)
    }

    /// The sentence for a server that did not offer TLS to a login.
    public static func refusal(url: String) -> String {
        "the mail server at \(url) offers no STARTTLS; the password would travel in clear, so nothing was sent (use smtps://, a server that offers STARTTLS, or smtp.allow_plaintext_login: true for a relay on this machine)"
    }
}
