import BriefdCore
import Foundation

/// A registry, config and clock fixed for tests, and shortcuts to check draft text with them.
enum TestSupport {
    static let registry: Registry = {
        let url = Bundle.module.url(forResource: "Fixtures/sources", withExtension: "yml")!
        let text = try! String(contentsOf: url, encoding: .utf8)
        return try! RegistryParser.parse(text, path: "sources.yml")
    }()

    static let config: Config = {
        var config = Config.defaults(at: "/work/config/briefd.yml")
        config.checks.excerptWords = 5...60
        return config
    }()

    static let today = Day(year: 2026, month: 11, day: 27)!

    static func findings(_ text: String, path: String = "draft.md") -> [Finding] {
        DraftChecker(config: config, registry: registry, today: today).check(path: path, bytes: Array(text.utf8))
            .report.findings
    }

    static func rules(_ text: String) -> [String] { findings(text).map(\.rule.id) }

    /// A brief whose front matter and excerpt are clean, with `changes` replacing or adding fields.
    static func brief(_ changes: [String: String?] = [:], body: String = cleanExcerpt) -> String {
        var fields: [(String, String)] = [
            ("title", "Why the Party Is Reining In Its Tech Giants"),
            ("url", "https://www.thewirechina.com/2026/11/16/licensing-rules/"),
            ("source", "The Wire China"),
            ("published", "2026-11-20"),
            ("section", "Government / Politics / Foreign Affairs"),
        ]
        for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
            if let index = fields.firstIndex(where: { $0.0 == key }) {
                if let value { fields[index].1 = value } else { fields.remove(at: index) }
            } else if let value {
                fields.append((key, value))
            }
        }
        return "---\n" + fields.map { "\($0): \($1)\n" }.joined() + "---\n" + body
    }

    static let cleanExcerpt =
        "The rules do not ban anything outright. They make every activity conditional on a licence.\n"

    /// A post with the given Markdown body.
    static func post(_ body: String, date: String = "2026-11-24") -> String {
        "---\nkind: post\ntitle: Notes\nauthor: Joann Pittman\ndate: \(date)\n---\n" + body
    }
}
