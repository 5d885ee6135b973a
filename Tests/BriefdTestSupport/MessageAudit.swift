import Foundation

/// The message audit's checks of text an editor reads (issue 31): what no sentence of briefd may contain.
public enum MessageAudit {
    /// Library texts that must have been put in the editor's words before being shown (the raw detail stays in
    /// JSON): libcurl's and OpenSSL's error strings.
    static let rawLibraryTexts: [String] = [
        "OpenSSL/", "SSL routines", "error:0A", "Could not resolve host", "Failed to connect to",
        "Connection refused", "Operation timed out", "curl: (", "CURLE_", "SSL_ERROR_", "wrong version number",
        "Recv failure", "Send failure", "getaddrinfo",
    ]

    /// Each problem of `text`, with the line it is on: a raw library text, or a clock time without its zone
    /// ("10:00" with no offset or `Z` after it; "2026-12-10 10:00 +08:00" and "…T02:00:00Z" pass).
    public static func problems(in text: String, source: String) -> [String] {
        var found: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            for raw in rawLibraryTexts where line.contains(raw) {
                found.append("\(source): a raw library text '\(raw)': \(line)")
            }
            for time in unzonedTimes(in: String(line)) {
                found.append("\(source): a time without its zone '\(time)': \(line)")
            }
        }
        return found
    }

    /// Clock times (HH:MM, optionally :SS) not followed by an offset or `Z`; ratios and verses ("3:16") and
    /// positions ("draft.md:9:1") are not clock times.
    static func unzonedTimes(in line: String) -> [String] {
        // Swift's Regex has no lookbehind: what comes before is checked below.
        let pattern = try! Regex(#"(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?![\d:])(?!\s?(?:[+-]\d{2}:?\d{2}|Z|UTC|GMT))"#)
        return line.matches(of: pattern).compactMap { match in
            let text = String(line[match.range])
            // A clock time has an hour below 24 and minutes below 60, and a date or a space before it.
            let parts = text.split(separator: ":").compactMap { Int($0) }
            guard parts.count >= 2, parts[0] < 24, parts[1] < 60 else { return nil }
            let before = line[..<match.range.lowerBound].suffix(1)
            return before == " " || before == "T" ? text : nil
        }
    }
}
