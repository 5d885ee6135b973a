/// Which briefs cite the same article (by the cited URL's identity), kept up to date as drafts come, change and
/// go: what `brief.duplicate-url` is made from, without comparing every draft with every other at each change.
public struct BriefGroups: Sendable {
    private var briefs: [String: CitedBrief] = [:]
    private var groups: [String: Set<String>] = [:]

    public init() {}

    /// Puts `path` in the group of its brief (nil: it is no brief, or it is gone); returns every path whose
    /// duplicate findings may change (the draft's old group and its new one, itself included).
    public mutating func place(_ path: String, _ brief: CitedBrief?) -> Set<String> {
        var affected: Set<String> = [path]
        if let old = briefs[path] {
            groups[old.identity]?.remove(path)
            affected.formUnion(groups[old.identity] ?? [])
            if groups[old.identity]?.isEmpty == true { groups[old.identity] = nil }
        }
        briefs[path] = brief
        if let brief {
            affected.formUnion(groups[brief.identity] ?? [])
            groups[brief.identity, default: []].insert(path)
        }
        return affected
    }

    /// The duplicate findings of `path` (none when no other draft cites its article).
    public func crossFindings(_ path: String, folder: String) -> [Finding] {
        guard let brief = briefs[path], let group = groups[brief.identity], group.count > 1 else { return [] }
        return DraftChecker.crossDraftFindings(group.compactMap { briefs[$0] }, folder: folder)[path] ?? []
    }
}
