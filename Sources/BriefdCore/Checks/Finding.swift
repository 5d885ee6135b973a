/// How much a finding matters: an error keeps a draft out of the digest, a warning asks an editor to look.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case error, warning, info

    private var rank: Int {
        switch self {
        case .error: return 0
        case .warning: return 1
        case .info: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One thing an editor should know about a draft: what, where, and how to fix it.
public struct Finding: Sendable, Hashable, Codable {
    public var rule: Rule
    public var severity: Severity
    public var position: SourcePosition
    public var message: String
    /// The replacement text or action to take, when there is one ("Mara Feld").
    public var suggestion: String?
    /// Where the suggestion comes from ("from the registry"); set whenever `suggestion` is.
    public var suggestionSource: String?
    /// Where the wrong span ends (exclusive), when the check knows it: a whole role, not its first word.
    public var end: SourcePosition?
    /// The changes that resolve it, when the check knows the answer (`Fix`).
    public var fixes: [Fix] = []
    /// Spans of `suggestion` to mark (UTF-8 ranges within it): where the page's passage differs from an altered
    /// quote. Empty for the other rules.
    public var suggestionMarks: [Range<Int>] = []

    public init(_ rule: Rule, at position: SourcePosition, _ message: String) {
        self.rule = rule
        self.severity = rule.severity
        self.position = position
        self.message = message
    }

    /// A finding with a suggestion, which always says where it comes from; nil `suggestion` makes none.
    public init(
        _ rule: Rule, at position: SourcePosition, _ message: String, suggestion: String?, from source: SuggestionSource
    ) {
        self.init(rule, at: position, message)
        if let suggestion {
            self.suggestion = suggestion
            self.suggestionSource = source.description
        }
    }

    enum CodingKeys: String, CodingKey {
        case rule, severity, line, column, message, suggestion
        case suggestionSource = "suggestion_source"
        case fixes
        case suggestionMarks = "suggestion_marks"
        case endLine = "end_line"
        case endColumn = "end_column"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rule.id, forKey: .rule)
        try container.encode(severity, forKey: .severity)
        try container.encode(position.line, forKey: .line)
        try container.encode(position.column, forKey: .column)
        try container.encode(message, forKey: .message)
        try container.encode(suggestion, forKey: .suggestion)
        try container.encode(suggestionSource, forKey: .suggestionSource)
        try container.encode(end?.line, forKey: .endLine)
        try container.encode(end?.column, forKey: .endColumn)
        try container.encode(fixes, forKey: .fixes)
        try container.encode(suggestionMarks.map { [$0.lowerBound, $0.upperBound] }, forKey: .suggestionMarks)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id = try container.decode(String.self, forKey: .rule)
        guard let rule = Rule(id: id) else {
            throw DecodingError.dataCorruptedError(forKey: .rule, in: container, debugDescription: "unknown rule \(id)")
        }
        self.rule = rule
        self.severity = try container.decode(Severity.self, forKey: .severity)
        self.position = SourcePosition(
            line: try container.decode(Int.self, forKey: .line), column: try container.decode(Int.self, forKey: .column)
        )
        self.message = try container.decode(String.self, forKey: .message)
        self.suggestion = try container.decodeIfPresent(String.self, forKey: .suggestion)
        self.suggestionSource = try container.decodeIfPresent(String.self, forKey: .suggestionSource)
        fixes = try container.decodeIfPresent([Fix].self, forKey: .fixes) ?? []
        // Saved before marks were kept: none (the desk then marks nothing rather than guessing).
        suggestionMarks = (try container.decodeIfPresent([[Int]].self, forKey: .suggestionMarks) ?? []).compactMap {
            $0.count == 2 && 0 <= $0[0] && $0[0] <= $0[1] ? $0[0]..<$0[1] : nil
        }
        if let line = try container.decodeIfPresent(Int.self, forKey: .endLine),
            let column = try container.decodeIfPresent(Int.self, forKey: .endColumn)
        {
            end = SourcePosition(line: line, column: column)
        }
    }
}

extension Array where Element == Finding {
    /// Findings in reading order, most severe first at one position.
    public func inReadingOrder() -> [Finding] {
        sorted { ($0.position, $0.severity, $0.rule.id) < ($1.position, $1.severity, $1.rule.id) }
    }
}

private func < (lhs: (SourcePosition, Severity, String), rhs: (SourcePosition, Severity, String)) -> Bool {
    if lhs.0 != rhs.0 { return lhs.0 < rhs.0 }
    if lhs.1 != rhs.1 { return lhs.1 < rhs.1 }
    return lhs.2 < rhs.2
}
