/// An IPv4 or IPv6 address as its network-order bytes (4 or 16).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses dotted IPv4 (`127.0.0.1`) or IPv6 text (`::1`, `fe80::1`, `::ffff:10.0.0.1`).
    public init?(_ text: String) {
        if let v4 = IPAddress.parseV4(Substring(text)) {
            bytes = v4
        } else if let v6 = IPAddress.parseV6(text) {
            bytes = v6
        } else {
            return nil
        }
    }

    public var isV4: Bool { bytes.count == 4 }

    /// The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:a.b.c.d`), which connects to IPv4.
    public var unmappedV4: IPAddress? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else {
            return nil
        }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// The IPv4 address an IPv6 one carries to an IPv4 host: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
    /// (`::a.b.c.d`, deprecated), the NAT64 well-known prefix (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`).
    /// Whether such an address may be reached is the IPv4 address's question: `64:ff9b::10.0.0.1` is 10.0.0.1.
    public var embeddedV4: IPAddress? {
        if let mapped = unmappedV4 { return mapped }
        guard bytes.count == 16 else { return nil }
        let tail = Array(bytes[12..<16])
        if bytes[0..<12].allSatisfy({ $0 == 0 }), tail[0..<3] != [0, 0, 0] { return IPAddress(bytes: tail) }
        if bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { return IPAddress(bytes: tail) }
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return IPAddress(bytes: Array(bytes[2..<6])) }
        return nil
    }

    public var description: String {
        if isV4 { return bytes.map(String.init).joined(separator: ".") }
        if let v4 = unmappedV4 { return "::ffff:\(v4)" }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        // RFC 5952: the longest run of two or more zero groups becomes "::".
        var best = (start: -1, length: 0)
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < groups.count && groups[end] == 0 { end += 1 }
            if end - index > best.length && end - index >= 2 { best = (index, end - index) }
            index = end
        }
        let text = groups.map { String($0, radix: 16) }
        guard best.start >= 0 else { return text.joined(separator: ":") }
        let head = text[..<best.start].joined(separator: ":")
        let tail = text[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }

    private static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else {
                return nil
            }
            result.append(value)
        }
        return result
    }

    /// `text` split at each "::" (more than one is invalid IPv6).
    private static func split(_ text: String, atDoubleColon _: Void) -> [String] {
        var result: [String] = []
        var current = ""
        var previousColon = false
        for character in text {
            if character == ":" && previousColon {
                current.removeLast()
                result.append(current)
                current = ""
                previousColon = false
                continue
            }
            current.append(character)
            previousColon = character == ":"
        }
        result.append(current)
        return result
    }

    private static func parseV6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        let halves = IPAddress.split(text, atDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = parseV4(piece) {
                    out += v4
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                out += [UInt8(value >> 8), UInt8(value & 0xff)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// A block of addresses in CIDR form (`10.0.0.0/8`, `fc00::/7`).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.bytes.count * 8
        let length = parts.count == 2 ? Int(parts[1]) : maximum
        guard let length, (0...maximum).contains(length) else { return nil }
        self.address = address
        self.prefixLength = length
    }

    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in 0..<address.bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if candidate.bytes[index] & mask != address.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// Which addresses the link checker may connect to: public ones, plus the networks the config allows.
///
/// - Important: applied to the address about to be connected, after DNS and on every redirect, so that a
///   public name resolving to a private address cannot make briefd probe the internal network.
public struct AddressPolicy: Sendable {
    public var allowed: [IPNetwork]

    public init(allowed: [IPNetwork] = []) { self.allowed = allowed }

    /// Loopback, private (RFC 1918), link-local (cloud metadata at 169.254.169.254), unique-local, site-local,
    /// carrier-grade NAT, unspecified, multicast, broadcast and the IETF's reserved blocks; an IPv6 address that
    /// carries an IPv4 one (mapped, compatible, NAT64, 6to4) is judged by that IPv4 address.
    public static let forbidden: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "64:ff9b:1::/48",
    ].compactMap(IPNetwork.init)

    /// Nil when `address` may be connected to, else the forbidden block it falls in.
    public func refusal(for address: IPAddress) -> IPNetwork? {
        let target = address.embeddedV4 ?? address
        if allowed.contains(where: { $0.contains(target) }) { return nil }
        return AddressPolicy.forbidden.first { $0.contains(target) }
    }
}
