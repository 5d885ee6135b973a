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

    /// `{"links": [...], "summary": {...}}`, one link per line. Written by hand: Foundation's encoder
    /// needs several times the time and memory for a run of ten thousand links.
    public static func json(_ entries: [Entry]) -> String {
        var out = "{\"links\": [\n"
        out.reserveCapacity(entries.count * 400)
        for (index, entry) in entries.enumerated() {
            let result = entry.result
            out += "{\"url\": " + JSONText.string(result.url)
            out += ", \"ok\": " + (result.ok ? "true" : "false")
            out += ", \"verdict\": " + JSONText.string(result.verdict.rawValue)
            out += ", \"status\": " + (result.status.map(String.init) ?? "null")
            out += ", \"final_url\": " + (result.finalURL.map(JSONText.string) ?? "null")
            out += ", \"redirects\": ["
            out += result.redirects.map { "{\"status\": \($0.status), \"url\": " + JSONText.string($0.url) + "}" }
                .joined(separator: ", ")
            out += "], \"error\": " + (result.error.map(JSONText.string) ?? "null")
            out += ", \"sources\": ["
            out += entry.link.citations.map {
                "{\"path\": " + JSONText.string($0.path) + ", \"line\": \($0.line), \"column\": \($0.column)}"
            }.joined(separator: ", ")
            out += "], \"checked_at\": " + JSONText.string(JSONText.timestamp(result.checkedAt))
            out += ", \"duration_ms\": \(result.durationMilliseconds), \"tries\": \(result.tries)"
            out += ", \"cached\": " + (result.cached ? "true" : "false") + "}"
            out += index == entries.count - 1 ? "\n" : ",\n"
        }
        let summary = Summary(entries)
        let verdicts = summary.verdicts.keys.sorted().map { JSONText.string($0) + ": \(summary.verdicts[$0]!)" }
        out += "], \"summary\": {\"total\": \(summary.total), \"ok\": \(summary.ok), \"problems\": \(summary.problems), "
        out += "\"cached\": \(summary.cached), \"verdicts\": {" + verdicts.joined(separator: ", ") + "}}}\n"
        return out
    }
}

/// JSON as briefd writes it. `pretty` (Encodable) for everything but the link report, whose hand-written writer
/// (strings and timestamps below) is kept for speed on ten thousand links.
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

    private static func encode(_ value: some Encodable, formatting: JSONEncoder.OutputFormatting) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
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
