import BriefdCore
import Foundation

/// A mailing service an issue is handed to as one campaign (listmonk, Buttondown): what `CampaignHandOff` asks of it.
public protocol MailingService: Sendable {
    /// Its name as editors know it ("listmonk", "Buttondown").
    var name: String { get }
    /// A new campaign (a draft) with `content`.
    func create(_ content: CampaignContent) async throws(MailingServiceError) -> ServiceCampaign
    /// The campaign briefd made earlier for the same issue, found at the service by `content`'s unique name (or
    /// subject): so that a run killed between "created" and "recorded" does not make a second one. nil when there is
    /// none; the oldest the service lists when there are several.
    func find(_ content: CampaignContent) async throws(MailingServiceError) -> ServiceCampaign?
    /// The campaign's content replaced.
    func update(_ id: String, _ content: CampaignContent) async throws(MailingServiceError) -> ServiceCampaign
    func campaign(_ id: String) async throws(MailingServiceError) -> ServiceCampaign
    /// A test of the campaign to `recipients`, through the service.
    func test(_ id: String, _ content: CampaignContent, to recipients: [String]) async throws(MailingServiceError)
    /// The campaign sent at `at` (RFC 3339).
    func schedule(_ id: String, at: String) async throws(MailingServiceError) -> ServiceCampaign
    /// The service still lets briefd change a campaign in this state (it has not started sending it).
    func isEditable(_ status: String) -> Bool
    /// The campaign waits to be sent at its time in this state.
    func isScheduled(_ status: String) -> Bool
}

/// A campaign as a service knows it.
public struct ServiceCampaign: Sendable, Equatable {
    public var id: String
    public var status: String
    public var sendAt: String?

    public init(id: String, status: String, sendAt: String?) {
        self.id = id
        self.status = status
        self.sendAt = sendAt
    }
}

/// What a campaign is made of: the subject, HTML and text, and when it goes.
public struct CampaignContent: Sendable {
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

/// The service refused or could not be reached; `description` carries its own message.
public struct MailingServiceError: Error, CustomStringConvertible {
    public var status: Int?
    public var description: String

    public init(status: Int?, description: String) {
        self.status = status
        self.description = description
    }
}

/// One JSON request to a service's API: the status and the decoded object of its answer (nil when the body is not
/// a JSON object), or why no answer came. `service` names it in errors; `authorization` is its header line.
enum ServiceRequest {
    static func send(
        _ url: String, _ method: HTTPRequest.Method, _ body: [String: Any]?, authorization: String, service: String,
        client: CurlHTTPClient
    ) async throws(MailingServiceError) -> (status: Int, object: [String: Any]?) {
        guard let address = WebAddress(url) else {
            throw MailingServiceError(status: nil, description: "\(url) is not a web address")
        }
        var bytes: [UInt8]?
        if let body {
            do {
                bytes = [UInt8](try JSONSerialization.data(withJSONObject: body))
            } catch {
                throw MailingServiceError(
                    status: nil, description: "the request to \(service) cannot be written: \(error)")
            }
        }
        let request = HTTPRequest(
            url: url, method: method, hostKey: address.hostKey, maxBodyBytes: 4 * 1024 * 1024, body: bytes,
            headers: ["Accept: application/json", "Content-Type: application/json", authorization],
            timeoutMilliseconds: 60_000)
        switch await client.send(request) {
        case .failure(let failure):
            throw MailingServiceError(status: nil, description: "\(service) did not answer: \(failure.message)")
        case .success(let response):
            // An answer that is not a JSON object is nil here; each caller says what it expected instead.
            return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any])
        }
    }

    /// The error for a refusal: the status and the service's own words (`message` or `detail`), cut to 500
    /// characters.
    static func refusal(_ status: Int, _ object: [String: Any]?, service: String, key: String) -> MailingServiceError {
        let words = (object?[key] as? String).map { String($0.prefix(500)) }
        return MailingServiceError(
            status: status, description: "\(service) answered \(status)" + (words.map { ": \($0)" } ?? ""))
    }
}
