public import BriefdCore
import Foundation

/// Buttondown's emails API (`/v1/emails`), as its documentation gives it: `Authorization: Token <key>`, JSON bodies;
/// an email is made as a `draft`, changed with PATCH while it is a draft or scheduled, tested with
/// `POST /v1/emails/{id}/send-draft` `{"recipients": [...]}`, and scheduled by setting `status: scheduled` with its
/// `publish_date`. Errors come as 4xx with `{"detail": …}` (and often a `code`). The key goes only into the header.
public struct ButtondownClient: MailingService {
    public let name = "Buttondown"
    let settings: ButtondownSettings
    let client: CurlHTTPClient
    let authorization: String

    public init?(settings: ButtondownSettings, client: CurlHTTPClient, environment: [String: String]) {
        guard let key = environment[settings.tokenEnv], !key.isEmpty, !key.contains(where: \.isNewline) else {
            return nil
        }
        self.settings = settings
        self.client = client
        authorization = "Authorization: Token \(key)"
    }

    /// The email's subject and body, and its publish date when one is asked for (an email scheduled already moves
    /// to the new time).
    private func fields(_ content: CampaignContent) -> [String: Any] {
        var fields: [String: Any] = ["subject": content.subject, "body": content.html]
        if let sendAt = content.sendAt { fields["publish_date"] = sendAt }
        return fields
    }

    public func create(_ content: CampaignContent) async throws(MailingServiceError) -> ServiceCampaign {
        var body = fields(content)
        body["status"] = "draft"
        return try email(try await send("/v1/emails", .post, body))
    }

    /// `GET /v1/emails?status=draft&status=scheduled`, page by page (at most 20, following `next` only on the
    /// endpoint itself, where the key may go): the email with the subject. Buttondown emails have no name of
    /// their own; the subject carries the date, so it is unique to the issue.
    public func find(_ content: CampaignContent) async throws(MailingServiceError) -> ServiceCampaign? {
        var path: String? = "/v1/emails?status=draft&status=scheduled"
        var pages = 0
        while let next = path, pages < 20 {
            pages += 1
            let page = try await send(next, .get, nil)
            for case let object as [String: Any] in page["results"] as? [Any] ?? []
            where object["subject"] as? String == content.subject {
                return try email(object)
            }
            guard let link = page["next"] as? String, link.hasPrefix(settings.endpoint + "/") else { return nil }
            path = String(link.dropFirst(settings.endpoint.count))
        }
        return nil
    }

    public func update(_ id: String, _ content: CampaignContent) async throws(MailingServiceError) -> ServiceCampaign {
        try email(try await send("/v1/emails/\(try checked(id))", .patch, fields(content)))
    }

    public func campaign(_ id: String) async throws(MailingServiceError) -> ServiceCampaign {
        try email(try await send("/v1/emails/\(try checked(id))", .get, nil))
    }

    public func test(_ id: String, _ content: CampaignContent, to recipients: [String])
        async throws(MailingServiceError)
    {
        _ = try await send("/v1/emails/\(try checked(id))/send-draft", .post, ["recipients": recipients])
    }

    public func schedule(_ id: String, at: String) async throws(MailingServiceError) -> ServiceCampaign {
        try email(
            try await send("/v1/emails/\(try checked(id))", .patch, ["status": "scheduled", "publish_date": at]))
    }

    public func isEditable(_ status: String) -> Bool { ["draft", "scheduled"].contains(status) }
    public func isScheduled(_ status: String) -> Bool { status == "scheduled" }

    /// An email id goes into a path: letters, digits, `-` and `_` only.
    private func checked(_ id: String) throws(MailingServiceError) -> String {
        guard !id.isEmpty, id.count <= 100,
            id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw MailingServiceError(status: nil, description: "'\(id)' is not a Buttondown email id") }
        return id
    }

    private func email(_ object: [String: Any]) throws(MailingServiceError) -> ServiceCampaign {
        guard let id = object["id"] as? String, let status = object["status"] as? String else {
            throw MailingServiceError(status: nil, description: "Buttondown answered without an email's id and status")
        }
        return ServiceCampaign(
            id: try checked(id), status: String(status.prefix(40)), sendAt: object["publish_date"] as? String)
    }

    private func send(_ path: String, _ method: HTTPRequest.Method, _ body: [String: Any]?)
        async throws(MailingServiceError) -> [String: Any]
    {
        let (status, object) = try await ServiceRequest.send(
            settings.endpoint + path, method, body, authorization: authorization, service: "Buttondown",
            client: client)
        guard (200..<300).contains(status) else {
            throw ServiceRequest.refusal(status, object, service: "Buttondown", key: "detail")
        }
        return object ?? [:]
    }
}
