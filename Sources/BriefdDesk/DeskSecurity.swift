public import BriefdCore
import Crypto
public import Foundation
import Synchronization

/// Who may use the desk and how requests prove it: the login token, sessions, CSRF tokens, the origin rule and
/// the resolution of draft paths inside the drafts folder. Pure of HTTP so that its rules read on their own.
public final class DeskSecurity: Sendable {
    /// The login token, from the environment variable `web.token_env` names; nil when none is set, which is
    /// allowed on loopback only (checked at start-up).
    let token: String?
    /// Where editors reach the desk (`web.public_url`), for the origin rule and the cookie's `Secure`.
    let publicURL: String?
    /// Random per process: signs CSRF tokens, so a restart invalidates old forms (and sessions, kept in memory).
    private let secret: [UInt8]
    private let sessions = Mutex<[String: Date]>([:])
    static let sessionLifetime: TimeInterval = 12 * 3600
    public static let cookieName = "briefd_session"

    /// The host names the desk answers to: its listen address's, the loopback names when it listens on loopback,
    /// and `web.public_url`'s. Empty when it listens on every address (then only with a login, checked at start-up).
    let hostNames: Set<String>
    /// Failed logins and bearer tokens, per client address.
    public let failures = FailureLimiter()

    public init(token: String?, publicURL: String?, listen: WebSettings? = nil) {
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.publicURL = publicURL
        secret = DeskSecurity.randomBytes(32)
        var names: Set<String> = []
        if let address = listen?.address {
            let host = address.host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            if !["0.0.0.0", "::", ""].contains(host) { names.insert(host) }
            if listen?.isLoopback == true || names.isEmpty && listen == nil {
                names.formUnion(["localhost", "127.0.0.1", "::1"])
            }
        } else {
            names.formUnion(["localhost", "127.0.0.1", "::1"])
        }
        if let publicURL, let address = WebAddress(publicURL) { names.insert(address.host.lowercased()) }
        hostNames = names
    }

    /// Whether a request's `Host` names this desk: a page elsewhere that rebinds its own name to the desk's address
    /// (DNS rebinding) sends its own name, and is refused before any route. The port, when given, must be the one
    /// the desk listens on (or `web.public_url`'s).
    public func hostAllowed(_ authority: String?, port: Int?) -> Bool {
        guard !hostNames.isEmpty else { return requiresLogin }  // every address: the login guards it
        guard let authority, !authority.isEmpty else { return false }
        var host = authority.lowercased()
        var givenPort: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let rest = host[host.index(after: close)...]
            if rest.hasPrefix(":") { givenPort = Int(rest.dropFirst()) }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if host.filter({ $0 == ":" }).count > 1 {
            return false  // an IPv6 address is written in brackets in a Host; unbracketed, its port cannot be told
        } else if let colon = host.lastIndex(of: ":") {
            givenPort = Int(host[host.index(after: colon)...])
            host = String(host[..<colon])
        }
        guard hostNames.contains(host) else { return false }
        guard let givenPort, let port else { return true }
        let publicPort = publicURL.flatMap(WebAddress.init).flatMap { address in
            address.port ?? (address.scheme == "https" ? 443 : 80)
        }
        return givenPort == port || givenPort == publicPort
    }

    public var requiresLogin: Bool { token != nil }

    /// Refuses a desk that would show unpublished drafts to the network without a login; nil when allowed.
    public static func startupProblem(_ web: WebSettings, environment: [String: String]) -> String? {
        guard web.isEnabled else { return nil }
        guard web.address != nil else { return "web.listen '\(web.listen)' is not host:port" }
        if web.isLoopback { return nil }
        guard let name = web.tokenEnv else {
            return
                "web.listen '\(web.listen)' is not a loopback address; set web.token_env to the name of an environment variable holding a login token (or listen on 127.0.0.1 behind a reverse proxy)"
        }
        guard environment[name]?.isEmpty == false else {
            return
                "web.listen '\(web.listen)' is not a loopback address and the environment variable \(name) (web.token_env) is empty or unset"
        }
        return nil
    }

    // MARK: - Login and sessions

    /// Constant-time comparison of a presented token with the configured one.
    public func tokenMatches(_ presented: String) -> Bool {
        guard let token else { return false }
        return DeskSecurity.constantTimeEqual(Array(presented.utf8), Array(token.utf8))
    }

