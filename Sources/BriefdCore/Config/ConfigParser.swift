/// Reads `briefd.yml` strictly: unknown keys are errors naming the key and the closest known one.
public enum ConfigParser {
    static let sections = ["newsletter", "registry", "paths", "checks"]

    /// - Parameter path: the config file's path, absolute or relative to the working folder; relative paths
    ///   inside the file are resolved against its folder.
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> Config {
        var config = Config.defaults(at: path)
        let folder = FilePath.directory(of: path)
        let root: YAMLNode?
        do {
            root = try YAMLReader.compose(text, maxNodes: 100_000)
        } catch {
            throw ConfigurationError(path: path, position: error.position, message: error.message)
        }
        guard let root else { return config }
        let top = try StrictMapping(root, path: path, context: "the config", allowed: sections)

        if let node = top.values["newsletter"] {
            let newsletter = try StrictMapping(node, path: path, context: "newsletter", allowed: ["name", "sections"])
            if let name = try newsletter.string("name") { config.newsletter.name = name }
            let sections = try newsletter.strings("sections")
            if newsletter.values["sections"] != nil {
                guard !sections.isEmpty else { throw newsletter.error("sections", "'sections' must list at least one section") }
                if let repeated = firstRepeated(sections) {
                    throw newsletter.error("sections", "the section '\(repeated)' is listed twice")
                }
                config.newsletter.sections = sections
            }
        }
        if let registry = try top.string("registry") {
            config.registryPath = FilePath.resolve(registry, against: folder)
        }
        if let node = top.values["paths"] {
            let paths = try StrictMapping(
                node, path: path, context: "paths", allowed: ["drafts", "reports", "digests", "state"])
            if let value = try paths.string("drafts") { config.paths.drafts = FilePath.resolve(value, against: folder) }
            if let value = try paths.string("reports") { config.paths.reports = FilePath.resolve(value, against: folder) }
            if let value = try paths.string("digests") { config.paths.digests = FilePath.resolve(value, against: folder) }
            if let value = try paths.string("state") { config.paths.state = FilePath.resolve(value, against: folder) }
        }
        if let node = top.values["checks"] {
            let checks = try StrictMapping(
                node, path: path, context: "checks", allowed: ["max_draft_bytes", "excerpt_words"])
            if let bytes = try checks.int("max_draft_bytes", in: 1024...(256 * 1024 * 1024)) {
                config.checks.maxDraftBytes = bytes
            }
            if let wordsNode = checks.values["excerpt_words"] {
                let words = try StrictMapping(wordsNode, path: path, context: "excerpt_words", allowed: ["min", "max"])
                let minimum = try words.int("min", in: 0...100_000) ?? config.checks.excerptWords.lowerBound
                let maximum = try words.int("max", in: 1...100_000) ?? config.checks.excerptWords.upperBound
                guard minimum <= maximum else { throw words.error("min", "'min' (\(minimum)) is above 'max' (\(maximum))") }
                config.checks.excerptWords = minimum...maximum
            }
        }
        return config
    }

    private static func firstRepeated(_ values: [String]) -> String? {
        var seen = Set<String>()
        return values.first { !seen.insert($0).inserted }
    }
}
