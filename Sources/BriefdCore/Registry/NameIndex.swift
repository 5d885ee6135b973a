/// An index of names (a registry's people, or its publications) that answers "is this exactly a known name,
/// a near miss of one, or neither?" without scanning every entry.
///
/// Near misses are scored token by token (given name and surname separately): each token may differ by at
/// most its own allowance (none for short tokens, one edit for 4–7 letters, two for longer), and the whole
/// name by at most two. So "Mara Fled" is a near miss of "Mara Feld", but "Li Wei" is not taken for
/// "Li Wen": two different people.
public struct NameIndex: Sendable {
    /// The outcome of looking a name up.
    public enum Match: Sendable, Equatable {
        /// Spelled as the registry spells it (a name or an alias): never a finding.
        case exact(Int)
        /// Close to these entries (best first); the text is their registry spelling.
        case nearMiss([Int])
        case none
    }

    struct Entry: Sendable {
        var target: Int
        var spelling: String
        var foldedTokens: [String]
    }

    private var entries: [Entry] = []
    private var exact: [String: Int] = [:]
    private var folded: [String: [Int]] = [:]
    /// Each folded token and each of its one-letter deletions → entries holding that token.
    private var tokenKeys: [String: [Int]] = [:]
    private let dropsLeadingArticle: Bool

    init(_ names: [(name: String, aliases: [String], target: Int)], dropsLeadingArticle: Bool) {
        self.dropsLeadingArticle = dropsLeadingArticle
        for (name, aliases, target) in names {
            for spelling in [name] + aliases {
                let key = exactKey(spelling)
                exact[key] = target
                let tokens = NameIndex.tokens(of: NameFolding.fold(key))
                let entryID = entries.count
                entries.append(Entry(target: target, spelling: spelling, foldedTokens: tokens))
                folded[tokens.joined(separator: " "), default: []].append(entryID)
                var keys = Set<String>()
                for token in tokens { keys.formUnion(NameIndex.deletionKeys(token)) }
                for key in keys { tokenKeys[key, default: []].append(entryID) }
            }
        }
    }

    /// What the index knows of one word of text: whether some name holds it exactly, and whether some name
    /// holds a word within one edit of it. Spans with no such word need no lookup at all.
    public func tokenHit(_ word: String) -> (exact: Bool, near: Bool) {
        let folded = NameFolding.fold(word)
        if tokenKeys[folded] != nil { return (true, true) }
        return (false, NameIndex.deletionKeys(folded).contains { tokenKeys[$0] != nil })
    }

    public func match(_ name: String) -> Match {
        let key = exactKey(name)
        if let target = exact[key] { return .exact(target) }
        let tokens = NameIndex.tokens(of: NameFolding.fold(key))
        guard !tokens.isEmpty else { return .none }
        // Same letters, other case or accents: a near miss at distance zero.
        if let ids = folded[tokens.joined(separator: " ")] {
            return .nearMiss(unique(ids.map { entries[$0].target }))
        }
        var scored: [(target: Int, distance: Int)] = []
        for id in candidates(for: tokens) {
            let entry = entries[id]
            guard entry.foldedTokens.count == tokens.count else { continue }
            var total = 0
            var close = true
            for (mine, theirs) in zip(tokens, entry.foldedTokens) {
                let allowance = NameIndex.allowance(forLength: max(mine.count, theirs.count))
                guard let distance = EditDistance.distance(mine, theirs, limit: allowance) else {
                    close = false
                    break
                }
                total += distance
            }
            if close, total > 0, total <= 2 { scored.append((entry.target, total)) }
        }
        guard let best = scored.map(\.distance).min() else { return .none }
        return .nearMiss(unique(scored.filter { $0.distance == best }.map(\.target).sorted()))
    }

    /// The entries sharing a token key with `tokens`: the only ones a near-miss lookup scores.
    private func candidates(for tokens: [String]) -> Set<Int> {
        var candidates = Set<Int>()
        for token in tokens {
            for probe in NameIndex.deletionKeys(token) {
                if let ids = tokenKeys[probe] { candidates.formUnion(ids) }
            }
        }
        return candidates
    }

    func candidateCount(for name: String) -> Int {
        candidates(for: NameIndex.tokens(of: NameFolding.fold(exactKey(name)))).count
    }

    private func exactKey(_ name: String) -> String {
        if isNormalized(name) {
            return dropsLeadingArticle && (name.hasPrefix("The ") || name.hasPrefix("the "))
                ? String(name.dropFirst(4)) : name
        }
        var text = Substring(name)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        if dropsLeadingArticle, text.hasPrefix("The ") || text.hasPrefix("the ") { text = text.dropFirst(4) }
        return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Single spaces between words and none at the ends: the form the spotter builds, needing no clean-up.
    private func isNormalized(_ name: String) -> Bool {
        var previousWasSpace = true
        for byte in name.utf8 {
            let isSpace = byte == 0x20
            if byte == 0x09 || byte == 0x0A || byte == 0x0D || byte >= 0x80 || (isSpace && previousWasSpace) {
                return false
            }
            previousWasSpace = isSpace
        }
        return !previousWasSpace
    }

    static func tokens(of foldedName: String) -> [String] {
        foldedName.split(whereSeparator: { $0 == " " }).map(String.init)
    }

    static func allowance(forLength length: Int) -> Int {
        switch length {
        case ..<4: return 0
        case 4...7: return 1
        default: return 2
        }
    }

    /// The token itself and every string made by deleting one of its letters: two tokens one edit apart
    /// (including a transposition) always share one of these keys.
    static func deletionKeys(_ token: String) -> [String] {
        // Most words are ASCII: their keys are cut from the bytes (it runs for every capitalized word of a draft).
        if token.utf8.allSatisfy({ $0 < 0x80 }) {
            let bytes = Array(token.utf8)
            guard bytes.count >= 4 else { return [token] }
            var keys = [token]
            keys.reserveCapacity(bytes.count + 1)
            for skip in bytes.indices {
                keys.append(
                    String(unsafeUninitializedCapacity: bytes.count - 1) { buffer in
                        var written = 0
                        for (index, byte) in bytes.enumerated() where index != skip {
                            buffer[written] = byte
                            written += 1
                        }
                        return written
                    })
            }
            return keys
        }
        let scalars = Array(token.unicodeScalars)
        guard scalars.count >= 4 else { return [token] }
        var keys = [token]
        keys.reserveCapacity(scalars.count + 1)
        for skip in scalars.indices {
            var view = String.UnicodeScalarView()
            for (index, scalar) in scalars.enumerated() where index != skip { view.append(scalar) }
            keys.append(String(view))
        }
        return keys
    }

    private func unique(_ values: [Int]) -> [Int] {
        var seen = Set<Int>()
        return values.filter { seen.insert($0).inserted }
    }
}
