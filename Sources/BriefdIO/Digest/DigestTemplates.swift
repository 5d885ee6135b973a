import Foundation
import Mustache

/// The digest's Mustache templates, read from `paths.templates` at each build so that an editor can change
/// them without rebuilding briefd. A template that does not parse is reported with its file, line and reason.
///
/// Values are escaped for the format the template writes: HTML by default, `{{% CONTENT_TYPE: TEXT}}`,
/// `XML` or `JSON` for the others.
public struct DigestTemplates: Sendable {
    /// Every template a build renders, by name (the file is `NAME.mustache`).
    public static let names = ["web", "email", "text", "markdown", "feed-entry", "archive", "atom", "feed-json"]

    private let library: MustacheLibrary

    /// A template problem: missing, or failing to parse.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads every template from `folder`.
    public init(folder: String) throws(Problem) {
        DigestTemplates.registerContentTypes
        var library = MustacheLibrary()
        for name in DigestTemplates.names {
            let path = folder + "/" + name + ".mustache"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Problem(description: "\(path): template missing (briefd needs \(DigestTemplates.names.map { $0 + ".mustache" }.joined(separator: ", ")))")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw Problem(description: "\(path): the template is not UTF-8")
            }
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw Problem(
                    description: "\(path):\(error.context.lineNumber):\(error.context.columnNumber): \(DigestTemplates.reason(error.error))")
            } catch {
                throw Problem(description: "\(path): \(error)")
            }
        }
        self.library = library
    }

    public func render(_ name: String, _ context: Any) -> String {
        library.render(context, withTemplate: name) ?? ""
    }

    private static func reason(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
        switch error {
        case .sectionCloseNameIncorrect: return "a closing tag does not match the section it closes"
        case .unfinishedName: return "a tag is not closed with }}"
        case .expectedSectionEnd: return "a section is never closed"
        case .invalidSetDelimiter: return "a set-delimiter tag is malformed"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: return "an unknown {{% ...}} pragma"
        default: return "\(error)"
        }
    }

    private static let registerContentTypes: Void = {
        MustacheContentTypes.register(XMLEscaping(), named: "XML")
        MustacheContentTypes.register(JSONStringEscaping(), named: "JSON")
    }()
}

/// Escaping for XML text and attribute values (the Atom feed).
struct XMLEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
            case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Escaping for the inside of a JSON string (the JSON Feed).
struct JSONStringEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"  // Keeps "</script>" out of JSON that may be embedded in a page.
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
