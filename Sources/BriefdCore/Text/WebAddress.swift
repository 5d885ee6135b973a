/// The parts of an absolute web address that the checks need: scheme, host, port, and the rest.
///
/// Deliberately small and strict: what it cannot take apart is not a web address a draft should cite.
public struct WebAddress: Sendable, Hashable {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// Path, query and fragment, starting with "/", "?" or "#" (or empty).
    public var rest: String

    public init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        var authority = afterScheme[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = authority
        var port: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let number = Int(authority[authority.index(after: colon)...]), (0...65535).contains(number) else {
                return nil
            }
            port = number
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "\t" || $0 == "\\" }) else { return nil }
        self.scheme = scheme
        self.host = host.lowercased().trimmingTrailingDot()
        self.port = port
        self.rest = String(afterScheme[authorityEnd...])
    }

    public var isHTTP: Bool { scheme == "http" || scheme == "https" }

    /// A form for spotting the same article cited twice: scheme and `www.` ignored, no fragment, no
    /// tracking parameters, no trailing slash.
    public var identity: String {
        var host = self.host
        if host.hasPrefix("www.") { host.removeFirst(4) }
        var rest = self.rest
        if let hash = rest.firstIndex(of: "#") { rest = String(rest[..<hash]) }
        if let question = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: question)...].split(separator: "&").filter { parameter in
                !(parameter.hasPrefix("utm_") || parameter.hasPrefix("fbclid=") || parameter.hasPrefix("gclid="))
            }
            rest = String(rest[..<question]) + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        }
        while rest.hasSuffix("/") { rest.removeLast() }
        return host + (port.map { ":\($0)" } ?? "") + rest
    }
}

extension String {
    fileprivate func trimmingTrailingDot() -> String { hasSuffix(".") ? String(dropLast()) : self }
}
