import Foundation
import Synchronization

/// A stand-in for listmonk's campaign API, after its documentation (listmonk.app/docs/apis/campaigns): answers are
/// `{"data": …}`, failures `{"message": "…"}` with a 4xx; `Authorization: token user:token` or a 403;
/// `POST /api/campaigns` needs `name`, `subject`, `lists`, a known `content_type` and makes a `draft`;
/// `PUT /api/campaigns/{id}` only while the campaign is draft, scheduled or paused; `POST /api/campaigns/{id}/test`
/// sends only to addresses that are subscribers already; `PUT /api/campaigns/{id}/status` moves a draft to
/// `scheduled` only when it has a `send_at`.
public final class ListmonkStandIn: Sendable {
    public struct Campaign: Sendable {
        public var id: Int
        public var fields: [String: String]
        public var lists: [Int]
        public var status: String
        public var sendAt: String?
        public var updates = 0
    }

    struct State {
        var campaigns: [Int: Campaign] = [:]
        var nextID = 1
        var tests: [(campaign: Int, to: [String])] = []
        var authorizations: Set<String> = []
        var userAgents: Set<String> = []
        var searches = 0
    }

    final class Logic: Sendable {
        let user: String
        let token: String
        let subscribers: Set<String>
        let state = Mutex(State())

        init(user: String, token: String, subscribers: Set<String>) {
            self.user = user
            self.token = token
            self.subscribers = subscribers
        }

        func json(_ status: Int, _ object: Any) -> TestHTTPServer.Answer {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return .respond(
                status: status, headers: ["Content-Type": "application/json; charset=utf-8"],
                body: String(decoding: data, as: UTF8.self))
        }

        func message(_ status: Int, _ text: String) -> TestHTTPServer.Answer { json(status, ["message": text]) }

        func data(_ campaign: Campaign) -> TestHTTPServer.Answer {
            var object: [String: Any] = [
                "id": campaign.id, "status": campaign.status, "lists": campaign.lists.map { ["id": $0] },
                "name": campaign.fields["name"] ?? "", "subject": campaign.fields["subject"] ?? "",
            ]
            object["send_at"] = campaign.sendAt ?? NSNull()
            return json(200, ["data": object])
        }

        func answer(_ request: TestHTTPServer.Request) -> TestHTTPServer.Answer {
            let authorization = request.headers["authorization"] ?? ""
            state.withLock {
                _ = $0.authorizations.insert(authorization)
                _ = $0.userAgents.insert(request.headers["user-agent"] ?? "")
            }
            guard authorization == "token \(user):\(token)" else { return message(403, "invalid API credentials") }
            let (path, query) = TestHTTPServer.splitQuery(request.path)
            let parts = path.split(separator: "/").map(String.init)  // api, campaigns, id, test|status
            guard parts.count >= 2, parts[0] == "api", parts[1] == "campaigns" else {
                return message(404, "Not found")
            }
            let body = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: Any] ?? [:]
            if parts.count == 2 && request.method == "POST" { return create(body) }
            if parts.count == 2 && request.method == "GET" { return search(query) }
            guard parts.count >= 3, let id = Int(parts[2]) else { return message(400, "Invalid ID.") }
            return state.withLock { state -> TestHTTPServer.Answer in
                guard var campaign = state.campaigns[id] else { return message(404, "Campaign not found.") }
                switch (request.method, parts.count > 3 ? parts[3] : "") {
                case ("GET", ""):
                    return data(campaign)
                case ("PUT", ""):
                    guard ["draft", "scheduled", "paused"].contains(campaign.status) else {
                        return message(400, "Cannot update a running or finished campaign.")
                    }
                    for key in ["name", "subject", "from_email", "body", "altbody", "content_type"] {
                        if let value = body[key] as? String { campaign.fields[key] = value }
                    }
                    campaign.sendAt = body["send_at"] as? String ?? campaign.sendAt
                    campaign.updates += 1
                    state.campaigns[id] = campaign
                    return data(campaign)
                case ("POST", "test"):
                    let to = body["subscribers"] as? [String] ?? []
                    guard !to.isEmpty, to.allSatisfy({ subscribers.contains($0) }) else {
                        return message(400, "Subscriber(s) not found: test e-mails go only to existing subscribers.")
                    }
                    state.tests.append((id, to))
                    return json(200, ["data": true])
                case ("PUT", "status"):
                    let wanted = body["status"] as? String ?? ""
                    if wanted == "scheduled" {
                        guard campaign.status == "draft" else {
                            return message(400, "Only draft campaigns can be scheduled.")
                        }
                        guard campaign.sendAt != nil else {
                            return message(400, "send_at date should be set to schedule a campaign.")
                        }
                    }
                    campaign.status = wanted
                    state.campaigns[id] = campaign
                    return data(campaign)
                default:
                    return message(405, "Method not allowed")
                }
            }
        }

