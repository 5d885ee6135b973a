import BriefdIO
public import BriefdCore

/// `briefd check --fix`: the fixes of checked drafts written into their files, atomically, only where the file is
/// still the text that was checked. The daemon notices the new text like any edit.
public enum FixRun {
    /// What became of one file.
    public struct Outcome: Sendable {
        public var path: String
        /// The fixes made (or, with `dryRun`, that would be).
        public var applied: [Fix]
        /// Fixes left out, with why: not safe without `--unsafe`, or overlapping one already chosen.
        public var skipped: [(fix: Fix, reason: String)]
        /// The change as a unified diff (empty when nothing changes).
        public var diff: String
        /// Why nothing was written: the file changed since it was read, or could not be written.
        public var refused: String?
    }

    /// Applies the fixes of `reports` to the drafts checked (`drafts`, with the bytes that were read), safe ones
    /// only unless `includingUnsafe`; with `dryRun` writes nothing and says what would change.
    public static func apply(reports: [DraftReport], drafts: [Draft], includingUnsafe: Bool, dryRun: Bool) -> [Outcome]
    {
        let byPath = Dictionary(drafts.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var outcomes: [Outcome] = []
        for report in reports {
            guard let draft = byPath[report.path] else { continue }
            var chosen: [Fix] = []
            var skipped: [(fix: Fix, reason: String)] = []
            var taken: [Range<Int>] = []
            for finding in report.findings.inReadingOrder() {
                guard let fix = finding.fixes.first else { continue }
                guard fix.safe || includingUnsafe else {
                    skipped.append((fix, "not safe to apply unasked (\(finding.rule.id)); --unsafe applies it"))
                    continue
                }
                let ranges = fix.edits.map { $0.start..<max($0.end, $0.start + 1) }
                guard !ranges.contains(where: { range in taken.contains { $0.overlaps(range) } }) else {
                    skipped.append((fix, "it edits the same text as another fix; run --fix again"))
                    continue
                }
                taken += ranges
                chosen.append(fix)
            }
            guard !chosen.isEmpty || !skipped.isEmpty else { continue }
            var outcome = Outcome(path: report.path, applied: [], skipped: skipped, diff: "", refused: nil)
            let old = draft.source.bytes
            do {
                let new = try FixApplier.apply(chosen, to: old)
                outcome.diff = FixApplier.unifiedDiff(
                    old: String(decoding: old, as: UTF8.self), new: String(decoding: new, as: UTF8.self),
                    path: report.path)
                if !dryRun, new != old {
                    guard try AtomicOutput.replaceFile(report.path, new, expected: old) else {
                        outcome.refused = "the file changed since it was read; nothing was written. Check it again"
                        outcomes.append(outcome)
                        continue
                    }
                }
                outcome.applied = chosen
            } catch {
                outcome.refused = "\(error)"
                outcome.diff = ""
            }
            outcomes.append(outcome)
        }
        return outcomes
    }
}
