public import BriefdCore
import Foundation

/// Finds an archived copy of a dead page in the Wayback Machine (or the stand-in `archive_base_url` names):
/// first the redirect of `/web/<timestamp>/<url>` to the snapshot closest to the timestamp, then the
/// availability API `/wayback/available?url=…&timestamp=…`.
public struct ArchiveLookup: Sendable {
    let client: CurlHTTPClient
    let baseURL: String

    public init(client: CurlHTTPClient, baseURL: String) {
        self.client = client
        self.baseURL = baseURL
    }

    /// - Parameter before: the day of the issue that published the link (its snapshot from then is the one to cite).
    public func find(_ url: String, before day: Day?) async -> String? {
        let timestamp = (day ?? Day(daysSinceEpoch: Int(Date().timeIntervalSince1970 / 86_400))).description
            .replacingOccurrences(of: "-", with: "")
        let direct = baseURL + "/web/" + timestamp + "/" + url
        if let response = try? await get(direct).get() {
            if LinkProbe.redirectStatuses.contains(response.status), let location = response.headers["location"],
                let target = WebAddress.resolve(location, against: direct), target.contains("/web/")
            {
                return target
            }
            if (200..<300).contains(response.status) { return direct }
        }
        let query = url.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url
        guard
            case .success(let response) = await get(
                baseURL + "/wayback/available?url=" + query + "&timestamp=" + timestamp),
            (200..<300).contains(response.status),
            let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let closest = (json["archived_snapshots"] as? [String: Any])?["closest"] as? [String: Any],
            closest["available"] as? Bool == true, let snapshot = closest["url"] as? String
        else { return nil }
        return snapshot
    }

    private func get(_ url: String) async -> Result<HTTPResponse, TransportFailure> {
        guard let address = WebAddress(url) else { return .failure(TransportFailure(.other, "not a web address")) }
        return await client.send(
            HTTPRequest(url: url, method: .get, hostKey: address.hostKey, maxBodyBytes: 256 * 1024))
    }
}
