import Foundation

/// The decisions of checking one link, as a state machine with no I/O: it says which request to send
/// next, and reads each answer, until it reaches a verdict.
///
/// GET, reading at most `max_body_bytes` of the body, as a browser or lychee asks: one request per link that
/// always shows the page's title (a "Page not found" served with 200 is a soft 404), and no dependence on
/// sites' often broken HEAD handling. Redirects followed one hop at a time so that each hop is recorded and
/// passes the address and politeness rules again; transient failures retried with exponential backoff (a
/// timeout at most once: a site that stalled twice will stall again); `Retry-After` honoured when bounded;
/// every try of one link together takes at most `max_link_s`.
public struct LinkProbe: Sendable {
    /// What to do next.
    public enum Step: Sendable, Equatable {
        /// Send `request` once `delay` seconds have passed; `pauseHost` asks that the whole host wait too
        /// (the server said `Retry-After`).
        case send(HTTPRequest, delay: Double, pauseHost: Bool)
        case finished(LinkResult)
    }

    public let url: String
    private let settings: LinkSettings
    private let paywalled: @Sendable (String) -> Bool
    private var current: WebAddress?
    private var currentURL: String
    private var attempt = 0
    private var timeouts = 0
    /// Requests sent, and the seconds they and the waits between retries took (not the time spent queued
    /// behind other links of the same site: that is politeness, not this link's cost).
    private var tries = 0
    private var spent = 0.0
    private var redirects: [LinkRedirect] = []
    private var visited: Set<String> = []
    private var lastStatus: Int?

    public static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// - Parameter paywalled: whether a host belongs to a publication the registry marks `paywall: true`.
    public init(url: String, settings: LinkSettings, paywalled: @escaping @Sendable (String) -> Bool = { _ in false }) {
        self.url = url
        self.settings = settings
        self.paywalled = paywalled
        self.currentURL = LinkProbe.withoutFragment(url)
        self.current = WebAddress(currentURL)
    }

    /// The first step: a verdict reached without the network (mailto, skipped, malformed), or the first request.
    public mutating func start() -> Step {
        let lowered = url.lowercased()
        if lowered.hasPrefix("mailto:") {
            return MailAddress.isValid(mailto: url)
                ? finish(.ok, error: nil)
                : finish(.broken, error: "not a valid e-mail address")
        }
        guard let scheme = url.split(separator: ":", maxSplits: 1).first.map({ $0.lowercased() }),
            scheme == "http" || scheme == "https"
        else {
            return finish(.skipped, error: "briefd checks http and https links only")
        }
        guard let address = current, !address.host.isEmpty else {
            return finish(.broken, error: "not a valid web address")
        }
        if ReservedDomains.isExample(address.host) {
            return finish(.skipped, error: "\(address.host) is a reserved example domain")
        }
        visited.insert(currentURL)
        return send(delay: 0)
    }

    /// The step after `outcome`, the answer to the request last asked for. `now` is seconds since 1970
    /// (for `Retry-After` dates).
    public mutating func next(after outcome: Result<HTTPResponse, TransportFailure>, now: Double) -> Step {
        switch outcome {
        case .failure(let failure): spent += failure.seconds
        case .success(let response): spent += response.seconds
        }
        switch outcome {
        case .failure(let failure): return next(after: failure)
        case .success(let response): return next(after: response, now: now)
        }
    }

    private mutating func next(after failure: TransportFailure) -> Step {
        if failure.kind == .blockedAddress { return finish(.blockedAddress, error: failure.message) }
        if failure.kind == .timeout { timeouts += 1 }
        if failure.isTransient && attempt < settings.retries && timeouts <= 1, let retry = retry(after: backoff()) {
            return retry
        }
        let verdict: LinkVerdict = failure.kind == .timeout ? .timeout : .broken
        return finish(
            verdict, error: failure.message + (tries > 1 ? " (\(tries) tries, \(Int(spent.rounded())) s)" : ""))
    }

