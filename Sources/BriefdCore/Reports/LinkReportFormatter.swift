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

    public struct Summary: Sendable {
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
            if let final = result.finalURL, result.verdict == .redirected || result.verdict == .soft404 {
                line += " -> \(final)"
            }
            // In the editor's words; `--format json` keeps the status and the raw error.
            if result.verdict != .redirected,
                let problem = LinkProblem.sentence(status: result.status, error: result.error)
            {
                line += ": \(problem)"
            } else if let status = result.status, result.verdict != .redirected {
                line += " (\(status))"
            }
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

    /// `{"links": [...], "summary": {...}}`, one link per line.
    public static func json(_ entries: [Entry]) -> String {
        JSONText.listing("links", entries.map(LinkRecord.init), summary: SummaryRecord(Summary(entries)))
    }

    /// One link in the JSON report. The field names are the report's contract (README, "briefd links"); absent
    /// values are written as `null`, not left out, so that every record has every field.
    struct LinkRecord: Encodable {
        let entry: Entry

        init(_ entry: Entry) { self.entry = entry }

        enum CodingKeys: String, CodingKey {
            case url, ok, verdict, status, finalURL = "final_url", redirects, error, sources
            case checkedAt = "checked_at", durationMilliseconds = "duration_ms", tries, cached
        }

        func encode(to encoder: any Encoder) throws {
            let result = entry.result
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(result.url, forKey: .url)
            try container.encode(result.ok, forKey: .ok)
            try container.encode(result.verdict.rawValue, forKey: .verdict)
            try container.encode(result.status, forKey: .status)
            try container.encode(result.finalURL, forKey: .finalURL)
            try container.encode(result.redirects, forKey: .redirects)
            try container.encode(result.error, forKey: .error)
            try container.encode(entry.link.citations, forKey: .sources)
            try container.encode(JSONText.timestamp(result.checkedAt), forKey: .checkedAt)
            try container.encode(result.durationMilliseconds, forKey: .durationMilliseconds)
            try container.encode(result.tries, forKey: .tries)
            try container.encode(result.cached, forKey: .cached)
        }
    }

    struct SummaryRecord: Encodable {
        let total: Int, ok: Int, problems: Int, cached: Int
        let verdicts: [String: Int]

        init(_ summary: Summary) {
            (total, ok, problems, cached, verdicts) = (
                summary.total, summary.ok, summary.problems, summary.cached, summary.verdicts
            )
        }
    }
}

/// JSON as briefd writes it: Encodable values, sorted keys. (The Mustache JSON escaper stays for the JSON Feed
/// template; `string` below is for the few places that put one string into hand-made text.)
public enum JSONText {
    /// Pretty-printed, sorted keys, slashes unescaped, a final newline. Encoding briefd's own types fails only on a
    /// non-finite number; should it ever, the output says so in JSON rather than pretending to be an empty object.
    public static func pretty(_ value: some Encodable) -> String {
        encode(value, formatting: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) + "\n"
    }

    /// On one line (JSON Lines, webhooks), sorted keys.
    public static func line(_ value: some Encodable) -> String {
        encode(value, formatting: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// `{"<key>": [...], "summary": {...}}` with one record per line, so that a report of ten thousand links or
    /// drafts stays readable with `grep` and `diff` (pretty-printing would spread each record over a dozen lines).
    public static func listing(_ key: String, _ records: [some Encodable], summary: some Encodable) -> String {
        let encoder = JSONEncoder()
        // Sorted keys: Foundation's encoder on Linux keeps no declaration order, and a report's lines should not
        // change from run to run.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = "{" + string(key) + ": [\n"
        out += records.map { encoded($0, with: encoder) }.joined(separator: ",\n")
        out += "\n], \"summary\": " + encoded(summary, with: encoder) + "}\n"
        return out
    }

    private static func encode(_ value: some Encodable, formatting: JSONEncoder.OutputFormatting) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        return encoded(value, with: encoder)
    }

    private static func encoded(_ value: some Encodable, with encoder: JSONEncoder) -> String {
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            return "{\"error\": " + string("briefd could not write this JSON: \(error)") + "}"
        }
    }

    public static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `2026-11-27T16:50:30Z` for seconds since 1970.
    public static func timestamp(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let day = Day(daysSinceEpoch: total >= 0 ? total / 86_400 : (total - 86_399) / 86_400)
        let second = total - day.daysSinceEpoch * 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day.description)T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
    }
}
