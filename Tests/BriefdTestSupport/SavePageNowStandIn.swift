import Foundation
import Synchronization

/// A stand-in for the Internet Archive's Save Page Now 2 API, following its public documentation ("Save Page Now
/// 2 Public API Docs Draft", Vangelis Banos, 2022): `POST /save` with `Authorization: LOW key:secret` and
/// `Accept: application/json` answers `{"url", "job_id"}`; `GET /save/status/<job_id>` answers `pending`, then
/// `success` with `timestamp` and `original_url`, or `error` with `status_ext`; errors come as HTTP 200 with
/// `{"status": "error", "status_ext": "error:…", "message"}`; too many requests as 429 with `Retry-After`.
/// `/web/<timestamp>id_/<url>` serves the snapshot as captured. The pages' addresses choose their fate:
/// `session-limit` (the first submission hits the session limit), `rate-limited` (the first gets a 429 with
/// `Retry-After: 2`), `not-found` (the job ends in `error:not-found`); anything else is captured after one
/// `pending`.
public final class SavePageNowStandIn: Sendable {
    private let logic: Logic
    private let server: TestHTTPServer

    public var url: String { server.url }
    public var submissions: [Submission] { logic.state.withLock { $0.submissions } }
    /// Every `Authorization` value received.
    public var authorizations: Set<String> { logic.state.withLock { $0.authorizations } }

    public init(accessKey: String, secretKey: String, snapshotBody: String) throws {
        let logic = Logic(accessKey: accessKey, secretKey: secretKey, snapshotBody: snapshotBody)
        self.logic = logic
        server = try TestHTTPServer { request in logic.answer(request) }
    }

    public func stop() { server.stop() }

    public struct Submission: Sendable {
        public var url: String
        public var at: Double
        /// A job was made for it (not refused for a limit).
        public var accepted: Bool
        public var form: [String: String]
    }

    struct State {
        var submissions: [Submission] = []
        var refusedOnce: Set<String> = []
        var jobs: [String: (url: String, polls: Int)] = [:]
        var authorizations: Set<String> = []
    }

    /// The service's behaviour and what it saw.
    final class Logic: Sendable {
        let accessKey: String
        let secretKey: String
        /// What the snapshot of every page holds (the excerpt check a day later reads it).
        let snapshotBody: String
        let state = Mutex(State())

        init(accessKey: String, secretKey: String, snapshotBody: String) {
            self.accessKey = accessKey
            self.secretKey = secretKey
            self.snapshotBody = snapshotBody
        }

        private func json(_ status: Int, _ object: [String: Any], headers: [String: String] = [:])
            -> TestHTTPServer.Answer
        {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return .respond(
                status: status, headers: headers.merging(["Content-Type": "application/json"]) { first, _ in first },
                body: String(decoding: data, as: UTF8.self))
        }

        func answer(_ request: TestHTTPServer.Request) -> TestHTTPServer.Answer {
            if request.path.hasPrefix("/web/") {
                return .respond(status: 200, headers: ["Content-Type": "text/html; charset=utf-8"], body: snapshotBody)
            }
            let authorization = request.headers["authorization"] ?? ""
            state.withLock { _ = $0.authorizations.insert(authorization) }
            guard authorization == "LOW \(accessKey):\(secretKey)" else {
                return json(401, ["message": "You need to be logged in to use Save Page Now."])
            }
            guard (request.headers["accept"] ?? "").contains("application/json") else {
                return .respond(status: 200, body: "<html><body>Save Page Now (HTML, not JSON)</body></html>")
            }
            if request.method == "POST" && request.path == "/save" {
                return submit(request)
            }
            if request.method == "GET" && request.path.hasPrefix("/save/status/") {
                return status(String(request.path.dropFirst("/save/status/".count)))
            }
            return json(404, ["message": "not found"])
        }

        private func submit(_ request: TestHTTPServer.Request) -> TestHTTPServer.Answer {
            var form: [String: String] = [:]
            for pair in request.body.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                if parts.count == 2 { form[parts[0]] = parts[1] }
            }
            let now = request.receivedAt
            guard let url = form["url"], !url.isEmpty else {
                return json(
                    200,
                    ["status": "error", "status_ext": "error:invalid-url-syntax", "message": "Invalid URL syntax."])
            }
            let firstTime = state.withLock { $0.refusedOnce.insert(url).inserted }
            if firstTime && url.contains("session-limit") {
                record(url, at: now, accepted: false, form: form)
                return json(
                    200,
                    [
                        "status": "error", "status_ext": "error:user-session-limit",
                        "message":
                            "You have already reached the limit of active sessions. Please wait a minute and try again.",
                    ])
            }
            if firstTime && url.contains("rate-limited") {
                record(url, at: now, accepted: false, form: form)
                return json(429, ["message": "Too Many Requests"], headers: ["Retry-After": "2"])
            }
            let jobID = "spn2-" + String(format: "%08x", abs(url.hashValue) % 0xFFFF_FFFF)
            state.withLock { $0.jobs[jobID] = (url, 0) }
            record(url, at: now, accepted: true, form: form)
            return json(200, ["url": url, "job_id": jobID])
        }

        private func status(_ jobID: String) -> TestHTTPServer.Answer {
            guard
                let job = state.withLock({ state -> (url: String, polls: Int)? in
                    guard var job = state.jobs[jobID] else { return nil }
                    job.polls += 1
                    state.jobs[jobID] = job
                    return job
                })
            else {
                return json(200, ["status": "error", "status_ext": "error:not-found", "message": "No such job."])
            }
            if job.polls == 1 { return json(200, ["status": "pending", "job_id": jobID, "resources": [String]()]) }
            if job.url.contains("not-found") {
                return json(
                    200,
                    [
                        "status": "error", "status_ext": "error:not-found", "job_id": jobID,
                        "message": "The server cannot find the requested resource.",
                    ])
            }
            return json(
                200,
                [
                    "status": "success", "job_id": jobID, "original_url": job.url, "timestamp": "20261203101500",
                    "duration_sec": 1.5, "resources": [job.url],
                ])
        }

        private func record(_ url: String, at: Double, accepted: Bool, form: [String: String]) {
            state.withLock { $0.submissions.append(Submission(url: url, at: at, accepted: accepted, form: form)) }
        }
    }
}
