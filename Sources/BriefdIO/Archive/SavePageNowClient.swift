public import BriefdCore
import Foundation

/// Save Page Now (SPN2) over the link service's HTTP client: the same address rule and user agent as every other
/// request. The keys go only into the `Authorization` header of these requests; no error, log line or file made
/// here contains them.
public struct SavePageNowClient: Sendable {
    let client: CurlHTTPClient
    let settings: SavePageNowSettings
    let accessKey: String
    let secretKey: String

    /// nil when either key is missing from the environment: Save Page Now stays off, and the caller says so.
    public init?(client: CurlHTTPClient, settings: SavePageNowSettings, environment: [String: String]) {
        guard let access = environment[settings.accessKeyEnv], !access.isEmpty,
            let secret = environment[settings.secretKeyEnv], !secret.isEmpty,
            !(access + secret).contains(where: \.isNewline)
        else { return nil }
        self.client = client
        self.settings = settings
        accessKey = access
        secretKey = secret
    }

    /// `POST /save`: asks for a capture of `url`.
    public func submit(_ url: String) async -> SavePageNowAnswer {
        let form = [
            ("url", url), ("if_not_archived_within", settings.ifNotArchivedWithin), ("skip_first_archive", "1"),
        ].map { $0.0 + "=" + FormEncoding.escape($0.1) }.joined(separator: "&")
        return await send(
            settings.endpoint + "/save", method: .post, body: Array(form.utf8),
            extraHeaders: ["Content-Type: application/x-www-form-urlencoded"])
    }

    /// `GET /save/status/<job_id>`.
    public func status(of jobID: String) async -> SavePageNowAnswer {
        await send(settings.endpoint + "/save/status/" + FormEncoding.escape(jobID), method: .get, body: nil)
    }

    /// The snapshot's address in the Wayback Machine (its replay, with the archive's banner) and the address of
    /// the page as captured (`id_`: the original bytes, for the excerpt check).
    public func snapshotAddresses(timestamp: String, originalURL: String) -> (replay: String, original: String) {
        (
            settings.endpoint + "/web/" + timestamp + "/" + originalURL,
            settings.endpoint + "/web/" + timestamp + "id_/" + originalURL
        )
    }

    private func send(_ url: String, method: HTTPRequest.Method, body: [UInt8]?, extraHeaders: [String] = [])
        async -> SavePageNowAnswer
    {
        guard let address = WebAddress(url), address.isHTTP else {
            return .failed(
                statusExt: "error:invalid-endpoint", message: "the endpoint \(settings.endpoint) is not a web address")
        }
        let request = HTTPRequest(
            url: url, method: method, hostKey: address.hostKey, maxBodyBytes: 1024 * 1024, body: body,
            headers: ["Accept: application/json", "Authorization: LOW \(accessKey):\(secretKey)"] + extraHeaders,
            timeoutMilliseconds: 60_000)
        switch await client.send(request) {
        case .failure(let failure):
            return .later(statusExt: "error:unreachable", message: failure.message, retryAfter: nil)
        case .success(let response):
            let retryAfter = response.headers["retry-after"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            return SavePageNowAnswer.read(status: response.status, body: response.body, retryAfter: retryAfter)
        }
    }
}

/// `application/x-www-form-urlencoded` values and path segments: everything but unreserved characters escaped.
enum FormEncoding {
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        // alphanumerics holds non-ASCII letters too; those must be escaped as UTF-8 bytes.
        return text.unicodeScalars.map { scalar in
            scalar.isASCII && allowed.contains(scalar)
                ? String(scalar) : String(scalar).utf8.map { String(format: "%%%02X", $0) }.joined()
        }.joined()
    }
}
