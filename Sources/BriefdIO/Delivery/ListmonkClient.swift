public import BriefdCore
import Foundation

/// listmonk's campaign API (`/api/campaigns`), as its documentation gives it: JSON bodies, `{"data": …}` on success and
/// `{"message": …}` with a 4xx or 5xx on failure, `Authorization: token user:token`. The token goes only into that
/// header; no error, log line or file made here contains it.
public struct ListmonkClient: MailingService {
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

    public let name = "listmonk"

    private func fields(_ content: CampaignContent) -> [String: Any] {
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
    public func create(_ content: CampaignContent) async throws(MailingServiceError) -> ServiceCampaign {
        try campaign(try await send("/api/campaigns", .post, fields(content)))
    }

    /// `GET /api/campaigns?query=NAME&per_page=100`: listmonk searches the campaigns' names; the one named exactly
    /// so, the oldest first.
    public func find(_ content: CampaignContent) async throws(MailingServiceError) -> ServiceCampaign? {
        let query = content.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let data = try await send("/api/campaigns?query=\(query)&per_page=100&order_by=created_at&order=asc", .get, nil)
        guard let page = data as? [String: Any], let results = page["results"] as? [Any] else {
            throw MailingServiceError(status: nil, description: "listmonk answered the campaign search without results")
        }
        var found: [ServiceCampaign] = []
        for result in results {
            guard let object = result as? [String: Any], object["name"] as? String == content.name else { continue }
            found.append(try campaign(object))
        }
        return found.min { (Int($0.id) ?? 0) < (Int($1.id) ?? 0) }
    }

    /// `PUT /api/campaigns/{id}`: the campaign's content replaced (listmonk allows it while it has not started).
    public func update(_ id: String, _ content: CampaignContent) async throws(MailingServiceError) -> ServiceCampaign {
        try campaign(try await send("/api/campaigns/\(try number(id))", .put, fields(content)))
    }

    /// `GET /api/campaigns/{id}`.
    public func campaign(_ id: String) async throws(MailingServiceError) -> ServiceCampaign {
        try campaign(try await send("/api/campaigns/\(try number(id))", .get, nil))
    }

    /// `POST /api/campaigns/{id}/test`: the campaign to `subscribers` (listmonk sends tests only to addresses that
    /// are subscribers already; its message says so when they are not).
    public func test(_ id: String, _ content: CampaignContent, to subscribers: [String])
        async throws(MailingServiceError)
    {
        var body = fields(content)
        body["subscribers"] = subscribers
        _ = try await send("/api/campaigns/\(try number(id))/test", .post, body)
    }

    /// `PUT /api/campaigns/{id}/status` `{"status": "scheduled"}`: sent at its `send_at` (set by the update).
    public func schedule(_ id: String, at: String) async throws(MailingServiceError) -> ServiceCampaign {
        try campaign(try await send("/api/campaigns/\(try number(id))/status", .put, ["status": "scheduled"]))
    }

    public func isEditable(_ status: String) -> Bool { ["draft", "scheduled", "paused"].contains(status) }
    public func isScheduled(_ status: String) -> Bool { status == "scheduled" }

    private func number(_ id: String) throws(MailingServiceError) -> Int {
        guard let number = Int(id), number > 0 else {
            throw MailingServiceError(status: nil, description: "'\(id)' is not a listmonk campaign id")
        }
        return number
    }

    private func campaign(_ data: Any) throws(MailingServiceError) -> ServiceCampaign {
        guard let object = data as? [String: Any], let id = object["id"] as? Int,
            let status = object["status"] as? String
        else {
            throw MailingServiceError(status: nil, description: "listmonk answered without a campaign's id and status")
        }
        return ServiceCampaign(id: String(id), status: String(status.prefix(40)), sendAt: object["send_at"] as? String)
    }

    /// The `data` of a 2xx answer; else the service's `message`.
    private func send(_ path: String, _ method: HTTPRequest.Method, _ body: [String: Any]?)
        async throws(MailingServiceError) -> Any
    {
        let (status, object) = try await ServiceRequest.send(
            settings.url + path, method, body, authorization: authorization, service: "listmonk at \(settings.url)",
            client: client)
        guard (200..<300).contains(status), let data = object?["data"] else {
            throw ServiceRequest.refusal(status, object, service: "listmonk", key: "message")
        }
        return data
    }
}
