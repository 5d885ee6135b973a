/// Where a draft stands (`DraftAccount` decides it, for every surface alike).
public enum DraftStatus: String, Sendable, Codable, CaseIterable {
    /// Its own findings are in; its links and quotes are still being checked (or their check failed and is
    /// tried again): not known to be clean.
    case checking
    /// The file or its front matter could not be read at all.
    case unreadable
    /// At least one error to fix.
    case needsWork = "needs-work"
    /// No error: the coming issue takes it if built now.
    case ready
    /// Fine, but not for the coming issue: meant for a later one, or for a past one that was never built.
    case held
    /// In an issue already built.
    case published

    /// The status of a report on its own, before the account places it (`briefd check`).
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
        /// Why it has that status (the account's first reason).
        public var reason: String
        public var errors: Int
        public var warnings: Int
        /// The draft's modification time, seconds since 1970.
        public var modified: Double
        /// The text report, relative to the reports folder.
        public var report: String

        public init(
            path: String, status: DraftStatus, reason: String = "", errors: Int, warnings: Int, modified: Double,
            report: String
        ) {
            self.path = path
            self.status = status
            self.reason = reason
            self.errors = errors
            self.warnings = warnings
            self.modified = modified
            self.report = report
        }
    }

    static func ordered(_ entries: [Entry]) -> [Entry] {
        entries.sorted { $0.modified != $1.modified ? $0.modified > $1.modified : $0.path < $1.path }
    }

    static func counts(_ entries: [Entry]) -> [DraftStatus: Int] {
        var counts: [DraftStatus: Int] = [:]
        for entry in entries { counts[entry.status, default: 0] += 1 }
        return counts
    }

    /// "3 drafts: 1 ready, 1 needs-work, 0 checking, …": every status, in the order an editor acts on them.
    public static func summaryLine(_ counts: [DraftStatus: Int]) -> String {
        let total = counts.values.reduce(0, +)
        return DraftAccount.counted(total, "draft") + ": "
            + DraftStatus.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
    }

    public static func markdown(_ entries: [Entry]) -> String {
        var out = "# Drafts\n\n" + summaryLine(counts(entries)) + ". Newest first.\n\n"
        out += "| status | why | errors | warnings | modified | draft | report |\n|---|---|---|---|---|---|---|\n"
        for entry in ordered(entries) {
            let cell = { (text: String) in text.replacingPipes().replacingNewlines() }
            out +=
                "| \(entry.status.rawValue) | \(cell(entry.reason)) | \(entry.errors) | \(entry.warnings) | \(JSONText.timestamp(entry.modified)) | "
            out += "\(cell(entry.path)) | [\(cell(entry.report))](\(entry.report.addingSpacesEscaped())) |\n"
        }
        return out
    }

    public static func json(_ entries: [Entry]) -> String {
        let counts = counts(entries)
        let summary = Summary(
            drafts: entries.count, ready: counts[.ready] ?? 0, needsWork: counts[.needsWork] ?? 0,
            checking: counts[.checking] ?? 0, unreadable: counts[.unreadable] ?? 0, held: counts[.held] ?? 0,
            published: counts[.published] ?? 0)
        return JSONText.listing("drafts", ordered(entries).map(Record.init), summary: summary)
    }

    /// One draft in `INDEX.json`.
    struct Record: Encodable {
        let path: String, status: DraftStatus, reason: String, errors: Int, warnings: Int, modified: String,
            report: String

        init(_ entry: Entry) {
            (path, status, reason, errors, warnings) = (
                entry.path, entry.status, entry.reason, entry.errors, entry.warnings
            )
            (modified, report) = (JSONText.timestamp(entry.modified), entry.report)
        }
    }

    struct Summary: Encodable {
        let drafts: Int, ready: Int, needsWork: Int, checking: Int, unreadable: Int, held: Int, published: Int

        enum CodingKeys: String, CodingKey {
            case drafts, ready, needsWork = "needs_work", checking, unreadable, held, published
        }
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
    fileprivate func replacingNewlines() -> String { split(whereSeparator: \.isNewline).joined(separator: " ") }
    fileprivate func addingSpacesEscaped() -> String {
        split(separator: " ", omittingEmptySubsequences: false).joined(separator: "%20")
    }
}
