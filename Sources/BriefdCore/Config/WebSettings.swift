/// The `web:` section of `briefd.yml`: where the daemon serves the editors' desk, and who may use it.
public struct WebSettings: Sendable, Equatable {
    /// `host:port`; empty turns the desk off. Loopback by default: the desk shows unpublished drafts.
    public var listen = "127.0.0.1:8470"
    /// The name of the environment variable holding the login token (never the token itself: the config is
    /// often readable by more people than the secret should be).
    public var tokenEnv: String?
    /// The address editors reach the desk at, when a reverse proxy is in front (`https://…` makes the session
    /// cookie `Secure`, and POSTs must come from its origin).
    public var publicURL: String?
    /// The largest request body the desk reads (the clip form and the login are a few hundred bytes).
    public var maxBodyBytes = 64 * 1024
    /// A connection that sends nothing for this long, with no answer under way, is closed (a client that opens
    /// connections and leaves them would otherwise hold a descriptor each for ever). Live pages are answers
    /// under way, and their heartbeat every 15 s keeps them moving.
    public var idleTimeoutSeconds = 30
    /// The reverse proxies whose `X-Forwarded-For` names the client (`web.trusted_proxies`); from any other peer the
    /// header is ignored, so that nobody can pick the address the login throttle counts against.
    public var trustedProxies: [IPNetwork] = []
    /// The most connections the desk keeps open at once (`web.max_connections`); more wait in the listen queue until
    /// one closes. Lowered, when the process may open few files, to leave `reservedFiles` for the daemon's own.
    public var maxConnections = 256
    /// Descriptors kept for the daemon's own files (drafts, reports, the database, link checks) whatever the desk does.
    public static let reservedFiles = 128

    public init() {}

    /// `maxConnections`, or fewer when the process may open only `fileLimit` descriptors; at least 4, so the desk
    /// still answers one editor.
    public func connectionLimit(fileLimit: Int) -> Int {
        max(4, min(maxConnections, fileLimit - WebSettings.reservedFiles))
    }

    /// The client a request comes from: the peer itself, or, when the peer is a trusted proxy, the nearest address in
    /// `X-Forwarded-For` that is not one (each proxy appends the address it received from).
    public func client(peer: String, forwardedFor: String?) -> String {
        guard let forwardedFor, isTrustedProxy(peer) else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !isTrustedProxy(hop) {
            return IPAddress(hop) != nil ? hop : peer
        }
        return hops.first.flatMap { IPAddress($0) != nil ? $0 : nil } ?? peer
    }

    private func isTrustedProxy(_ address: String) -> Bool {
        guard let parsed = IPAddress(address) else { return false }
        return trustedProxies.contains { $0.contains(parsed) }
    }

    public var isEnabled: Bool { !listen.isEmpty }

    /// Where editors reach the desk: `public_url` when set, else `http://` and `listen`.
    public var deskAddress: String { publicURL ?? "http://" + listen }

    /// The host and port of `listen`, `[::1]:8470` and `localhost:8470` included; nil when malformed.
    public var address: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// True when `listen` names a loopback address only (`127.0.0.0/8`, `::1`, `localhost`).
    public var isLoopback: Bool {
        guard let host = address?.host.lowercased() else { return false }
        if host == "localhost" || host == "::1" { return true }
        if let network = IPNetwork("127.0.0.0/8"), let parsed = IPAddress(host) { return network.contains(parsed) }
        return false
    }
}
