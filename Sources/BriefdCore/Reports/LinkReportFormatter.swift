import Foundation

/// Renders link-check results for people (text) and programs (JSON), and lists extracted links (`--dump`).
public enum LinkReportFormatter {
    /// One link's result with where it is cited.
    public struct Entry: Sendable {
        public var link: CitedLink
        public var result: LinkResult

        public init(link: CitedLink, result: LinkResult) {
            self.link = link
            self.result = result
        }
    }

    public struct Summary: Sendable, Encodable {
        public var total = 0
        public var ok = 0
        public var problems = 0
        public var cached = 0
        /// How many links got each verdict, by verdict id.
        public var verdicts: [String: Int] = [:]

        public init(_ entries: [Entry]) {
            for entry in entries {
                total += 1
                if entry.result.ok { ok += 1 } else if entry.result.verdict != .skipped { problems += 1 }
                if entry.result.cached { cached += 1 }
                verdicts[entry.result.verdict.rawValue, default: 0] += 1
            }
        }
    }

    /// The URLs, one per line, in order of first citation (as `lychee --dump` prints them).
    public static func dump(_ links: [CitedLink]) -> String {
        links.map { $0.url + "\n" }.joined()
    }

    /// Every link that needs attention, at each place it is cited, then a summary line.
    public static func text(_ entries: [Entry]) -> String {
        var out = ""
        for entry in entries where !(entry.result.verdict == .ok || entry.result.verdict == .skipped) {
            let result = entry.result
            var line = "\(label(result)) \(result.url)"
            if let status = result.status { line += " (\(status))" }
            if let final = result.finalURL, result.verdict == .redirected || result.verdict == .soft404 {
                line += " -> \(final)"
            }
            if let error = result.error, result.verdict != .redirected { line += ": \(error)" }
            for citation in entry.link.citations {
                out += "\(citation.path):\(citation.line):\(citation.column): \(line)\n"
            }
        }
        let summary = Summary(entries)
        let counts = LinkVerdict.allCases.compactMap { verdict in
            summary.verdicts[verdict.rawValue].map { "\($0) \(verdict.rawValue)" }
        }
        out += "\(summary.total) link\(summary.total == 1 ? "" : "s") checked"
        out += counts.isEmpty ? "" : ": " + counts.joined(separator: ", ")
        out += summary.cached > 0 ? " (\(summary.cached) from the cache)\n" : "\n"
        return out
    }

    private static func label(_ result: LinkResult) -> String {
        result.verdict == .paywalled ? "ok (paywalled)" : result.verdict.rawValue
    }

    private struct Document: Encodable {
        var links: [Link]
        var summary: Summary
    }

    private struct Link: Encodable {
        var url: String
        var ok: Bool
        var verdict: String
        var status: Int?
        var final_url: String?
        var redirects: [LinkRedirect]
        var error: String?
        var sources: [LinkCitation]
        var checked_at: String
        var duration_ms: Int
        var cached: Bool

        func encode(to encoder: any Encoder) throws {
            // Written by hand so that absent values appear as null, not as missing keys.
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(url, forKey: .url)
            try container.encode(ok, forKey: .ok)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(status, forKey: .status)
            try container.encode(final_url, forKey: .final_url)
            try container.encode(redirects, forKey: .redirects)
            try container.encode(error, forKey: .error)
            try container.encode(sources, forKey: .sources)
            try container.encode(checked_at, forKey: .checked_at)
            try container.encode(duration_ms, forKey: .duration_ms)
            try container.encode(cached, forKey: .cached)
        }

        enum Keys: String, CodingKey {
            case url, ok, verdict, status, final_url, redirects, error, sources, checked_at, duration_ms, cached
        }
    }

    public static func json(_ entries: [Entry]) -> String {
        let formatter = ISO8601DateFormatter()
        let links = entries.map { entry in
            Link(
                url: entry.result.url, ok: entry.result.ok, verdict: entry.result.verdict.rawValue,
                status: entry.result.status, final_url: entry.result.finalURL, redirects: entry.result.redirects,
                error: entry.result.error, sources: entry.link.citations,
                checked_at: formatter.string(from: Date(timeIntervalSince1970: entry.result.checkedAt)),
                duration_ms: entry.result.durationMilliseconds, cached: entry.result.cached)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Document(links: links, summary: Summary(entries)))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
