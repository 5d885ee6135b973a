import Foundation
import Synchronization

/// A stand-in for Buttondown's emails API, after its documentation (docs.buttondown.com/api-emails-*):
/// `Authorization: Token <key>` or a 401 `{"detail": "Invalid token."}`; `POST /v1/emails` needs a `subject` and
/// makes an email (201, its `id` a UUID); `PATCH /v1/emails/{id}` only while it is a draft or scheduled (else 400
/// `{"code": "email_already_sent", …}`), `status: scheduled` needs a `publish_date`; `POST /v1/emails/{id}/send-draft`
/// `{"recipients": [...]}` sends a test of a draft.
public final class ButtondownStandIn: Sendable {
    public struct Email: Sendable {
        public var id: String
        public var subject: String
        public var body: String
        public var status: String
        public var publishDate: String?
        public var patches = 0
    }

    struct State {
        var emails: [String: Email] = [:]
        var order: [String] = []
        var tests: [(email: String, to: [String])] = []
        var authorizations: Set<String> = []
    }

    final class Logic: Sendable {
        let key: String
        let state = Mutex(State())
        /// Where it listens, for the `next` links of its pages.
        let serverURL = Mutex("")

        init(key: String) { self.key = key }

        func json(_ status: Int, _ object: Any) -> TestHTTPServer.Answer {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return .respond(
                status: status, headers: ["Content-Type": "application/json"],
                body: String(decoding: data, as: UTF8.self))
        }

        func object(_ email: Email) -> [String: Any] {
            [
                "id": email.id, "subject": email.subject, "body": email.body, "status": email.status,
                "publish_date": email.publishDate ?? NSNull(),
            ]
        }

        func answer(_ request: TestHTTPServer.Request) -> TestHTTPServer.Answer {
            let authorization = request.headers["authorization"] ?? ""
            state.withLock { _ = $0.authorizations.insert(authorization) }
            guard authorization == "Token \(key)" else { return json(401, ["detail": "Invalid token."]) }
            let (path, query) = TestHTTPServer.splitQuery(request.path, keepingRepeated: "status")
            let parts = path.split(separator: "/").map(String.init)  // v1, emails, id, send-draft
            guard parts.count >= 2, parts[0] == "v1", parts[1] == "emails" else {
                return json(404, ["detail": "Not found."])
            }
            let body = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: Any] ?? [:]
            return state.withLock { state -> TestHTTPServer.Answer in
                if parts.count == 2 && request.method == "GET" {
                    // A page of two (Buttondown's pages are larger; two makes the test follow `next`), newest first.
                    let statuses = Set((query["status"] ?? "").split(separator: ",").map(String.init))
                    let found = state.order.reversed().compactMap { state.emails[$0] }
                        .filter { statuses.isEmpty || statuses.contains($0.status) }
                    let page = max(Int(query["page"] ?? "") ?? 1, 1)
                    let shown = found.dropFirst((page - 1) * 2).prefix(2).map(object)
                    var next: Any = NSNull()
                    if found.count > page * 2 {
                        next = "\(serverURL.withLock { $0 })/v1/emails?status=draft&status=scheduled&page=\(page + 1)"
                    }
                    return json(200, ["results": shown, "next": next, "previous": NSNull(), "count": found.count])
                }
                if parts.count == 2 && request.method == "POST" {
                    guard let subject = body["subject"] as? String, !subject.isEmpty else {
                        return json(400, ["code": "subject_invalid", "detail": "An email needs a subject."])
                    }
                    let email = Email(
                        id: UUID().uuidString.lowercased(), subject: subject, body: body["body"] as? String ?? "",
                        status: body["status"] as? String ?? "about_to_send",
                        publishDate: body["publish_date"] as? String)
                    state.emails[email.id] = email
                    state.order.append(email.id)
                    return json(201, object(email))
                }
                guard parts.count >= 3, var email = state.emails[parts[2]] else {
                    return json(404, ["detail": "Not found."])
                }
                switch (request.method, parts.count > 3 ? parts[3] : "") {
                case ("GET", ""):
                    return json(200, object(email))
                case ("PATCH", ""):
                    guard ["draft", "scheduled"].contains(email.status) else {
                        return json(400, ["code": "email_already_sent", "detail": "This email has already been sent."])
                    }
                    if let subject = body["subject"] as? String { email.subject = subject }
                    if let text = body["body"] as? String { email.body = text }
                    if let date = body["publish_date"] as? String { email.publishDate = date }
                    if let status = body["status"] as? String {
                        guard status != "scheduled" || email.publishDate != nil else {
                            return json(
                                400,
                                ["code": "publish_date_missing", "detail": "A scheduled email needs a publish_date."])
                        }
                        email.status = status
                    }
                    email.patches += 1
                    state.emails[email.id] = email
                    return json(200, object(email))
                case ("POST", "send-draft"):
                    let to = body["recipients"] as? [String] ?? []
                    guard !to.isEmpty else { return json(400, ["detail": "No recipients."]) }
                    state.tests.append((email.id, to))
                    return json(200, [String: Any]())
                default:
                    return json(405, ["detail": "Method not allowed."])
                }
            }
        }
    }

    private let logic: Logic
    private let server: TestHTTPServer

    public var url: String { server.url }
    /// Every request received, on arrival (before any delay).
    public var requests: [TestHTTPServer.Request] { server.requests }
    public var emails: [Email] { logic.state.withLock { state in state.order.compactMap { state.emails[$0] } } }
    public var tests: [(email: String, to: [String])] { logic.state.withLock { $0.tests } }
    public var authorizations: Set<String> { logic.state.withLock { $0.authorizations } }

    /// - Parameter delay: seconds each request waits before it is handled.
    public init(key: String, delay: Double = 0) throws {
        let logic = Logic(key: key)
        self.logic = logic
        server = try TestHTTPServer { request in
            if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
            return logic.answer(request)
        }
        logic.serverURL.withLock { $0 = server.url }
    }

    /// An email made by someone else (the newsletter's earlier issues), oldest first.
    public func add(subject: String, status: String) {
        logic.state.withLock { state in
            let email = Email(id: UUID().uuidString.lowercased(), subject: subject, body: "", status: status)
            state.emails[email.id] = email
            state.order.append(email.id)
        }
    }

    /// Buttondown sends the email (as it does at its publish date).
    public func send(_ id: String) { logic.state.withLock { $0.emails[id]?.status = "sent" } }

    public func stop() { server.stop() }
}
