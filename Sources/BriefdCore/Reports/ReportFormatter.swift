import Foundation

/// Renders draft reports for people (text), programs (JSON) and GitHub workflow annotations.
public enum ReportFormatter {
    public enum Format: String, Sendable, CaseIterable { case text, json, github }

    public struct Summary: Sendable, Codable {
        public var drafts: Int
        public var errors: Int
        public var warnings: Int
        public var infos: Int
        /// Drafts with no error and no warning (`DraftReport.isClean`), as the text summary counts them.
        public var clean: Int

        public init(_ reports: [DraftReport]) {
            drafts = reports.count
            errors = reports.reduce(0) { $0 + $1.errorCount }
            warnings = reports.reduce(0) { $0 + $1.warningCount }
            infos = reports.reduce(0) { $0 + $1.infoCount }
            clean = reports.count(where: \.isClean)
        }
    }

    public static func render(_ reports: [DraftReport], as format: Format) -> String {
        switch format {
        case .text: return text(reports)
        case .json: return json(reports)
        case .github: return github(reports)
        }
    }

    /// `path:line:col: severity rule: message`, each suggestion indented under its finding, then one summary line.
    public static func text(_ reports: [DraftReport]) -> String {
        var out = ""
        for report in reports {
            for finding in report.findings {
                out += "\(report.path):\(finding.position.line):\(finding.position.column): "
                out += "\(finding.severity.rawValue) \(finding.rule.id): \(finding.message)\n"
                // The suggestion under its finding, with where it comes from, as the JSON and the desk have it.
                if let suggestion = finding.suggestion {
                    out += "    suggestion (\(finding.suggestionSource ?? "no source given")): \(suggestion)\n"
                }
            }
        }
        let summary = Summary(reports)
        let clean = summary.clean
        out +=
            "\(summary.drafts) draft\(summary.drafts == 1 ? "" : "s") checked: \(summary.errors) error\(summary.errors == 1 ? "" : "s"), "
        out += "\(summary.warnings) warning\(summary.warnings == 1 ? "" : "s"), \(clean) clean\n"
        return out
    }

    private struct Document: Encodable {
        var drafts: [DraftReport]
        var summary: Summary
    }

    public static func json(_ reports: [DraftReport]) -> String {
        JSONText.pretty(Document(drafts: reports, summary: Summary(reports)))
    }

    /// One report as JSON: the same shape as an entry of `json(_:)`'s `drafts`.
    public static func json(_ report: DraftReport) -> String { JSONText.pretty(report) }

    /// GitHub workflow commands; `%`, CR and LF escaped as the runner expects.
    public static func github(_ reports: [DraftReport]) -> String {
        func escapeData(_ text: String) -> String {
            text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
        }
        func escapeProperty(_ text: String) -> String {
            escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        }
        var out = ""
        for report in reports {
            for finding in report.findings {
                let command = finding.severity == .info ? "notice" : finding.severity.rawValue
                out += "::\(command) file=\(escapeProperty(report.path)),line=\(finding.position.line),"
                out += "col=\(finding.position.column),title=\(escapeProperty(finding.rule.id))::"
                out += escapeData(finding.message) + "\n"
            }
        }
        return out
    }
}
