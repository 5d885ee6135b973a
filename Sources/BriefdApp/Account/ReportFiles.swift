import BriefdCore
import BriefdIO

/// Where a draft's reports go and their writing: `drafts/sub/a.md` → `reports/sub/a.report.txt` and `.report.json`,
/// each replaced atomically; the report folders made once each.
struct ReportFiles: Sendable {
    let draftsRoot: String
    let reportsRoot: String
    /// Report folders known to exist, so that a burst does not ask the file system again for each draft.
    private var madeFolders: Set<String> = []

    init(draftsRoot: String, reportsRoot: String) {
        self.draftsRoot = draftsRoot
        self.reportsRoot = reportsRoot
    }

    /// `path` relative to the drafts folder.
    func relative(_ path: String) -> String {
        path.hasPrefix(draftsRoot + "/") ? String(path.dropFirst(draftsRoot.count + 1)) : path
    }

    func paths(of path: String) -> (text: String, json: String) {
        var stem = relative(path)
        if stem.hasSuffix(".md") { stem.removeLast(3) }
        return (reportsRoot + "/" + stem + ".report.txt", reportsRoot + "/" + stem + ".report.json")
    }

    /// Both reports of the draft at `path`; throws what kept them from being written.
    mutating func write(_ report: DraftReport, of path: String) throws {
        let (text, json) = paths(of: path)
        let folder = String(text[..<text.lastIndex(of: "/")!])
        if !madeFolders.contains(folder) {
            try AtomicOutput.makeFolders(folder)
            madeFolders.insert(folder)
        }
        try AtomicOutput.writeFile(text, Array(ReportFormatter.text([report]).utf8), durable: false)
        try AtomicOutput.writeFile(json, Array(ReportFormatter.json(report).utf8), durable: false)
    }

    /// The draft at `path` is gone: its reports go too.
    mutating func remove(of path: String) {
        let (text, json) = paths(of: path)
        AtomicOutput.remove(text)
        AtomicOutput.remove(json)
        madeFolders.removeAll()  // A folder of reports may go with its drafts.
    }
}
