/// The front matter fields each kind of draft takes, and their types.
public enum FrontMatterSchema {
    public enum FieldType: Sendable {
        case text, url, day, bool, integer, format, kind
    }

    public struct Field: Sendable {
        public var name: String
        public var type: FieldType
        public var required: Bool
    }

    public static func fields(for kind: DraftKind) -> [Field] {
        func field(_ name: String, _ type: FieldType, required: Bool = false) -> Field {
            Field(name: name, type: type, required: required)
        }
        let common = [field("kind", .kind), field("title", .text, required: true), field("issue", .day)]
        switch kind {
        case .brief:
            return common + [
                field("url", .url, required: true), field("source", .text, required: true),
                field("published", .day, required: true), field("section", .text, required: true),
                field("format", .format), field("via", .text), field("paywall", .bool), field("featured", .bool),
                field("order", .integer), field("repeat", .bool),
            ]
        case .post:
            return common + [
                field("author", .text, required: true), field("date", .day, required: true), field("url", .url),
            ]
        case .sponsor:
            return common + [field("url", .url, required: true)]
        }
    }

    public static func typeDescription(_ type: FieldType) -> String {
        switch type {
        case .text: return "text"
        case .url: return "an http(s) URL"
        case .day: return "a date as YYYY-MM-DD"
        case .bool: return "true or false"
        case .integer: return "a whole number"
        case .format: return "one of " + MediaFormat.allCases.map(\.rawValue).joined(separator: ", ")
        case .kind: return "one of " + DraftKind.allCases.map(\.rawValue).joined(separator: ", ")
        }
    }
}
