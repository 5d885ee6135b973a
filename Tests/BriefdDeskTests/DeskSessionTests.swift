import BriefdCore
import BriefdDesk
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The desk's login, session and logout, and its Host and Origin rules with `web.public_url` and an IPv6 listen
/// address, through Hummingbird as a browser would meet them.
@Suite("The desk's session, Host and Origin rules", .serialized, .timeLimit(.minutes(2)))
struct DeskSessionTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]

    @Test func aLoginOpensASessionAndALogoutEndsIt() async throws {
        let desk = try await DeskTests.Desk(token: "the-desk-token")
        let anonymous = desk.app.security.csrfToken(session: nil)
        try await desk.application().test(.router) { client in
            // No session: pages send the editor to the login; the API and the live stream answer 401.
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
            try await client.execute(uri: "/api/drafts", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/events", method: .get) { #expect($0.status == .unauthorized) }
            // A wrong token: 401, and no cookie.
            try await client.execute(
                uri: "/login", method: .post, headers: Self.form,
                body: ByteBuffer(string: "csrf=\(anonymous)&token=nope")
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie] == nil)
            }
            // The right one: a session cookie only scripts and other sites cannot use.
            var cookie = ""
            try await client.execute(
                uri: "/login", method: .post, headers: Self.form,
                body: ByteBuffer(string: "csrf=\(anonymous)&token=the-desk-token")
            ) { response in
                #expect(response.status == .seeOther)
                let set = response.headers[.setCookie] ?? ""
                #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "\(set)")
                #expect(!set.contains("Secure"), "no public https address: the cookie must work over http")
                cookie = String(set.split(separator: ";")[0])
            }
            let session = String(cookie.split(separator: "=", maxSplits: 1).last ?? "")
            #expect(desk.app.security.isValidSession(session))
            try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/drafts", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .ok)
            }
            // A logout needs the session's own CSRF token: the anonymous one is refused and the session stays.
            var headers = Self.form
            headers[.cookie] = cookie
            try await client.execute(
                uri: "/logout", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(anonymous)")
            ) { #expect($0.status == .forbidden) }
            #expect(desk.app.security.isValidSession(session))
            let csrf = desk.app.security.csrfToken(session: session)
            try await client.execute(
                uri: "/logout", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(csrf)")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            // The old cookie opens nothing any more.
            #expect(!desk.app.security.isValidSession(session))
            try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
        }
    }

    @Test func withAPublicAddressTheDeskAnswersToItsNameAndAcceptsFormsOnlyFromItsOrigin() async throws {
        let desk = try await DeskTests.Desk(token: "the-desk-token") { config in
            config.web.publicURL = "https://desk.example.org"
        }
        try await desk.application().test(.live) { client in
            let port = try #require(client.port)
            func head(_ host: String, _ extra: String = "", method: String = "GET", path: String = "/healthz")
                async throws -> String
            {
                try await DeskTests.raw(
                    port: port,
                    "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n\(extra)Content-Length: 0\r\nConnection: close\r\n\r\n"
                )
            }
            // Its public name (with or without https's port) and loopback: answered; another name: 421.
            #expect(try await head("desk.example.org").hasPrefix("HTTP/1.1 200"))
            #expect(try await head("desk.example.org:443").hasPrefix("HTTP/1.1 200"))
            #expect(try await head("127.0.0.1:\(port)").hasPrefix("HTTP/1.1 200"))
            #expect(try await head("desk.example.org.evil.example").hasPrefix("HTTP/1.1 421"))
            #expect(try await head("desk.example.org:8443").hasPrefix("HTTP/1.1 421"))
            // A form's origin must be the public one, scheme included; a bare "null" only with the browser's own
            // same-origin word.
            let security = desk.app.security
            #expect(
                security.originAllowed(
                    origin: "https://desk.example.org", referer: nil, host: "127.0.0.1:\(port)"))
            #expect(!security.originAllowed(origin: "http://desk.example.org", referer: nil, host: "desk.example.org"))
            #expect(!security.originAllowed(origin: "null", referer: nil, host: "desk.example.org"))
            #expect(
                security.originAllowed(origin: "null", referer: nil, host: "desk.example.org", fetchSite: "same-origin")
            )
            let refused = try await head(
                "desk.example.org", "Origin: http://desk.example.org\r\n", method: "POST", path: "/login")
            #expect(refused.hasPrefix("HTTP/1.1 403"), "\(refused)")
            // Behind https the session cookie is Secure.
            #expect(security.cookieIsSecure)
        }
    }

    @Test func onAnIPv6LoopbackAddressTheBracketedHostIsTheDesksOwn() async throws {
        let desk = try await DeskTests.Desk { config in config.web.listen = "[::1]:8470" }
        try await desk.application().test(.live) { client in
            let port = try #require(client.port)
            func status(_ host: String) async throws -> String {
                let answer = try await DeskTests.raw(
                    port: port, "GET /healthz HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
                return String(answer.prefix(12))
            }
            // The port is the one the connection came in on.
            #expect(try await status("[::1]:\(port)") == "HTTP/1.1 200")
            #expect(try await status("[::1]") == "HTTP/1.1 200")
            #expect(try await status("localhost:\(port)") == "HTTP/1.1 200")
            #expect(try await status("[::1]:\(port == 1 ? 2 : 1)") == "HTTP/1.1 421")
            #expect(try await status("[::2]:\(port)") == "HTTP/1.1 421")
            #expect(try await status("[::1") == "HTTP/1.1 421")
            // Unbracketed, an IPv6 address's port cannot be told from its last group.
            #expect(try await status("::1:\(port)") == "HTTP/1.1 421")
        }
    }
}
