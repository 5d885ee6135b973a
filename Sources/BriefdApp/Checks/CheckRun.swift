import BriefdIO
public import BriefdCore
import Dispatch
import Synchronization

/// Checks many drafts at once, using every core, and adds the findings that need all drafts together.
public struct CheckRun: Sendable {
    public let checker: DraftChecker

    public init(checker: DraftChecker) { self.checker = checker }

    /// Reports for every draft under `paths`, and every draft that parsed (for the digest).
    /// - Parameter folder: when set, findings name other drafts by their path in this folder (the build's reports
    ///   and the desk); else as found (the command line's paths).
    public func runKeepingDrafts(paths: [String], namingFrom folder: String? = nil) -> (
        reports: [DraftReport], drafts: [Draft]
    ) {
        let files = DraftFiles.find(paths)
        let results = Mutex<[(Draft?, DraftReport)?]>(Array(repeating: nil, count: files.count))
        let checker = self.checker
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let (path, root) = files[index]
            let outcome: (Draft?, DraftReport)
            switch DraftFiles.read(path, root: root, maxBytes: checker.config.checks.maxDraftBytes) {
            case .refused(_, let reason):
                outcome = (
                    nil,
                    DraftReport(
                        path: path, kind: nil,
                        findings: [
                            Finding(.draftUnreadable, at: SourcePosition(line: 1, column: 1), reason.description)
                        ])
                )
            case .read(_, let bytes):
                let checked = checker.check(path: path, bytes: bytes)
                outcome = (checked.draft, checked.report)
            }
            results.withLock { $0[index] = outcome }
        }
        let checked = results.withLock { $0 }.compactMap { $0 }
        let drafts = checked.compactMap(\.0)
        let cross = DraftChecker.crossDraftFindings(drafts, folder: folder)
        let reports = checked.map { _, report in
            var report = report
            report.findings = (report.findings + (cross[report.path] ?? [])).inReadingOrder()
            return report
        }
        return (reports, drafts)
    }
}
