/// Where a service's key may be sent: inside TLS (`https://`), or in clear to a service on this machine only
/// (`http://localhost`, `127.0.0.0/8`, `::1`). An API key over plain HTTP to anything else would travel readable by
/// every network on the way.
public enum KeyTransport {
    /// Nil when `url` may carry a key, else why not, naming `what` ("listmonk's 'url'").
    public static func refusal(_ url: String, what: String) -> String? {
        guard let address = WebAddress(url), address.scheme == "http", !SMTPSecurity.isLoopback(address.host) else {
            return nil
        }
        return
            "\(what) is http:// to \(address.host): its key would travel in clear; use https:// (plain http:// is for a service on this machine only)"
    }
}
