import Foundation

/// One thing wrong with an issue's email: its rule (`email.…`), what and where, and how to fix it.
public struct EmailFinding: Sendable, Codable, Equatable {
    public var rule: String
    public var message: String
    /// The line of `email.html` it is on; nil for the message as a whole.
    public var line: Int?

    public init(rule: String, message: String, line: Int?) {
        self.rule = rule
        self.message = message
        self.line = line
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rule, forKey: .rule)
        try container.encode(message, forKey: .message)
        try container.encode(line, forKey: .line)  // null when the finding is about the whole email
    }

    enum CodingKeys: String, CodingKey { case rule, message, line }
}

/// The checks an issue's email passes before it goes to thousands of inboxes: what mail clients and screen readers
/// need, on the HTML the templates rendered and the text version beside it. They run at every build.
public enum EmailChecks {
    /// Gmail clips a message whose HTML is larger than about 102 KB, hiding the rest behind "View entire message".
    public static let clippingBytes = 102_000

    /// Link texts that say nothing out of context (a screen reader's list of links).
    static let vagueTexts: Set<String> = [
        "here", "click here", "click", "this", "link", "this link", "more", "read more",
    ]

    /// - Parameters:
    ///   - html: `email.html`.
    ///   - text: `digest.txt`.
    ///   - itemURLs: every item's address: each must be in the text version.
    public static func check(html: [UInt8], text: String, itemURLs: [String]) -> [EmailFinding] {
        var findings: [EmailFinding] = []
        if html.count > clippingBytes {
            findings.append(
                EmailFinding(
                    rule: "email.clipped",
                    message:
                        "the email's HTML is \(html.count / 1000) KB; Gmail clips messages over about 102 KB and hides the rest (shorten the excerpts or move items to the next issue)",
                    line: nil))
        }
        guard
            let elements = ArticleExtractor.readElements(
                html: html, names: ["html", "table", "img", "a", "link", "script"])
        else {
            return findings + [
                EmailFinding(rule: "email.unreadable", message: "the email's HTML cannot be read", line: nil)
            ]
        }
        for element in elements {
            switch element.name {
            case "html" where (element.attributes["lang"] ?? "").trimmingWhitespace().isEmpty:
                findings.append(
                    EmailFinding(
                        rule: "email.lang",
                        message: "<html> has no lang attribute: screen readers guess the language (add lang=\"en\")",
                        line: element.line))
            case "table" where element.attributes["role"]?.lowercased() != "presentation":
                findings.append(
                    EmailFinding(
                        rule: "email.layout-table",
                        message:
                            "a layout table without role=\"presentation\": screen readers announce it as a data table",
                        line: element.line))
            case "img" where element.attributes["alt"] == nil:
                findings.append(
                    EmailFinding(
                        rule: "email.img-alt",
                        message: "an image without alt text (alt=\"\" for a decorative one)", line: element.line))
            case "a":
                findings += link(element)
            case "link" where (element.attributes["rel"] ?? "").lowercased().contains("stylesheet"):
                findings.append(
                    EmailFinding(
                        rule: "email.remote-resource",
                        message:
                            "a stylesheet loaded from \(element.attributes["href"] ?? "elsewhere"): mail clients drop it; inline the styles",
                        line: element.line))
            case "script":
                findings.append(
                    EmailFinding(
                        rule: "email.remote-resource",
                        message: "a <script>: mail clients strip it, and spam filters mark it", line: element.line))
            default:
                break
            }
        }
        for url in itemURLs where !text.contains(url) {
            findings.append(
                EmailFinding(
                    rule: "email.text-part",
                    message: "the text version lacks the item \(url): readers of plain-text mail would miss it",
                    line: nil))
        }
        return findings
    }

    private static func link(_ element: PageElement) -> [EmailFinding] {
        var findings: [EmailFinding] = []
        let href = (element.attributes["href"] ?? "").trimmingWhitespace()
        let lowered = href.lowercased()
        if !(lowered.hasPrefix("https://") || lowered.hasPrefix("http://") || lowered.hasPrefix("mailto:")) {
            findings.append(
                EmailFinding(
                    rule: "email.relative-link",
                    message:
                        "a link to '\(href)' is not absolute: in a mail client it leads nowhere (use https://…)",
                    line: element.line))
        }
        let text = element.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let plain = text.lowercased().trimmingCharacters(in: .punctuationCharacters)
        if vagueTexts.contains(plain) {
            findings.append(
                EmailFinding(
                    rule: "email.link-text",
                    message: "a link whose text is '\(text)': say where it leads (the article's title)",
                    line: element.line))
        } else if plain.hasPrefix("http://") || plain.hasPrefix("https://") || plain.hasPrefix("www.") {
            findings.append(
                EmailFinding(
                    rule: "email.link-text",
                    message: "a link whose text is a bare address: say where it leads (the article's title)",
                    line: element.line))
        }
        return findings
    }
}
