/// A ready-to-paste line for `sources.yml`, so that adding a name the checks did not know is one step.
public enum RegistryEntryText {
    public static func person(name: String) -> String { "- {name: \(scalar(name))}" }

    public static func publication(name: String, domains: [String]) -> String {
        "- {name: \(scalar(name)), domains: [\(domains.map(scalar).joined(separator: ", "))]}"
    }

    /// A YAML flow scalar: plain when that reads back as the same string, double-quoted otherwise (a colon, a
    /// comma, a bracket, a leading quote or dash would change the line's meaning).
    static func scalar(_ text: String) -> String {
        let special: Set<Character> = [
            ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`",
        ]
        let plain =
            !text.isEmpty && !text.contains(where: special.contains) && text.first != "-" && text.first != "?"
            && text.trimmingWhitespace() == text
        guard !plain else { return text }
        // A JSON string is a YAML double-quoted scalar.
        return JSONText.string(text)
    }
}
