/// Where a draft stands, as the reports index shows it.
public enum DraftStatus: String, Sendable, Codable {
    /// No error: it can go in the next issue.
    case ready
    /// At least one error to fix.
    case needsWork = "needs work"
    /// The file or its front matter could not be read at all.
    case unreadable
    /// Its own findings are in; its links and quotes are still being checked.
    case checking

    public static func of(_ report: DraftReport) -> DraftStatus {
        if report.findings.contains(where: { $0.rule == .draftUnreadable || $0.rule == .frontMatterInvalid }) {
            return .unreadable
        }
        return report.hasErrors ? .needsWork : .ready
    }
}

/// `reports/INDEX.md` and `INDEX.json`: every draft with its status and counts, newest first.
public enum DraftIndex {
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var status: DraftStatus
        public var errors: Int
        public var warnings: Int
        /// The draft's modification time, seconds since 1970.
        public var modified: Double
        /// The text report, relative to the reports folder.
        public var report: String

        public init(path: String, status: DraftStatus, errors: Int, warnings: Int, modified: Double, report: String) {
            self.path = path
            self.status = status
            self.errors = errors
            self.warnings = warnings
            self.modified = modified
            self.report = report
        }
    }

    static func ordered(_ entries: [Entry]) -> [Entry] {
        entries.sorted { $0.modified != $1.modified ? $0.modified > $1.modified : $0.path < $1.path }
    }

    static func counts(_ entries: [Entry]) -> (ready: Int, needsWork: Int, unreadable: Int, checking: Int) {
        (
            entries.count { $0.status == .ready }, entries.count { $0.status == .needsWork },
            entries.count { $0.status == .unreadable }, entries.count { $0.status == .checking }
        )
    }

    public static func markdown(_ entries: [Entry]) -> String {
        let (ready, needsWork, unreadable, checking) = counts(entries)
        var out = "# Drafts\n\n\(entries.count) draft\(entries.count == 1 ? "" : "s"): \(ready) ready, \(needsWork) need\(needsWork == 1 ? "s" : "") work, "
        out += "\(checking) checking, \(unreadable) unreadable. Newest first.\n\n"
        out += "| status | errors | warnings | modified | draft | report |\n|---|---|---|---|---|---|\n"
        for entry in ordered(entries) {
            let cell = { (text: String) in text.replacingPipes() }
            out += "| \(entry.status.rawValue) | \(entry.errors) | \(entry.warnings) | \(JSONText.timestamp(entry.modified)) | "
            out += "\(cell(entry.path)) | [\(cell(entry.report))](\(entry.report.addingSpacesEscaped())) |\n"
        }
        return out
    }

    public static func json(_ entries: [Entry]) -> String {
        let (ready, needsWork, unreadable, checking) = counts(entries)
        let summary = Summary(drafts: entries.count, ready: ready, needsWork: needsWork, checking: checking, unreadable: unreadable)
        return JSONText.listing("drafts", ordered(entries).map(Record.init), summary: summary)
    }

    /// One draft in `INDEX.json`.
    struct Record: Encodable {
        let path: String, status: DraftStatus, errors: Int, warnings: Int, modified: String, report: String

        init(_ entry: Entry) {
            (path, status, errors, warnings) = (entry.path, entry.status, entry.errors, entry.warnings)
            (modified, report) = (JSONText.timestamp(entry.modified), entry.report)
        }
    }

    struct Summary: Encodable {
        let drafts: Int, ready: Int, needsWork: Int, checking: Int, unreadable: Int

        enum CodingKeys: String, CodingKey {
            case drafts, ready, needsWork = "needs_work", checking, unreadable
        }
    }
}

extension String {
    fileprivate func replacingPipes() -> String { split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }
    fileprivate func addingSpacesEscaped() -> String { split(separator: " ", omittingEmptySubsequences: false).joined(separator: "%20") }
}
