/// The loaded `briefd.yml`: the newsletter, where the registry and folders are, and the checks' limits.
/// Paths are absolute, resolved against the config file's folder.
public struct Config: Sendable {
    public var path: String
    public var newsletter = Newsletter()
    public var registryPath: String
    public var paths: Paths
    public var checks = CheckSettings()
    public var links = LinkSettings()
    public var digest = DigestSettings()
    public var daemon = DaemonSettings()
    public var rot = RotPolicy()
    public var alerts = AlertSettings(jsonl: nil)
    public var web = WebSettings()
    public var archive = ArchiveSettings()
    public var delivery = DeliverySettings()

    public struct Newsletter: Sendable {
        public var name = "ZGBriefs"
        public var sections = Config.defaultSections
    }

    public struct Paths: Sendable {
        public var drafts: String
        public var reports: String
        public var digests: String
        public var state: String
        /// The Mustache templates of the digest; editors may change them without rebuilding briefd.
        public var templates: String
    }

    public struct CheckSettings: Sendable {
        /// Drafts larger than this are not read (`draft.unreadable`).
        public var maxDraftBytes = 2 * 1024 * 1024
        /// A brief's excerpt outside this many words is `brief.excerpt-length`.
        public var excerptWords = 20...400
    }

    public static let defaultSections = [
        "Government / Politics / Foreign Affairs", "Economy / Trade / Business", "Society / Culture / Life", "Religion",
        "Education / Language", "Travel / Food", "Books",
    ]

    /// A config with defaults, its folders laid out beside `path` as in the bundled example.
    public static func defaults(at path: String) -> Config {
        let folder = PathArithmetic.directory(of: path)
        var config = Config(
            path: path, registryPath: PathArithmetic.resolve("sources.yml", against: folder),
            paths: Paths(
                drafts: PathArithmetic.resolve("../examples/drafts", against: folder),
                reports: PathArithmetic.resolve("../var/reports", against: folder),
                digests: PathArithmetic.resolve("../var/digests", against: folder),
                state: PathArithmetic.resolve("../var/briefd.sqlite", against: folder),
                templates: PathArithmetic.resolve("../templates", against: folder)))
        config.alerts.jsonl = PathArithmetic.resolve("../var/alerts.jsonl", against: folder)
        return config
    }
}

/// Path arithmetic on strings (no file-system access): resolving config-relative paths.
public enum PathArithmetic {
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` made absolute against `folder` when relative, with `.` and `..` resolved.
    public static func resolve(_ path: String, against folder: String) -> String {
        let joined = path.hasPrefix("/") ? path : folder + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !joined.hasPrefix("/") {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let body = parts.joined(separator: "/")
        return joined.hasPrefix("/") ? "/" + body : (body.isEmpty ? "." : body)
    }
}