    private mutating func next(after response: HTTPResponse, now: Double) -> Step {
        let status = response.status
        lastStatus = status
        if LinkProbe.redirectStatuses.contains(status) { return follow(response) }
        let host = current?.host ?? ""
        switch status {
        case 200..<300:
            return success(response)
        case _ where (401...403).contains(status) && paywalled(host):
            return finish(.paywalled, error: "\(status) from a publication the registry marks paywalled")
        case 999:
            return finish(.blocked, error: "the site refuses automated clients (999)")
        case 429, 503:
            if let wait = retryAfter(response, now: now), attempt < settings.retries,
                let retry = retry(after: max(wait, backoff()), pauseHost: true)
            {
                return retry
            }
            if BotWall.detect(response) { return finish(.blocked, error: "a bot wall or challenge page (\(status))") }
            if status == 429 { return finish(.blocked, error: "the site keeps answering 429 Too Many Requests") }
            return finish(.broken, error: "503 Service Unavailable after \(attempt + 1) tries")
        case 403 where BotWall.detect(response):
            return finish(.blocked, error: "a bot wall or challenge page (403)")
        case 500..<600:
            if attempt < settings.retries, let retry = retry(after: backoff()) { return retry }
            return finish(.broken, error: "\(status) after \(attempt + 1) tries")
        case 300..<400:
            return finish(.broken, error: "\(status) without a usable Location")
        default:
            return finish(.broken, error: "\(status)")
        }
    }

    private mutating func follow(_ response: HTTPResponse) -> Step {
        guard let location = response.headers["location"], !location.isEmpty,
            let target = WebAddress.resolve(location, against: currentURL)
        else {
            return finish(.broken, error: "\(response.status) redirect without a Location")
        }
        redirects.append(LinkRedirect(status: response.status, url: target))
        let next = LinkProbe.withoutFragment(target)
        guard let address = WebAddress(next), address.isHTTP else {
            return finish(.broken, error: "redirects to \(target), which is not a web address")
        }
        guard visited.insert(next).inserted else {
            return finish(.broken, error: "redirect loop back to \(target)")
        }
        guard redirects.count <= settings.maxRedirects else {
            return finish(.broken, error: "more than \(settings.maxRedirects) redirects")
        }
        current = address
        currentURL = next
        attempt = 0
        return send(delay: 0, followUp: true)
    }

    private mutating func success(_ response: HTTPResponse) -> Step {
        if let original = WebAddress(LinkProbe.withoutFragment(url)), let final = current, !redirects.isEmpty {
            if final.path == "/" && final.rest.count <= 1 && original.path != "/" {
                return finish(.soft404, error: "redirects to the site's front page instead of the article")
            }
            if SoftNotFound.looksLikeNotFound(path: final.path) {
                return finish(.soft404, error: "redirects to a not-found page (\(final.path))")
            }
        }
        if let title = SoftNotFound.title(in: response.body), SoftNotFound.saysNotFound(title) {
            return finish(.soft404, error: "the page's title says '\(title)'")
        }
        if let first = redirects.first, first.status == 301 || first.status == 308 {
            return finish(.redirected, error: nil)
        }
        return finish(.ok, error: nil)
    }

    /// The same request again after `delay`, if the link's time budget leaves room for a useful try (at least
    /// a second, or the whole timeout); nil when it does not.
    private mutating func retry(after delay: Double, pauseHost: Bool = false) -> Step? {
        let left = Double(settings.maxLinkSeconds) - spent - delay
        guard left >= min(1, Double(settings.timeoutSeconds)) else { return nil }
        attempt += 1
        spent += delay
        return send(delay: delay, pauseHost: pauseHost)
    }

    /// - Parameter followUp: a redirect hop: part of a check already started, so it goes ahead of new checks of
    ///   its host (paced like them).
    private mutating func send(delay: Double, pauseHost: Bool = false, followUp: Bool = false) -> Step {
        tries += 1
        // No try may run past the link's budget.
        let left = max(1, Double(settings.maxLinkSeconds) - spent - delay)
        let timeout = Int(min(Double(settings.timeoutSeconds), left) * 1000)
        let request = HTTPRequest(
            url: currentURL, method: .get, hostKey: current?.hostKey ?? "", maxBodyBytes: settings.maxBodyBytes,
            isFollowUp: followUp,
            timeoutMilliseconds: timeout)
        return .send(request, delay: delay, pauseHost: pauseHost)
    }

    /// `retry_base_ms`, then twice that, four times, … (the client adds jitter).
    private func backoff() -> Double {
        Double(settings.retryBaseMilliseconds) / 1000 * Double(1 << min(max(attempt - 1, 0), 10))
    }

