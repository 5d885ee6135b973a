import Foundation

/// A sender as RFC 5322 writes it: an address and, optionally, the name readers see (`ZGBriefs
/// <briefs@example.org>`). The config takes either form; a bare address is shown with the newsletter's name.
public struct Mailbox: Sendable, Equatable {
    public var name: String?
    public var address: String

    public init(name: String?, address: String) {
        self.name = name
        self.address = address
    }

    /// `local@domain`, or `Display Name <local@domain>` (the name may be quoted: `"Briefs, Weekly" <…>`); nil when it
    /// is neither, or the name holds a line break or a control character.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            guard MailComposer.isAddress(trimmed) else { return nil }
            (name, address) = (nil, trimmed)
            return
        }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        guard MailComposer.isAddress(address), name.count <= 200,
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        self.name = name.isEmpty ? nil : name
        self.address = address
    }

    /// The same mailbox, with `name` when it has none.
    public func named(_ fallback: String) -> Mailbox {
        Mailbox(name: name ?? (fallback.isEmpty ? nil : fallback), address: address)
    }

    /// For a `From:` header: the name as a quoted string when it is ASCII (specials escaped), as RFC 2047 encoded
    /// words when it is not, then the address in angle brackets.
    public var header: String {
        guard let name else { return address }
        if name.unicodeScalars.allSatisfy(\.isASCII) {
            let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(quoted)\" <\(address)>"
        }
        return MailComposer.encodedHeader(name) + " <\(address)>"
    }

    /// As services take it (listmonk's `from_email`): `Name <address>`, plain text.
    public var display: String { name.map { "\($0) <\(address)>" } ?? address }
}
