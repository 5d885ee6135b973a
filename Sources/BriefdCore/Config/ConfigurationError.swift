/// A broken config or registry file: which file, where, and why. The command exits 2 with this message.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var position: SourcePosition?
    public var message: String

    public init(path: String, position: SourcePosition?, message: String) {
        self.path = path
        self.position = position
        self.message = message
    }

    public var description: String {
        if let position { return "\(path):\(position.line):\(position.column): \(message)" }
        return "\(path): \(message)"
    }
}

/// Reads a YAML mapping of a config or registry file, refusing unknown keys with the closest known one.
struct StrictMapping {
    let path: String
    let node: YAMLNode
    private(set) var values: [String: YAMLNode] = [:]

    init(_ node: YAMLNode, path: String, context: String, allowed: [String]) throws(ConfigurationError) {
        self.path = path
        self.node = node
        guard let entries = node.mapping else {
            throw ConfigurationError(
                path: path, position: node.position,
                message: "\(context) must be a mapping, found \(node.kindDescription)")
        }
        for entry in entries {
            guard allowed.contains(entry.key) else {
                let hint = EditDistance.closest(to: entry.key, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigurationError(
                    path: path, position: entry.keyNode.position,
                    message:
                        "unknown key '\(entry.key)' in \(context)\(hint) (known: \(allowed.joined(separator: ", ")))")
            }
            guard values[entry.key] == nil else {
                throw ConfigurationError(
                    path: path, position: entry.keyNode.position, message: "'\(entry.key)' is set twice in \(context)")
            }
            values[entry.key] = entry.value
        }
    }

    func error(_ key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(path: path, position: values[key]?.position ?? node.position, message: message)
    }

    func string(_ key: String, required: Bool = false) throws(ConfigurationError) -> String? {
        guard let value = values[key], !value.isNull else {
            if required {
                throw ConfigurationError(path: path, position: node.position, message: "'\(key)' is required")
            }
            return nil
        }
        guard let text = value.scalar else {
            throw error(key, "'\(key)' must be text, found \(value.kindDescription)")
        }
        return text
    }

    func strings(_ key: String) throws(ConfigurationError) -> [String] {
        guard let value = values[key], !value.isNull else { return [] }
        guard let items = value.sequence else {
            throw error(key, "'\(key)' must be a list, found \(value.kindDescription)")
        }
        var result: [String] = []
        for item in items {
            guard let text = item.scalar else {
                throw ConfigurationError(
                    path: path, position: item.position,
                    message: "'\(key)' items must be text, found \(item.kindDescription)")
            }
            result.append(text)
        }
        return result
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = values[key], !value.isNull else { return nil }
        guard let flag = value.bool else { throw error(key, "'\(key)' must be true or false") }
        return flag
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = values[key], !value.isNull else { return nil }
        guard let number = value.int, range.contains(number) else {
            throw error(key, "'\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func day(_ key: String) throws(ConfigurationError) -> Day? {
        guard let text = try string(key) else { return nil }
        guard let day = Day(iso: text) else {
            throw error(key, "'\(key)' must be a date as YYYY-MM-DD, found '\(text)'")
        }
        return day
    }
}
