import Foundation

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

extension WebAddress {
    /// `scheme://host[:port]`, the part a path is resolved against.
    public var origin: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return scheme + "://" + shownHost + (port.map { ":\($0)" } ?? "")
    }

    /// The path alone: no query, no fragment, "/" when empty.
    public var path: String {
        let end = rest.firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex
        let path = String(rest[..<end])
        return path.isEmpty ? "/" : path
    }

    /// `reference` (a `Location` header, an `href`) made absolute against `base`, as RFC 3986 §5 does.
    public static func resolve(_ reference: String, against base: String) -> String? {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        if LinkExtractor.isAbsolute(reference) { return reference }
        guard let address = WebAddress(base) else { return nil }
        if reference.hasPrefix("//") { return address.scheme + ":" + reference }
        let baseWithoutFragment = base.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if reference.isEmpty { return String(baseWithoutFragment) }
        if reference.hasPrefix("#") { return baseWithoutFragment + reference }
        if reference.hasPrefix("?") { return address.origin + address.path + reference }
        let (referencePath, suffix) = splitPath(reference)
        let merged: String
        if referencePath.hasPrefix("/") {
            merged = referencePath
        } else {
            let basePath = address.path
            let folder = basePath[...(basePath.lastIndex(of: "/") ?? basePath.startIndex)]
            merged = folder + referencePath
        }
        return address.origin + removingDotSegments(merged) + suffix
    }

    private static func splitPath(_ reference: String) -> (path: String, suffix: String) {
        let end = reference.firstIndex { $0 == "?" || $0 == "#" } ?? reference.endIndex
        return (String(reference[..<end]), String(reference[end...]))
    }

    private static func removingDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            if segment == "." {
                if isLast { output.append("") }
            } else if segment == ".." {
                if output.count > 1 { output.removeLast() }
                if isLast { output.append("") }
            } else {
                output.append(segment)
            }
        }
        let joined = output.joined(separator: "/")
        return joined.hasPrefix("/") ? joined : "/" + joined
    }
}

extension String {
    fileprivate func trimmingTrailingDot() -> String { hasSuffix(".") ? String(dropLast()) : self }
}
