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
        // Works on bytes: every link check parses several addresses, and Character-level scanning
        // showed up as a tenth of a link run's time.
        let bytes = Array(text.utf8)
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func isSchemeByte(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        var schemeEnd = 0
        while schemeEnd < bytes.count && isSchemeByte(bytes[schemeEnd]) { schemeEnd += 1 }
        guard schemeEnd > 0, bytes[schemeEnd...].starts(with: "://".utf8) else { return nil }
        let authorityStart = schemeEnd + 3
        var authorityEnd = authorityStart
        while authorityEnd < bytes.count {
            let byte = bytes[authorityEnd]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            authorityEnd += 1
        }
        var hostStart = authorityStart
        if let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) { hostStart = at + 1 }
        var hostEnd = authorityEnd
        var port: Int?
        if hostStart < authorityEnd && bytes[hostStart] == UInt8(ascii: "[") {
            guard let close = bytes[hostStart..<authorityEnd].firstIndex(of: UInt8(ascii: "]")) else { return nil }
            let after = close + 1
            if after < authorityEnd && bytes[after] == UInt8(ascii: ":") {
                port = Int(string((after + 1)..<authorityEnd))
            }
            hostStart += 1
            hostEnd = close
        } else if let colon = bytes[hostStart..<authorityEnd].lastIndex(of: UInt8(ascii: ":")) {
            guard let number = Int(string((colon + 1)..<authorityEnd)), (0...65535).contains(number) else { return nil }
            port = number
            hostEnd = colon
        }
        guard hostStart < hostEnd,
            !bytes[hostStart..<hostEnd].contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == UInt8(ascii: "\\") })
        else { return nil }
        self.scheme = string(0..<schemeEnd).lowercased()
        self.host = string(hostStart..<hostEnd).lowercased().trimmingTrailingDot()
        self.port = port
        self.rest = string(authorityEnd..<bytes.count)
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

    /// `host:port` with the scheme's default port filled in: the unit of per-host politeness and of host outages.
    public var hostKey: String { host + ":" + String(port ?? (scheme == "https" ? 443 : 80)) }

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
