import Yams

/// Reads untrusted YAML into a node tree whose size is bounded, with every node's position in the file.
///
/// - Important: Yams' `compose` shares an anchor's node among its aliases, but anything that walks the tree
///   expands them. `compose` here walks once with a budget, so an alias bomb is refused in bounded time
///   instead of exhausting memory.
public enum YAMLReader {
    /// Composes `text` (which starts at 1-based `firstLine` of its file) and checks the tree has at most
    /// `maxNodes` nodes once aliases are expanded. Returns `nil` for an empty document.
    public static func compose(_ text: String, firstLine: Int = 1, maxNodes: Int) throws(YAMLSyntaxError) -> YAMLNode? {
        let root: Node?
        do {
            // The basic resolver leaves every scalar untyped: YAMLNode types scalars itself, strictly, and
            // Yams' default resolver runs a regular expression per scalar. (`.default` encoding reads the environment
            // each call.)
            root = try Yams.compose(yaml: text, .basic, .default, .utf8)
        } catch let error as YamlError {
            throw YAMLSyntaxError(error, firstLine: firstLine)
        } catch {
            throw YAMLSyntaxError(message: "\(error)", position: SourcePosition(line: firstLine, column: 1))
        }
        guard let root else { return nil }
        var budget = maxNodes
        guard withinBudget(root, &budget) else {
            throw YAMLSyntaxError(
                message: "the YAML expands to more than \(maxNodes) values (aliases nested too deep?); refused",
                position: SourcePosition(line: firstLine, column: 1))
        }
        return YAMLNode(node: root, firstLine: firstLine)
    }

    private static func withinBudget(_ node: Node, _ budget: inout Int) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        switch node {
        case .scalar, .alias:
            return true
        case .sequence(let sequence):
            for child in sequence where !withinBudget(child, &budget) { return false }
            return true
        case .mapping(let mapping):
            for (key, value) in mapping where !withinBudget(key, &budget) || !withinBudget(value, &budget) {
                return false
            }
            return true
        }
    }
}

/// A YAML syntax or size problem, with its position in the file.
public struct YAMLSyntaxError: Error, Sendable {
    public var message: String
    public var position: SourcePosition
    /// Keys set twice in one mapping (Yams refuses these while composing).
    public var duplicateKeys: [String] = []

    public init(message: String, position: SourcePosition) {
        self.message = message
        self.position = position
    }

    init(_ error: YamlError, firstLine: Int) {
        func at(_ mark: Mark) -> SourcePosition {
            SourcePosition(line: mark.line + firstLine - 1, column: max(1, mark.column))
        }
        switch error {
        case .scanner(let context, let problem, let mark, _):
            // An unclosed quote is found at the end of the text; the mistake is where the quote opened.
            let start = context.flatMap { $0.text.contains("quoted scalar") ? $0.mark : nil }
            let message =
                start == nil
                ? [context?.text, problem].compactMap { $0 }.joined(separator: " ")
                : "this quoted value is never closed (\(problem)); close it with the same quote mark"
            self.init(message: message, position: at(start ?? mark))
        case .parser(_, let problem, let mark, _) where problem.hasPrefix("Maximum nesting level"):
            // libyaml's own words name its C API, which means nothing to an editor.
            self.init(
                message: "brackets or indentation nested too deep (libyaml stops at 1,000 levels)", position: at(mark))
        case .parser(let context, let problem, let mark, _):
            self.init(message: [context?.text, problem].compactMap { $0 }.joined(separator: " "), position: at(mark))
        case .composer(let context, let problem, let mark, _):
            self.init(message: [context?.text, problem].compactMap { $0 }.joined(separator: " "), position: at(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            self.init(message: "\(keys) set twice in one mapping; keep one", position: at(context.mark))
            self.duplicateKeys = duplicates
        case .reader(let problem, _, _, _):
            self.init(message: problem, position: SourcePosition(line: firstLine, column: 1))
        default:
            self.init(message: "\(error)", position: SourcePosition(line: firstLine, column: 1))
        }
    }
}

/// One node of a composed YAML document, positioned in its file.
public struct YAMLNode: @unchecked Sendable {
    // Yams.Node is an immutable value tree; it is not marked Sendable upstream.
    let node: Node
    let firstLine: Int

    public var position: SourcePosition {
        guard let mark = node.mark else { return SourcePosition(line: firstLine, column: 1) }
        return SourcePosition(line: mark.line + firstLine - 1, column: max(1, mark.column))
    }

    /// The scalar's text, or nil for a mapping or sequence.
    public var scalar: String? {
        if case .scalar(let scalar) = node { return scalar.string }
        return nil
    }

    /// True for an empty or `~`/`null` scalar.
    public var isNull: Bool {
        if case .scalar(let scalar) = node {
            return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }

    public var bool: Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return nil }
        switch scalar.string {
        case "true", "True", "TRUE", "yes", "Yes", "YES": return true
        case "false", "False", "FALSE", "no", "No", "NO": return false
        default: return nil
        }
    }

    public var int: Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return nil }
        return Int(scalar.string)
    }

    public var sequence: [YAMLNode]? {
        guard case .sequence(let sequence) = node else { return nil }
        return sequence.map { YAMLNode(node: $0, firstLine: firstLine) }
    }

    /// The mapping's entries in document order, keys as text, or nil when the node is not a mapping.
    public var mapping: [(key: String, keyNode: YAMLNode, value: YAMLNode)]? {
        guard case .mapping(let mapping) = node else { return nil }
        return mapping.map { pair in
            (
                pair.key.string ?? "\(pair.key)", YAMLNode(node: pair.key, firstLine: firstLine),
                YAMLNode(node: pair.value, firstLine: firstLine)
            )
        }
    }

    /// What kind of node this is, for error messages ("expected a list, found a mapping").
    public var kindDescription: String {
        switch node {
        case .scalar: return isNull ? "nothing" : "'\(scalar ?? "")'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
