import Foundation

/// A workspace whose drafts cite pages of a local test site (a publication "Local Times" on 127.0.0.1), each with the
/// same excerpt, for the tests of what happens after a build: preservation and delivery.
enum LocalSiteWorkspace {
    static let root = String(#filePath).components(separatedBy: "/Tests/")[0]
    static let excerpt =
        "Across the countryside, village schools are closing as families follow work to the cities and birth rates fall in every province of the west."

    /// An article page whose text is `text` (the excerpt by default).
    static func page(_ text: String = excerpt) -> String {
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Village schools</title></head><body><article><h1>Village schools</h1><p>\(text)</p></article></body></html>"
    }

    /// A draft citing `site + path` for each of `paths` (`d0.md`, `d1.md`, …), and a config with `extraConfig`
    /// appended (its `links:` line allows loopback and drops the pace).
    static func make(site: String, paths: [String], extraConfig: String, linksRetries: Bool = true) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "briefd-local-\(UUID().uuidString)"
        )
        .path
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        try "publications:\n  - name: Local Times\n    domains: [127.0.0.1]\n".write(
            toFile: folder + "/sources.yml", atomically: true, encoding: .utf8)
        for (index, path) in paths.enumerated() {
            try """
            ---
            title: Village Schools Close, part \(index + 1)
            url: \(site)\(path)
            source: Local Times
            published: 2026-11-18
            section: Education / Language
            ---
            \(excerpt)

            """.write(toFile: folder + "/drafts/d\(index).md", atomically: true, encoding: .utf8)
        }
        try """
        newsletter: {name: ZGBriefs}
        registry: sources.yml
        paths: {drafts: drafts, digests: out, state: state/briefd.sqlite, reports: reports, templates: \(root)/templates}
        digest: {site_url: https://briefs.example.org/}
        links: {allow_networks: [127.0.0.0/8], per_host_interval_ms: 0\(linksRetries ? "" : ", retries: 0")}
        \(extraConfig)
        """.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        return folder
    }
}