    /// `Retry-After` in seconds (a number or an HTTP date), or nil when absent or longer than the bound.
    private func retryAfter(_ response: HTTPResponse, now: Double) -> Double? {
        guard let value = response.headers["retry-after"]?.trimmingSpacesAndTabs() else { return backoff() }
        let seconds: Double
        if let number = Int(value) {
            seconds = Double(max(0, number))
        } else if let date = HTTPDate.parse(value) {
            seconds = max(0, date - now)
        } else {
            return backoff()
        }
        return seconds <= Double(settings.maxRetryAfterSeconds) ? seconds : nil
    }

    private func finish(_ verdict: LinkVerdict, error: String?) -> Step {
        .finished(
            LinkResult(
                url: url, verdict: verdict, status: lastStatus, finalURL: redirects.last?.url, redirects: redirects,
                error: error, tries: tries))
    }

    /// `url` up to its `#`: the fragment never reaches the server.
    public static func withoutFragment(_ url: String) -> String {
        guard let hash = url.utf8.firstIndex(of: UInt8(ascii: "#")) else { return url }
        return String(url[..<hash])
    }
}

extension String {
    fileprivate func trimmingSpacesAndTabs() -> String {
        var view = Substring(self)
        while view.first == " " || view.first == "\t" { view.removeFirst() }
        while view.last == " " || view.last == "\t" { view.removeLast() }
        return String(view)
    }
}

/// RFC 2606 / 6761 names that never lead anywhere: cited only in examples, so skipped, not broken.
enum ReservedDomains {
    static func isExample(_ host: String) -> Bool {
        let exact = ["example.com", "example.net", "example.org"]
        if exact.contains(where: { host == $0 || host.hasSuffix("." + $0) }) { return true }
        return [".example", ".test", ".invalid"].contains { host.hasSuffix($0) || host == String($0.dropFirst()) }
    }
}

/// `mailto:` addresses are checked for their form only: briefd sends no mail to find out.
enum MailAddress {
    static func isValid(mailto: String) -> Bool {
        var address = Substring(mailto.dropFirst("mailto:".count))
        if let query = address.firstIndex(of: "?") { address = address[..<query] }
        let recipients = address.split(separator: ",", omittingEmptySubsequences: false)
        return !recipients.isEmpty && recipients.allSatisfy { isValid(address: $0) }
    }

    static func isValid(address: Substring) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, local.count <= 64
        else {
            return false
        }
        let localAllowed = "!#$%&'*+-/=?^_`{|}~.%"
        guard local.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || localAllowed.contains($0) }) else {
            return false
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }
}

/// Signs that a 200 is really a "not found" page.
enum SoftNotFound {
    static let notFoundPageNames: Set<String> = [
        "404", "error404", "404error", "error-404", "not-found", "notfound", "not_found", "page-not-found",
        "pagenotfound", "page_not_found",
    ]

    /// True when a segment of `path` names a not-found page (`/404`, `/errors/not-found.html`).
    static func looksLikeNotFound(path: String) -> Bool {
        path.lowercased().split(separator: "/").contains { segment in
            let stem = segment.split(separator: ".").first.map(String.init) ?? ""
            return notFoundPageNames.contains(stem)
        }
    }

    static func saysNotFound(_ title: String) -> Bool {
        let lowered = title.lowercased()
        return [
            "not found", "404", "does not exist", "doesn't exist", "no longer exists", "no longer available",
            "page unavailable", "cannot be found", "can't be found", "could not be found",
        ].contains {
            lowered.contains($0)
        }
    }

    /// The text of the first `<title>` in a (capped) HTML body, whitespace collapsed.
    static func title(in body: [UInt8]) -> String? { LoweredHead(body).title() }
}

/// Signs that a site refused an automated client: a challenge page or a bot wall.
enum BotWall {
    static let markers = [
        "challenge-platform", "cf-browser-verification", "cf_chl_", "captcha", "just a moment...",
        "attention required! | cloudflare", "are you a robot", "access to this page has been denied",
        "enable javascript and cookies to continue", "ddos-guard", "please verify you are a human",
    ]

    static func detect(_ response: HTTPResponse) -> Bool {
        response.headers["cf-mitigated"] != nil || LoweredHead(response.body).containsAny(markers)
    }
}

/// IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`), the form `Retry-After` dates take.
enum HTTPDate {
    static func parse(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3,
            let date = Day(iso: String(format: "%04d-%02d-%02d", year, monthIndex + 1, day))
        else { return nil }
        return Double(date.daysSinceEpoch * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2])
    }
}
