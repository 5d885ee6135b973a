import Foundation

/// What an answer of Save Page Now (SPN2) means for briefd. The service answers many errors as HTTP 200 with
/// `{"status": "error", "status_ext": "error:…"}`, so the body is read on every answer, whatever the status.
public enum SavePageNowAnswer: Sendable, Equatable {
    /// The page was accepted; its job is polled at `/save/status/<id>`.
    case accepted(jobID: String)
    /// The job is still running.
    case pending
    /// Captured: the snapshot's timestamp (YYYYMMDDhhmmss) and the address captured.
    case success(timestamp: String, originalURL: String?)
    /// Not now: a session or daily limit, a 429, the service busy. Try again after `retryAfter` seconds when the
    /// service said, else after briefd's own backoff.
    case later(statusExt: String, message: String?, retryAfter: Double?)
    /// Final: the service will not capture this page (blocked, not found, …).
    case failed(statusExt: String, message: String?)

    /// `status_ext` values that mean "later", not "never": limits and the service's own trouble.
    public static let transientErrors: Set<String> = [
        "error:user-session-limit", "error:too-many-daily-captures", "error:too-many-requests",
        "error:no-browsers-available", "error:celery", "error:service-unavailable", "error:gateway-timeout",
        "error:bad-gateway", "error:internal-server-error", "error:proxy-error", "error:soft-time-limit-exceeded",
        "error:read-timeout", "error:browsing-timeout", "error:bandwidth-limit-exceeded",
        "error:capture-location-error", "error:unauthorized",
    ]

    /// Reads an answer to a submission (`POST /save`) or a status request. `retryAfter` is the `Retry-After`
    /// header in seconds, when there was one.
    public static func read(status: Int, body: [UInt8], retryAfter: Double?) -> SavePageNowAnswer {
        // An answer that is not JSON has no fields; its status and text say what happened.
        let object = (try? JSONSerialization.jsonObject(with: Data(body.prefix(1024 * 1024)))) as? [String: Any]
        let message = (object?["message"] as? String).map { String($0.prefix(500)) }
        if status == 429 {
            return .later(statusExt: "error:too-many-requests", message: message, retryAfter: retryAfter)
        }
        if let object, let state = object["status"] as? String {
            switch state {
            case "pending":
                return .pending
            case "success":
                guard let timestamp = object["timestamp"] as? String, timestamp.count == 14,
                    timestamp.allSatisfy(\.isNumber)
                else {
                    return .later(
                        statusExt: "error:invalid-answer", message: "a success without a timestamp",
                        retryAfter: retryAfter)
                }
                return .success(timestamp: timestamp, originalURL: object["original_url"] as? String)
            case "error":
                let ext = (object["status_ext"] as? String).map { String($0.prefix(100)) } ?? "error:unknown"
                if transientErrors.contains(ext) {
                    return .later(statusExt: ext, message: message, retryAfter: retryAfter)
                }
                return .failed(statusExt: ext, message: message)
            default:
                break
            }
        }
        if (200..<300).contains(status), let id = object?["job_id"] as? String, !id.isEmpty, id.count <= 200,
            id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        {
            return .accepted(jobID: id)
        }
        if status == 401 || status == 403 {
            return .later(statusExt: "error:unauthorized", message: message, retryAfter: retryAfter)
        }
        if status >= 500 || status == 0 {
            return .later(statusExt: "error:http-\(status)", message: message, retryAfter: retryAfter)
        }
        if object == nil {
            // Not JSON (an HTML page from a proxy, a cut answer): says nothing final about the page.
            return .later(
                statusExt: "error:invalid-answer", message: "HTTP \(status) without a JSON body", retryAfter: retryAfter
            )
        }
        return .failed(
            statusExt: "error:unexpected-answer",
            message: message ?? "HTTP \(status) without a job or a status briefd understands")
    }

    /// How long to hold every submission after a limit: the service's `Retry-After`, else a day for the daily
    /// limit, else a backoff doubling from `base` seconds with each try (at most six hours).
    public static func hold(for statusExt: String, retryAfter: Double?, attempts: Int, base: Double) -> Double {
        if let retryAfter, retryAfter > 0 { return min(retryAfter, 86_400) }
        if statusExt == "error:too-many-daily-captures" { return 86_400 }
        return min(base * pow(2, Double(max(attempts - 1, 0))), 6 * 3600)
    }

    /// Limits that hold the whole queue, not just one page.
    public static func holdsQueue(_ statusExt: String) -> Bool {
        ["error:user-session-limit", "error:too-many-daily-captures", "error:too-many-requests", "error:unauthorized"]
            .contains(statusExt)
    }
}
