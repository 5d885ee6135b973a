/// An optional that JSON writes as `null` when it is absent. The synthesized `Encodable` leaves an absent optional
/// out; briefd's JSON records have every key, so that a reader can tell "none" from "not said".
@propertyWrapper
public struct NullEncoded<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)  // Optional's own encoding: `null` for nil.
    }
}

extension NullEncoded: Equatable where Value: Equatable {}
