/// What a text editor shows when the cursor rests on a word of a draft: the registry's entry for a name, or which
/// address the cursor is on (the application adds that link's latest verdict). Pure: the line and the registry.
public enum EditorHover {
    /// A registry entry named at a place in a line, and the bytes of the line that name it.
    public enum Entry: Sendable, Equatable {
        case person(Person)
        case publication(Publication)
    }

    /// The registry entry whose name or alias, written in `line`, covers the byte `offset` of the line; else the
    /// one person whose family or given name is the word there ("Frisch said"). The longest name wins.
    public static func entry(at offset: Int, inLine line: String, registry: Registry) -> Entry? {
        let bytes = Array(line.utf8)
        var best: (length: Int, entry: Entry)?
        func consider(_ names: [String], _ entry: Entry) {
            for name in names where !name.isEmpty {
                let needle = Array(name.utf8)
                for start in occurrences(of: needle, in: bytes)
                where start <= offset && offset < start + needle.count && needle.count > (best?.length ?? 0) {
                    best = (needle.count, entry)
                }
            }
        }
        for person in registry.people { consider([person.name] + person.aliases, .person(person)) }
        for publication in registry.publications {
            consider([publication.name] + publication.aliases, .publication(publication))
        }
        if let best { return best.entry }
        guard let word = word(at: offset, in: bytes), let index = registry.soleOwner(ofNameWord: word) else {
            return nil
        }
        return .person(registry.people[index])
    }

    /// The web address written in `line` that covers the byte `offset` of the line (trailing punctuation that ends a
    /// sentence is not part of it).
    public static func address(at offset: Int, inLine line: String) -> String? {
        let bytes = Array(line.utf8)
        for scheme in ["https://", "http://"] {
            for start in occurrences(of: Array(scheme.utf8), in: bytes) where start <= offset {
                var end = start
                while end < bytes.count, !endsAnAddress(bytes[end]) { end += 1 }
                while end > start,
                    [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":")]
                        .contains(bytes[end - 1])
                {
                    end -= 1
                }
                if offset < end { return String(decoding: bytes[start..<end], as: UTF8.self) }
            }
        }
        return nil
    }

    /// The entry as Markdown: its name, roles with their dates, outlets, aliases, and where it is in the registry.
    public static func markdown(_ entry: Entry, registryPath: String) -> String {
        switch entry {
        case .person(let person):
            var lines = ["**\(person.name)** — in the registry, \(registryPath):\(person.position.line)"]
            if !person.aliases.isEmpty { lines.append("- Also written: \(person.aliases.joined(separator: ", "))") }
            for role in person.roles {
                let from = role.from.map { "from \($0)" }
                let until = role.until.map { "until \($0)" }
                let dates = [from, until].compactMap { $0 }.joined(separator: " ")
                lines.append("- \(role.title), \(role.org)\(dates.isEmpty ? "" : " (\(dates))")")
            }
            if person.roles.isEmpty { lines.append("- No roles recorded") }
            if !person.writesFor.isEmpty { lines.append("- Writes for: \(person.writesFor.joined(separator: ", "))") }
            return lines.joined(separator: "\n")
        case .publication(let publication):
            var lines = ["**\(publication.name)** — in the registry, \(registryPath):\(publication.position.line)"]
            if !publication.aliases.isEmpty {
                lines.append("- Also written: \(publication.aliases.joined(separator: ", "))")
            }
            if !publication.domains.isEmpty { lines.append("- Web: \(publication.domains.joined(separator: ", "))") }
            if publication.paywall { lines.append("- Behind a paywall: quotes are compared with its readable part") }
            return lines.joined(separator: "\n")
        }
    }

    static func occurrences(of needle: [UInt8], in bytes: [UInt8]) -> [Int] {
        guard !needle.isEmpty, bytes.count >= needle.count else { return [] }
        var found: [Int] = []
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<(start + needle.count)].elementsEqual(needle) { found.append(start) }
        }
        return found
    }

    /// The run of letters (any script) around `offset`.
    static func word(at offset: Int, in bytes: [UInt8]) -> String? {
        func isLetter(_ byte: UInt8) -> Bool {
            byte >= 0x80 || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "-")
        }
        guard offset >= 0, offset < bytes.count, isLetter(bytes[offset]) else { return nil }
        var start = offset
        while start > 0, isLetter(bytes[start - 1]) { start -= 1 }
        var end = offset
        while end < bytes.count, isLetter(bytes[end]) { end += 1 }
        // A curly apostrophe's bytes are letters here: "Frisch’s" is Frisch.
        var word = String(decoding: bytes[start..<end], as: UTF8.self)
        if let apostrophe = word.firstIndex(of: "\u{2019}") { word = String(word[..<apostrophe]) }
        return word.isEmpty ? nil : word
    }

    static func endsAnAddress(_ byte: UInt8) -> Bool {
        [
            UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ")"), UInt8(ascii: ">"), UInt8(ascii: "<"),
            UInt8(ascii: "\""), UInt8(ascii: "]"), UInt8(ascii: "'"), UInt8(ascii: "\r"),
        ].contains(byte)
    }
}
