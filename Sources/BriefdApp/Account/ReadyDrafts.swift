import BriefdCore
import BriefdIO

/// The one loader of the drafts a build takes: each draft the account holds ready, read from its file and parsed,
/// but only while the file is still the content that was checked (a draft changed since is left out, and the build's
/// report says so, rather than publishing words nobody checked).
enum ReadyDrafts {
    /// A draft the account holds ready: its path relative to `root`, and the hash of the content checked.
    struct Checked {
        var relative: String
        var sha256: String
    }

    static func load(_ checked: [Checked], root: String, checker: DraftChecker, maxBytes: Int) -> [Draft] {
        checked.compactMap { known in
            let path = root + "/" + known.relative
            guard case .read(_, let bytes) = DraftFiles.read(path, root: root, maxBytes: maxBytes),
                ContentHash.sha256Hex(bytes) == known.sha256, var draft = checker.check(path: path, bytes: bytes).draft
            else { return nil }
            draft.path = known.relative
            return draft
        }
    }
}
