import Foundation

/// The text parts of a WARC/1.1 file and its CDXJ index (ISO 28500:2017; pywb's CDXJ): record headers, dates,
/// digests' spelling and the SURT keys replay tools look records up by. The bytes, digests and compression are
/// the writer's (BriefdIO).
public enum WARCFormat {
    /// One named field of a record header, in the order written.
    public typealias Field = (name: String, value: String)

    /// `WARC/1.1`, the fields, a blank line: the header of a record whose block has `length` bytes.
    public static func recordHeader(_ fields: [Field], length: Int) -> [UInt8] {
        var text = "WARC/1.1\r\n"
        for field in fields + [("Content-Length", String(length))] {
            // A value never spans lines: a URL or a reason with a line break in it would forge a field.
            let value = field.value.filter { !$0.isNewline }  // "\r\n" is one Character: test newlines, not bytes.
            text += field.name + ": " + value + "\r\n"
        }
        return Array((text + "\r\n").utf8)
    }

    /// A record's end: the two line breaks after its block.
    public static let recordEnd: [UInt8] = Array("\r\n\r\n".utf8)

    /// `2026-12-03T08:15:02Z`: the form of `WARC-Date`.
    public static func date(_ seconds: Double) -> String { JSONText.timestamp(seconds) }

    /// `20261203081502`: the 14-digit timestamp of a CDXJ line and of a replay address.
    public static func timestamp(_ seconds: Double) -> String {
        JSONText.timestamp(seconds).filter { $0.isNumber }
    }

    /// `sha1:` and the digest in base 32 (RFC 4648), as WARC readers compare it.
    public static func sha1Label(_ digest: [UInt8]) -> String { "sha1:" + base32(digest) }

    public static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var output = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        while output.count % 8 != 0 { output.append("=") }
        return output
    }

    /// The SURT form of a URL, as CDXJ sorts and looks up: host labels reversed, a leading `www.` dropped, the
    /// default port dropped, lowercased, then `)` and the path with its query (`org,example)/news/1?id=2`).
    public static func surt(_ url: String) -> String {
        guard let address = WebAddress(url) else { return url.lowercased() }
        let host = address.host.lowercased()
        var key: String
        if IPAddress(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) != nil {
            key = host  // An address is not a name: its parts are not reversed.
        } else {
            var labels = host.split(separator: ".").map(String.init)
            if labels.first == "www" { labels.removeFirst() }
            key = labels.reversed().joined(separator: ",")
        }
        if let port = address.port, !(address.scheme == "http" && port == 80),
            !(address.scheme == "https" && port == 443)
        {
            key += ":\(port)"
        }
        var path = String(address.rest.prefix { $0 != "#" })
        if !path.hasPrefix("/") { path = "/" + path }
        return key + ")" + path.lowercased()
    }

    /// One line of a CDXJ index: SURT key, timestamp, and the record's place in the WARC as JSON.
    public static func cdxjLine(
        url: String, seconds: Double, mime: String, status: Int, digest: String, length: Int, offset: Int,
        filename: String
    ) -> String {
        let fields: [(String, String)] = [
            ("url", url), ("mime", mime), ("status", String(status)), ("digest", digest), ("length", String(length)),
            ("offset", String(offset)), ("filename", filename),
        ]
        let json = fields.map { JSONText.string($0.0) + ": " + JSONText.string($0.1) }.joined(separator: ", ")
        return surt(url) + " " + timestamp(seconds) + " {" + json + "}"
    }
}
