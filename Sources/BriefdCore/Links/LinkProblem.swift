/// A link's failure in the editor's words: an HTTP status, a libcurl or OpenSSL error, a resolver failure, each said
/// as what it means for the link ("not found (404)", "the server does not speak HTTPS at this address"). The raw text
/// stays in the link's result (`briefd links --format json`, the history), for whoever needs the detail.
public enum LinkProblem {
    /// The sentence for a failed check: its status and its raw error, as `LinkResult` keeps them; nil when there is
    /// nothing wrong to say (no error, and a status that is not a failure).
    public static func sentence(status: Int?, error: String?) -> String? {
        let raw = error ?? ""
        if raw.isEmpty && (status ?? 0) < 400 { return nil }
        // "404", "404 after 3 tries", "503 Service Unavailable after 3 tries": the status said in words, the tries kept.
        if let status, raw.isEmpty || raw.hasPrefix(String(status)) {
            let tries = raw.range(of: " after ").map { " " + raw[$0.lowerBound...].dropFirst() } ?? ""
            return statusSentence(status) + tries
        }
        guard !raw.isEmpty else { return status.map(statusSentence) }
        let lowered = raw.lowercased()
        for (signs, sentence) in transportSentences where signs.contains(where: lowered.contains) {
            let tries = raw.range(of: " tries, ").flatMap { _ in raw.lastIndex(of: "(") }.map { " " + raw[$0...] } ?? ""
            return sentence + tries
        }
        return raw
    }

    /// What an HTTP status means for a cited page.
    public static func statusSentence(_ status: Int) -> String {
        switch status {
        case 400: "the site refused the request as malformed (400)"
        case 401: "the page needs a login (401)"
        case 402: "the page needs a payment (402)"
        case 403: "the site refuses to show the page (403)"
        case 404: "not found (404)"
        case 405: "the site refuses this kind of request (405)"
        case 408: "the site gave up waiting for the request (408)"
        case 410: "gone: the site has removed the page (410)"
        case 429: "the site asks for fewer requests (429 Too Many Requests)"
        case 451: "unavailable for legal reasons (451)"
        case 500: "the site failed with an internal error (500)"
        case 502: "the site's gateway got no good answer from behind it (502)"
        case 503: "the site is unavailable for now (503)"
        case 504: "the site's gateway timed out (504)"
        case 300..<400: "a redirect that leads nowhere usable (\(status))"
        case 400..<500: "the site refused the request (\(status))"
        case 500..<600: "the site failed (\(status))"
        default: "the site answered with status \(status)"
        }
    }

    /// Signs in libcurl's and OpenSSL's texts (lowercased) and what they mean; the first that matches is said.
    static let transportSentences: [([String], String)] = [
        (
            ["wrong version number", "unknown protocol", "packet length too long", "record layer failure"],
            "the server does not speak HTTPS at this address"
        ),
        (["certificate has expired"], "the site's security certificate has expired"),
        (
            ["self-signed certificate", "self signed certificate"],
            "the site's security certificate is self-signed, so it cannot be trusted"
        ),
        (
            [
                "unable to get local issuer certificate", "unable to get issuer certificate",
                "certificate verify failed",
                "certificate is not yet valid",
            ], "the site's security certificate cannot be trusted"
        ),
        (
            [
                "no alternative certificate subject name matches", "subject name does not match",
                "ssl: certificate subject name",
            ], "the site's security certificate is for another name"
        ),
        (
            ["could not resolve host", "couldn't resolve host", "name or service not known", "no address associated"],
            "the site's name does not resolve: no such site, or the name's records are missing"
        ),
        (["could not resolve proxy"], "the proxy's name does not resolve"),
        (
            ["connection refused", "couldn't connect", "failed to connect"],
            "nothing answers at that address: the connection was refused"
        ),
        (["network is unreachable", "no route to host"], "the site's address cannot be reached from here"),
        (
            ["connection reset", "recv failure", "send failure", "connection was reset"],
            "the server broke off the connection"
        ),
        (["empty reply from server"], "the server closed the connection without answering"),
        (["timed out", "timeout was reached"], "no answer within the time limit"),
        (
            ["ssl connect error", "tls connect error", "handshake failure", "alert handshake", "sslv3 alert"],
            "the secure connection could not be set up (the server's TLS settings)"
        ),
        (["redirects followed"], "too many redirects"),
        (["transfer closed with", "partial file"], "the server ended the answer before it was complete"),
    ]
}
