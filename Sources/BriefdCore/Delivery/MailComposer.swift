import Foundation

/// An issue as an email (RFC 5322, MIME): `multipart/alternative` with the text version first and the HTML second,
/// both UTF-8 in quoted-printable; `From`, `To`, `Subject` (RFC 2047 encoded words where it is not ASCII), `Date`,
/// `Message-ID`, `MIME-Version`. A header value with a line break is refused, never folded into a forged header.
public enum MailComposer {
    public struct Mail: Sendable, Equatable {
        public var from: String
        /// The name readers see beside `from`; nil shows the address alone.
        public var fromName: String?
        public var to: [String]
        public var subject: String
        /// RFC 5322's form: `Thu, 03 Dec 2026 10:15:00 +0000`.
        public var date: String
        /// Without the angle brackets: `UUID@briefd.example.org`.
        public var messageID: String
        public var text: String
        public var html: String

        public init(
            from: String, fromName: String? = nil, to: [String], subject: String, date: String, messageID: String,
            text: String, html: String
        ) {
            self.from = from
            self.fromName = fromName
            self.to = to
            self.subject = subject
            self.date = date
            self.messageID = messageID
            self.text = text
            self.html = html
        }
    }

    public struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The message's bytes, CRLF line ends. `boundary` is chosen by the caller (random); it must not occur in the
    /// encoded parts, which quoted-printable guarantees for one starting with `=_` (never a valid encoding).
    public static func compose(_ mail: Mail, boundary: String) throws(MailError) -> [UInt8] {
        for (name, value) in [
            ("From", mail.from), ("From", mail.fromName ?? ""), ("Subject", mail.subject), ("Date", mail.date),
        ]
            + mail.to.map({ ("To", $0) }) + [("Message-ID", mail.messageID)]
        where value.contains(where: \.isNewline)
            || value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" })
        {
            throw MailError(description: "the \(name) header's value has a line break or a control character")
        }
        for address in [mail.from] + mail.to where !isAddress(address) {
            throw MailError(description: "'\(address)' is not an email address such as editors@example.org")
        }
        guard !mail.to.isEmpty else { throw MailError(description: "the message has no recipient") }
        guard boundary.hasPrefix("=_"), boundary.count <= 70 else {
            throw MailError(description: "the MIME boundary must start with '=_'")
        }
        var lines = [
            "From: \(Mailbox(name: mail.fromName, address: mail.from).header)",
            "To: \(mail.to.joined(separator: ", "))",
            "Subject: \(encodedHeader(mail.subject))",
            "Date: \(mail.date)", "Message-ID: <\(mail.messageID)>", "MIME-Version: 1.0",
            "Content-Type: multipart/alternative;", " boundary=\"\(boundary)\"", "",
            "A message in MIME format: a text and an HTML version of the same issue.", "",
        ]
        for (type, body) in [("text/plain", mail.text), ("text/html", mail.html)] {
            lines += [
                "--\(boundary)", "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: quoted-printable",
                "", quotedPrintable(body),
            ]
        }
        lines += ["--\(boundary)--", ""]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// `local@domain`, printable ASCII, no spaces, brackets, commas or quotes (a display name is not taken here).
    public static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && text.count <= 254
            && text.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value < 0x7F && !"<>,;\"()[]\\".unicodeScalars.contains($0)
            }
    }

    /// The value as is when it is ASCII, else RFC 2047 encoded words (`=?UTF-8?B?…?=`), each at most 75
    /// characters and never splitting a character, separated by folding whitespace.
    public static func encodedHeader(_ value: String) -> String {
        guard !value.unicodeScalars.allSatisfy({ $0.isASCII }) else { return value }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 75 - len("=?UTF-8?B?") - len("?=") = 63 characters of base 64: 45 bytes.
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?" + base64(chunk) + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + base64(chunk) + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// RFC 2045 quoted-printable with CRLF line ends: lines of at most 76 characters (soft breaks `=`), `=`, bytes
    /// outside printable ASCII, a trailing space or tab, and a line's leading `.` (SMTP's end of data) encoded.
    public static func quotedPrintable(_ text: String) -> String {
        var output: [String] = []
        let normalized = text.replacingCRLF()
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var encoded: [String] = []
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let plain =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast)
                if plain && !(index == 0 && byte == UInt8(ascii: ".")) {
                    encoded.append(String(UnicodeScalar(byte)))
                } else {
                    encoded.append("=" + hex(byte))
                }
            }
            var current = ""
            for piece in encoded {
                if current.count + piece.count > 75 {
                    output.append(current + "=")
                    current = ""
                }
                current += piece
            }
            output.append(current)
        }
        return output.joined(separator: "\r\n")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// `Thu, 03 Dec 2026 10:15:00 +0000` for seconds since 1970 (UTC).
    public static func date(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.down))
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let day = Day(daysSinceEpoch: days)
        let rest = whole - days * 86_400
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday.
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[((days % 7) + 7) % 7]), \(two(day.day)) \(months[day.month - 1]) \(day.year) "
            + "\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) +0000"
    }
}

extension String {
    /// Without carriage returns: CRLF becomes LF (the composer writes CRLF itself).
    fileprivate func replacingCRLF() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            if scalar == "\r" { continue }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
