public import BriefdCore
import Foundation

/// listmonk's campaign API (`/api/campaigns`), as its documentation gives it: JSON bodies, `{"data": …}` on success and
/// `{"message": …}` with a 4xx or 5xx on failure, `Authorization: token user:token`. The token goes only into that
/// header; no error, log line or file made here contains it.
public struct ListmonkClient: Sendable {
    let settings: ListmonkSettings
    let client: CurlHTTPClient
    let authorization: String

    /// nil when the user or the token is missing from the environment (`missingKeys` names them).
    public init?(settings: ListmonkSettings, client: CurlHTTPClient, environment: [String: String]) {
        guard let user = environment[settings.userEnv], !user.isEmpty, let token = environment[settings.tokenEnv],
            !token.isEmpty, !(user + token).contains(where: \.isNewline)
        else { return nil }
        self.settings = settings
        self.client = client
        authorization = "Authorization: token \(user):\(token)"
    }

    public static func missingKeys(_ settings: ListmonkSettings, environment: [String: String]) -> [String] {
        [settings.userEnv, settings.tokenEnv].filter { (environment[$0] ?? "").isEmpty }
    }

    /// A campaign as the service knows it.
    public struct Campaign: Sendable, Equatable {
        public var id: Int
        /// draft, scheduled, running, paused, cancelled, finished.
        public var status: String
        public var sendAt: String?
    }

    /// The service refused or could not be reached; `description` carries its own message.
    public struct ServiceError: Error, CustomStringConvertible {
        public var status: Int?
        public var description: String
    }

    /// What a campaign is made of: the subject, HTML and text, and when it goes.
    public struct Content: Sendable {
        public var name: String
        public var subject: String
        public var fromEmail: String
        public var html: String
        public var text: String
        /// RFC 3339; nil to send only when started.
        public var sendAt: String?

        public init(name: String, subject: String, fromEmail: String, html: String, text: String, sendAt: String?) {
            self.name = name
            self.subject = subject
            self.fromEmail = fromEmail
            self.html = html
            self.text = text
            self.sendAt = sendAt
        }
    }

    private func fields(_ content: Content) -> [String: Any] {
        var fields: [String: Any] = [
            "name": content.name, "subject": content.subject, "lists": settings.lists, "from_email": content.fromEmail,
            "type": "regular", "content_type": "html", "messenger": "email", "body": content.html,
            "altbody": content.text,
        ]
        if let template = settings.templateID { fields["template_id"] = template }
        if let sendAt = content.sendAt { fields["send_at"] = sendAt }
        return fields
    }

    /// `POST /api/campaigns`: a new draft.
    public func create(_ content: Content) async throws(ServiceError) -> Campaign {
        try campaign(try await send("/api/campaigns", .post, fields(content)))
    }

    /// `PUT /api/campaigns/{id}`: the campaign's content replaced (listmonk allows it while it has not started).
    public func update(_ id: Int, _ content: Content) async throws(ServiceError) -> Campaign {
        try campaign(try await send("/api/campaigns/\(id)", .put, fields(content)))
    }

    /// `GET /api/campaigns/{id}`.
    public func campaign(_ id: Int) async throws(ServiceError) -> Campaign {
        try campaign(try await send("/api/campaigns/\(id)", .get, nil))
    }

    /// `POST /api/campaigns/{id}/test`: the campaign to `subscribers` (listmonk sends tests only to addresses that
    /// are subscribers already; its message says so when they are not).
    public func test(_ id: Int, _ content: Content, to subscribers: [String]) async throws(ServiceError) {
        var body = fields(content)
        body["subscribers"] = subscribers
        _ = try await send("/api/campaigns/\(id)/test", .post, body)
    }

    /// `PUT /api/campaigns/{id}/status` `{"status": "scheduled"}`: sends at its `send_at`.
    public func schedule(_ id: Int) async throws(ServiceError) -> Campaign {
        try campaign(try await send("/api/campaigns/\(id)/status", .put, ["status": "scheduled"]))
    }

    private func campaign(_ data: Any) throws(ServiceError) -> Campaign {
        guard let object = data as? [String: Any], let id = object["id"] as? Int,
            let status = object["status"] as? String
        else { throw ServiceError(status: nil, description: "listmonk answered without a campaign's id and status") }
        return Campaign(id: id, status: String(status.prefix(40)), sendAt: object["send_at"] as? String)
    }

    /// The `data` of a 2xx answer; else the service's `message`.
    private func send(_ path: String, _ method: HTTPRequest.Method, _ body: [String: Any]?) async throws(ServiceError)
        -> Any
    {
        let url = settings.url + path
        guard let address = WebAddress(url) else {
            throw ServiceError(status: nil, description: "\(settings.url) is not a web address")
        }
        let bytes = body.flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map { [UInt8]($0) }
        let request = HTTPRequest(
            url: url, method: method, hostKey: address.hostKey, maxBodyBytes: 4 * 1024 * 1024, body: bytes,
            headers: ["Accept: application/json", "Content-Type: application/json", authorization],
            timeoutMilliseconds: 60_000)
        switch await client.send(request) {
        case .failure(let failure):
            throw ServiceError(
                status: nil, description: "listmonk at \(settings.url) did not answer: \(failure.message)")
        case .success(let response):
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
            guard (200..<300).contains(response.status), let object, let data = object["data"] else {
                let message = (object?["message"] as? String).map { String($0.prefix(500)) }
                throw ServiceError(
                    status: response.status,
                    description: "listmonk answered \(response.status)" + (message.map { ": \($0)" } ?? ""))
            }
            return data
        }
    }
}
