/// Reads a front matter mapping into `FrontMatter`, reporting each key that is unknown, repeated, missing or
/// of the wrong type at the key's own line.
enum FrontMatterDecoder {
    static func decode(
        _ entries: [(key: String, keyNode: YAMLNode, value: YAMLNode)], findings: inout [Finding]
    ) -> FrontMatter {
        var result = FrontMatter()
        result.start = SourcePosition(line: 1, column: 1)

        // The kind decides which other keys are allowed, so read it first.
        var kindUnknown = false
        if let kindEntry = entries.first(where: { $0.key == "kind" }) {
            if let text = kindEntry.value.scalar, let kind = DraftKind(rawValue: text) {
                result.kind = kind
            } else {
                // Nothing else is said about the draft's fields: which are needed depends on the kind meant.
                kindUnknown = true
                let closest = kindEntry.value.scalar.flatMap {
                    EditDistance.closest(to: $0, in: DraftKind.allCases.map(\.rawValue))
                }
                let hint = closest.map { "; did you mean '\($0)'?" } ?? ""
                findings.append(
                    Finding(
                        .frontMatterUnknownKind, at: kindEntry.value.position,
                        "unknown kind \(kindEntry.value.kindDescription): a draft's kind is brief (the default), post or sponsor\(hint)",
                        suggestion: closest, from: .closestAccepted))
            }
        }
        let schema = FrontMatterSchema.fields(for: result.kind)
        // Keys are unique here: Yams refuses a mapping with a repeated key (see DraftParser).
        var seen: [String: SourcePosition] = [:]
        for entry in entries {
            let key = entry.key
            seen[key] = entry.keyNode.position
            result.positions[key] = entry.value.position
            guard let field = schema.first(where: { $0.name == key }) else {
                if kindUnknown { continue }
                let closest = EditDistance.closest(to: key, in: schema.map(\.name))
                let hint = closest.map { "; did you mean '\($0)'?" } ?? ""
                findings.append(
                    Finding(
                        .frontMatterUnknownKey, at: entry.keyNode.position,
                        "unknown key '\(key)' for a \(result.kind.rawValue)\(hint)", suggestion: closest,
                        from: .closestAccepted))
                continue
            }
            if entry.value.isNull { continue }  // reported as missing below when required
            if !assign(field, entry.value, to: &result) {
                if field.type == .day, let text = entry.value.scalar, let why = Day.impossibility(text) {
                    findings.append(
                        Finding(.frontMatterWrongType, at: entry.value.position, "'\(key)' is no real date: \(why)"))
                    continue
                }
                findings.append(
                    Finding(
                        .frontMatterWrongType, at: entry.value.position,
                        "'\(key)' must be \(FrontMatterSchema.typeDescription(field.type)), "
                            + "found \(entry.value.kindDescription)"))
            }
        }
        for field in schema where field.required && !kindUnknown {
            let present = entries.contains { $0.key == field.name && !$0.value.isNull }
            if !present {
                findings.append(
                    Finding(
                        .frontMatterMissingField, at: seen[field.name] ?? result.start,
                        "a \(result.kind.rawValue) needs '\(field.name)' "
                            + "(\(FrontMatterSchema.typeDescription(field.type)))"))
            }
        }
        return result
    }

    /// Stores the value if it has the field's type; false when it does not.
    private static func assign(_ field: FrontMatterSchema.Field, _ value: YAMLNode, to result: inout FrontMatter)
        -> Bool
    {
        switch field.type {
        case .kind:
            return true  // read above
        case .text:
            guard let text = value.scalar?.trimmingWhitespace(), !text.isEmpty else { return false }
            switch field.name {
            case "title": result.title = text
            case "source": result.source = text
            case "section": result.section = text
            case "via": result.via = text
            case "author": result.author = text
            default: return false
            }
        case .url:
            guard let text = value.scalar?.trimmingWhitespace(), !text.isEmpty, !text.contains(" ") else {
                return false
            }
            result.url = text
        case .day:
            guard let text = value.scalar, let day = Day(iso: text) else { return false }
            switch field.name {
            case "published": result.published = day
            case "issue": result.issue = day
            case "date": result.date = day
            default: return false
            }
        case .bool:
            guard let flag = value.bool else { return false }
            switch field.name {
            case "paywall": result.paywall = flag
            case "featured": result.featured = flag
            case "repeat": result.repeatAllowed = flag
            default: return false
            }
        case .integer:
            guard let number = value.int else { return false }
            result.order = number
        case .format:
            guard let text = value.scalar, let format = MediaFormat(rawValue: text) else { return false }
            result.format = format
        }
        return true
    }
}

extension String {
    func trimmingWhitespace() -> String {
        // Most values have nothing to trim: an ASCII non-space at both ends settles it without grapheme breaking.
        func plainEnd(_ byte: UInt8?) -> Bool { byte.map { $0 > 0x20 && $0 < 0x80 } ?? false }
        if plainEnd(utf8.first) && plainEnd(utf8.last) { return self }
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
