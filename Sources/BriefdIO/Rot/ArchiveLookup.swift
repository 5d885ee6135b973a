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

    /// What the lookup learnt: a copy, that the archive has none, or that it could not be asked.
    public enum Answer: Sendable, Equatable {
        case found(String)
        case none
        /// Neither request was answered (no network, the archive down): nothing is known of a copy.
        case couldNotLook(String)

        public var url: String? { if case .found(let url) = self { url } else { nil } }
        public var problem: String? { if case .couldNotLook(let why) = self { why } else { nil } }
    }

    /// - Parameter before: the day of the issue that published the link (its snapshot from then is the one to cite).
    public func find(_ url: String, before day: Day?) async -> Answer {
        let timestamp = (day ?? Day(daysSinceEpoch: Int(Date().timeIntervalSince1970 / 86_400))).description
            .replacingOccurrences(of: "-", with: "")
        let direct = baseURL + "/web/" + timestamp + "/" + url
        let first = await get(direct)
        if case .success(let response) = first {
            if LinkProbe.redirectStatuses.contains(response.status), let location = response.headers["location"],
                let target = WebAddress.resolve(location, against: direct), target.contains("/web/")
            {
                return .found(target)
            }
            if (200..<300).contains(response.status) { return .found(direct) }
        }
        let query = url.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url
        let second = await get(baseURL + "/wayback/available?url=" + query + "&timestamp=" + timestamp)
        let response: HTTPResponse
        switch (first, second) {
        case (.failure(let failure), .failure):
            // Nothing answered: say so, in the editor's words, rather than "none found".
            return .couldNotLook(
                "\(WebAddress(baseURL)?.host ?? baseURL) did not answer ("
                    + (LinkProblem.sentence(status: nil, error: failure.message) ?? failure.message) + ")")
        case (_, .failure):
            return .none
        case (_, .success(let answer)):
            response = answer
        }
        // An answer that is not the API's JSON says nothing of a copy: none is known.
        guard (200..<300).contains(response.status),
            let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let closest = (json["archived_snapshots"] as? [String: Any])?["closest"] as? [String: Any],
            closest["available"] as? Bool == true, let snapshot = closest["url"] as? String
        else { return .none }
        return .found(snapshot)
    }

    private func get(_ url: String) async -> Result<HTTPResponse, TransportFailure> {
        guard let address = WebAddress(url) else { return .failure(TransportFailure(.other, "not a web address")) }
        return await client.send(
            HTTPRequest(url: url, method: .get, hostKey: address.hostKey, maxBodyBytes: 256 * 1024))
    }
}
