/// Reads `sources.yml` into a `Registry`, strictly: unknown keys, duplicate names and aliases claimed by two
/// entries are errors naming the file and line. An entry repeating its own name as an alias (`TIME` with the
/// alias `Time`) is harmless: the repetition is dropped and noted in `Registry.warnings`.
public enum RegistryParser {
    /// Large enough for 100,000 people with roles; an alias bomb is refused long before it is expanded.
    public static let maxValues = 5_000_000

    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> Registry {
        let root: YAMLNode?
        do {
            root = try YAMLReader.compose(text, maxNodes: maxValues)
        } catch {
            throw ConfigurationError(path: path, position: error.position, message: error.message)
        }
        guard let root else { return .empty }
        let top = try StrictMapping(root, path: path, context: "the registry", allowed: ["publications", "people"])
        // Folded name or alias -> the entry holding it (by its node's position: two entries never share one), where.
        var claimed: [String: (owner: String, entry: SourcePosition, at: SourcePosition)] = [:]
        var warnings: [String] = []

        /// False when the entry already holds `name` (spelled the same but for case or accents): then it is
        /// dropped with a warning. Two entries claiming one name stay an error.
        func claim(_ name: String, owner: String, entry: SourcePosition, at position: SourcePosition)
            throws(ConfigurationError)
            -> Bool
        {
            let key = NameFolding.fold(name)
            if let previous = claimed[key] {
                guard previous.entry == entry else {
                    let what =
                        previous.owner == owner
                        ? "twice: by '\(owner)' (line \(previous.at.line)) and again here"
                        : "by both '\(previous.owner)' (line \(previous.at.line)) and '\(owner)'"
                    throw ConfigurationError(
                        path: path, position: position, message: "the name '\(name)' is claimed \(what)")
                }
                warnings.append(
                    "\(path):\(position.line):\(position.column): '\(name)' repeats a name of '\(owner)'; it can go")
                return false
            }
            claimed[key] = (owner, entry, position)
            return true
        }

        var publications: [Publication] = []
        for node in try list(top.values["publications"], path: path, key: "publications") {
            let entry = try StrictMapping(
                node, path: path, context: "a publication", allowed: ["name", "aliases", "domains", "paywall"])
            let name = try nonEmpty(entry, "name")
            let domains = try entry.strings("domains").map { $0.lowercased() }
            for domain in domains where !isHostName(domain) {
                throw entry.error(
                    "domains", "'\(domain)' is not a host name (write 'caixinglobal.com', no scheme or path)")
            }
            _ = try claim(name, owner: name, entry: node.position, at: node.position)
            var aliases: [String] = []
            for alias in try entry.strings("aliases")
            where try claim(
                alias, owner: name, entry: node.position, at: entry.values["aliases"]?.position ?? node.position)
            {
                aliases.append(alias)
            }
            publications.append(
                Publication(
                    name: name, aliases: aliases, domains: domains, paywall: try entry.bool("paywall") ?? false,
                    position: node.position))
        }
        let publicationNames = Set(publications.flatMap { [$0.name] + $0.aliases })

        claimed = [:]  // a person may share a name with a publication, but not with another person
        var people: [Person] = []
        for node in try list(top.values["people"], path: path, key: "people") {
            let entry = try StrictMapping(
                node, path: path, context: "a person",
                allowed: ["name", "aliases", "roles", "writes_for", "family_first"])
            let name = try nonEmpty(entry, "name")
            _ = try claim(name, owner: name, entry: node.position, at: node.position)
            var aliases: [String] = []
            for alias in try entry.strings("aliases")
            where try claim(
                alias, owner: name, entry: node.position, at: entry.values["aliases"]?.position ?? node.position)
            {
                aliases.append(alias)
            }
            var roles: [Role] = []
            for roleNode in try list(entry.values["roles"], path: path, key: "roles") {
                let role = try StrictMapping(
                    roleNode, path: path, context: "a role", allowed: ["title", "org", "from", "until"])
                let from = try role.day("from")
                let until = try role.day("until")
                if let from, let until, until < from {
                    throw role.error("until", "the role ends (\(until)) before it starts (\(from))")
                }
                roles.append(
                    Role(
                        title: try nonEmpty(role, "title"), org: try role.string("org") ?? "", from: from, until: until)
                )
            }
            let writesFor = try entry.strings("writes_for")
            for outlet in writesFor where !publicationNames.contains(outlet) {
                let hint =
                    EditDistance.closest(to: outlet, in: publicationNames).map { "; did you mean '\($0)'?" } ?? ""
                throw entry.error("writes_for", "'\(outlet)' is not a publication in the registry\(hint)")
            }
            people.append(
                Person(
                    name: name, aliases: aliases, roles: roles, writesFor: writesFor, position: node.position,
                    familyFirst: try entry.bool("family_first")))
        }
        var registry = Registry(publications: publications, people: people)
        registry.warnings = warnings
        return registry
    }

    private static func list(_ node: YAMLNode?, path: String, key: String) throws(ConfigurationError) -> [YAMLNode] {
        guard let node, !node.isNull else { return [] }
        guard let items = node.sequence else {
            throw ConfigurationError(
                path: path, position: node.position, message: "'\(key)' must be a list, found \(node.kindDescription)")
        }
        return items
    }

    private static func nonEmpty(_ entry: StrictMapping, _ key: String) throws(ConfigurationError) -> String {
        guard let text = try entry.string(key, required: true)?.trimmingWhitespace(), !text.isEmpty else {
            throw entry.error(key, "'\(key)' must not be empty")
        }
        return text
    }

    static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 253, !text.hasPrefix("."), !text.hasSuffix("."), text.contains(".") else {
            return false
        }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0.value > 0x7F
        }
    }
}
