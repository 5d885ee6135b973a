import Foundation
import Mustache

/// The digest's Mustache templates, read from `paths.templates` at each build so that an editor can change
/// them without rebuilding briefd. A template that does not parse is reported with its file, line and reason.
///
/// Values are escaped for the format the template writes: HTML by default, `{{% CONTENT_TYPE: TEXT}}`,
/// `XML` or `JSON` for the others.
public struct DigestTemplates: Sendable {
    /// Every template a build renders; the file is `RAWVALUE.mustache`.
    public enum Name: String, Sendable, CaseIterable {
        case web, email, text, markdown, archive, atom
        case feedEntry = "feed-entry"
        case feedJSON = "feed-json"

        var file: String { rawValue + ".mustache" }
    }

    private let library: MustacheLibrary

    /// A template problem: missing, or failing to parse.
    public struct TemplateError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads every template from `folder`.
    public init(folder: String) throws(TemplateError) {
        DigestTemplates.registerContentTypes
        var library = MustacheLibrary()
        for name in Name.allCases {
            let path = folder + "/" + name.file
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TemplateError(
                    description:
                        "\(path): template missing (briefd needs \(Name.allCases.map(\.file).joined(separator: ", ")))")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw TemplateError(description: "\(path): the template is not UTF-8")
            }
            do {
                library.register(try MustacheTemplate(string: text), named: name.rawValue)
            } catch let error as MustacheTemplate.ParserError {
                throw TemplateError(
                    description:
                        "\(path):\(error.context.lineNumber):\(error.context.columnNumber): \(DigestTemplates.reason(error.error))"
                )
            } catch {
                throw TemplateError(description: "\(path): \(error)")
            }
        }
        self.library = library
        self.folder = folder
    }

    private let folder: String

    /// What changes when a template in `folder` is edited, added or removed: the files' modification times.
    public static func stamp(_ folder: String) -> String {
        Name.allCases.map { name -> String in
            var status = stat()
            // A missing template is a stamp of its own ("-"): adding it back changes the stamp.
            guard stat(folder + "/" + name.file, &status) == 0 else { return "-" }
            return "\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec):\(status.st_size)"
        }.joined(separator: ",")
    }

    /// The output of template `name` for `context`.
    ///
    /// - Throws: when the template renders nothing: a page emptied by mistake must not be published as the issue.
    public func render(_ name: Name, _ context: Any) throws(TemplateError) -> String {
        let output = library.render(context, withTemplate: name.rawValue) ?? ""
        guard output.contains(where: { !$0.isWhitespace }) else {
            throw TemplateError(
                description: "\(folder)/\(name.file): the template rendered nothing; nothing was published")
        }
        return output
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

/// Escaping for XML text and attribute values (the Atom feed). Byte-level: the feeds escape every issue's
/// whole content.
struct XMLEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 64)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case UInt8(ascii: "'"): out += Array("&apos;".utf8)
            // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
            case 0x00..<0x20 where byte != 0x09 && byte != 0x0A && byte != 0x0D: continue
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Escaping for the inside of a JSON string (the JSON Feed).
struct JSONStringEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 64)
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case UInt8(ascii: "<"): out += Array("\\u003c".utf8)  // Keeps "</script>" out of JSON embedded in a page.
            case 0x00..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
