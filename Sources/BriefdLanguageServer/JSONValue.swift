import Foundation

/// Any JSON value: what a message's `params` and `id` hold before the method says what they should be.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = JSONValue.decoded(Bool.self, container) {
            self = .bool(value)
        } else if let value = JSONValue.decoded(Double.self, container) {
            self = .number(value)
        } else if let value = JSONValue.decoded(String.self, container) {
            self = .string(value)
        } else if let value = JSONValue.decoded([JSONValue].self, container) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The value as `type`, or nil when it is of another kind: Codable has no way to ask which kind a value is, so
    /// each is tried in turn, and a failure only means "not this one" (the last kind tried throws its error).
    static func decoded<Kind: Decodable>(_ type: Kind.Type, _ container: any SingleValueDecodingContainer) -> Kind? {
        try? container.decode(type)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value read as `T` (a message's params as the method's type).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(self))
    }
}