    /// A new session's id, to be set as the cookie.
    public func openSession(now: Date = Date()) -> String {
        let id = DeskSecurity.hex(DeskSecurity.randomBytes(32))
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value > now }  // expired ones go
            sessions[id] = now.addingTimeInterval(DeskSecurity.sessionLifetime)
        }
        return id
    }

    public func closeSession(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: id) } }

    public func isValidSession(_ id: String?, now: Date = Date()) -> Bool {
        guard let id, !id.isEmpty else { return false }
        return sessions.withLock { sessions in
            // A lookup by a presented key: the dictionary's hashing, not a comparison of secrets byte by byte.
            guard let expiry = sessions[id] else { return false }
            return expiry > now
        }
    }

    /// The CSRF token of a session (or of the anonymous loopback user): HMAC-SHA256 of the session under the
    /// process secret, so it needs no storage and cannot be made from the cookie without the secret.
    public func csrfToken(session: String?) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Array("csrf:\(session ?? "-")".utf8), using: SymmetricKey(data: secret))
        return DeskSecurity.hex(Array(code))
    }

    public func csrfMatches(_ presented: String?, session: String?) -> Bool {
        guard let presented else { return false }
        return DeskSecurity.constantTimeEqual(Array(presented.utf8), Array(csrfToken(session: session).utf8))
    }

    /// A POST must come from the desk's own pages: its `Origin` (or, without one, its `Referer`) must be the desk's
    /// origin — `web.public_url`'s, else the `Host` the request was sent to. The desk's own pages send no referrer
    /// (`Referrer-Policy: no-referrer`), so a browser sends their forms with `Origin: null`; those pass when the
    /// browser itself says the request is same-origin (`Sec-Fetch-Site`, which a page cannot set).
    public func originAllowed(origin: String?, referer: String?, host: String?, fetchSite: String? = nil) -> Bool {
        if origin == nil || origin == "null", fetchSite?.lowercased() == "same-origin" { return true }
        let allowed: String
        if let publicURL, let address = WebAddress(publicURL) {
            allowed = address.origin.lowercased()
        } else if let host, !host.isEmpty {
            allowed = "http://" + host.lowercased()
        } else {
            return false
        }
        if let origin { return origin.lowercased() == allowed }
        if let referer, let address = WebAddress(referer) { return address.origin.lowercased() == allowed }
        return false
    }

    public var cookieIsSecure: Bool { publicURL?.lowercased().hasPrefix("https://") == true }

    // MARK: - Draft paths

    // MARK: - Helpers

    /// Failed logins and bearer tokens per client: after the third failure in a row, each further try waits twice as
    /// long as the one before (2 s, 4 s, … at most 5 minutes); a success clears the client. A try is counted as a
    /// failure in the same step that lets it be checked (`admit`), and cleared by `recordSuccess`: of many guesses sent
    /// at once, only the first three are checked. A global ceiling (`globalPerMinute` failures a minute, all clients
    /// together) stops clients that have failed before, never one that has not, so a stranger cannot lock an editor
    /// out. Bounded: the oldest clients go when 10,000 are tracked.
    public final class FailureLimiter: Sendable {
        private struct Record {
            var failures: Int
            var last: Date
        }
        private struct State {
            var records: [String: Record] = [:]
            /// Failures in the current minute, all clients together.
            var minute: Date = .distantPast
            var failuresThisMinute = 0
            /// When a refusal was last logged, so that a flood makes one line a minute, not one per try.
            var lastLogged: Date = .distantPast
            var refusedSinceLog = 0
        }
        private let state = Mutex(State())
        static let free = 3
        static let maxTracked = 10_000
        static let globalPerMinute = 60

        /// What a try may do.
        public enum Admission: Sendable, Equatable {
            /// Check the token; the try already counts as a failure until `recordSuccess`.
            case check(failures: Int)
            /// Refused without checking: wait this many seconds.
            case wait(Int)
        }

        /// Lets `client` try now, counting the try, or says how long it must wait; one step, so that parallel tries
        /// cannot all pass the check before any is counted.
        public func admit(_ client: String, now: Date = Date()) -> Admission {
            state.withLock { state in
                if now.timeIntervalSince(state.minute) >= 60 {
                    state.minute = now
                    state.failuresThisMinute = 0
                }
                if let record = state.records[client] {
                    if record.failures >= FailureLimiter.free {
                        let wait = min(300, 1 << min(record.failures - FailureLimiter.free + 1, 9))
                        let remaining = Double(wait) - now.timeIntervalSince(record.last)
                        if remaining > 0 { return .wait(Int(remaining.rounded(.up))) }
                    }
                    if record.failures > 0, state.failuresThisMinute >= FailureLimiter.globalPerMinute {
                        return .wait(max(1, Int((60 - now.timeIntervalSince(state.minute)).rounded(.up))))
                    }
                }
                if state.records.count >= FailureLimiter.maxTracked, state.records[client] == nil,
                    let oldest = state.records.min(by: { $0.value.last < $1.value.last })?.key
                {
                    state.records[oldest] = nil
                }
                var record = state.records[client] ?? Record(failures: 0, last: now)
                record.failures += 1
                record.last = now
                state.records[client] = record
                state.failuresThisMinute += 1
                return .check(failures: record.failures)
            }
        }

        /// The token was right: the try is not a failure, and the client starts afresh.
        public func recordSuccess(_ client: String) {
            state.withLock { state in
                state.records[client] = nil
                state.failuresThisMinute = max(0, state.failuresThisMinute - 1)
            }
        }

        /// Whether a refusal should be logged now (at most one line a minute), with how many were refused since the
        /// last line.
        public func shouldLogRefusal(now: Date = Date()) -> Int? {
            state.withLock { state in
                state.refusedSinceLog += 1
                guard now.timeIntervalSince(state.lastLogged) >= 60 else { return nil }
                state.lastLogged = now
                defer { state.refusedSinceLog = 0 }
                return state.refusedSinceLog
            }
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