        /// `GET /api/campaigns`: `query` matches names (listmonk searches them, case-insensitively), `per_page` and
        /// `page` page the results, oldest first with `order=asc`.
        func search(_ query: [String: String]) -> TestHTTPServer.Answer {
            let words = (query["query"] ?? "").lowercased()
            let perPage = Int(query["per_page"] ?? "") ?? 20
            let page = max(Int(query["page"] ?? "") ?? 1, 1)
            let found = state.withLock { state in
                state.searches += 1
                return state.campaigns.values.sorted { $0.id < $1.id }
                    .filter { words.isEmpty || ($0.fields["name"] ?? "").lowercased().contains(words) }
            }
            let shown = found.dropFirst((page - 1) * perPage).prefix(perPage).map { campaign -> [String: Any] in
                [
                    "id": campaign.id, "status": campaign.status, "name": campaign.fields["name"] ?? "",
                    "subject": campaign.fields["subject"] ?? "", "send_at": campaign.sendAt ?? NSNull(),
                ]
            }
            return json(
                200,
                ["data": ["results": shown, "query": words, "total": found.count, "per_page": perPage, "page": page]])
        }

        func create(_ body: [String: Any]) -> TestHTTPServer.Answer {
            guard let name = body["name"] as? String, !name.isEmpty else {
                return message(400, "invalid length for `name`")
            }
            guard let subject = body["subject"] as? String, !subject.isEmpty else {
                return message(400, "invalid length for `subject`")
            }
            guard let lists = body["lists"] as? [Int], !lists.isEmpty else { return message(400, "No lists selected.") }
            guard ["richtext", "html", "markdown", "plain", "visual"].contains(body["content_type"] as? String ?? "")
            else { return message(400, "Invalid content_type.") }
            return state.withLock { state in
                let id = state.nextID
                state.nextID += 1
                var fields: [String: String] = ["name": name, "subject": subject]
                for key in ["from_email", "body", "altbody", "content_type", "type"] {
                    fields[key] = body[key] as? String
                }
                let campaign = Campaign(
                    id: id, fields: fields, lists: lists, status: "draft", sendAt: body["send_at"] as? String)
                state.campaigns[id] = campaign
                return data(campaign)
            }
        }
    }

    private let logic: Logic
    private let server: TestHTTPServer

    public var url: String { server.url }
    /// Every request received, on arrival (before any delay).
    public var requests: [TestHTTPServer.Request] { server.requests }
    public var campaigns: [Campaign] { logic.state.withLock { Array($0.campaigns.values).sorted { $0.id < $1.id } } }
    public var tests: [(campaign: Int, to: [String])] { logic.state.withLock { $0.tests } }
    public var authorizations: Set<String> { logic.state.withLock { $0.authorizations } }
    public var userAgents: Set<String> { logic.state.withLock { $0.userAgents } }

    /// - Parameter delay: seconds each request waits before it is handled (a slow service: a client killed meanwhile
    ///   leaves the request to be carried out without it).
    public init(user: String, token: String, subscribers: Set<String>, delay: Double = 0) throws {
        let logic = Logic(user: user, token: token, subscribers: subscribers)
        self.logic = logic
        server = try TestHTTPServer { request in
            if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
            return logic.answer(request)
        }
    }

    /// Campaign searches received (`GET /api/campaigns`).
    public var searches: Int { logic.state.withLock { $0.searches } }

    /// The service starts sending a campaign (as listmonk does at its `send_at`).
    public func startSending(_ id: Int) {
        logic.state.withLock { $0.campaigns[id]?.status = "running" }
    }

    public func stop() { server.stop() }
}
