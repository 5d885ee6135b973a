/// Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions and
/// transpositions of neighbours each cost one. A transposed pair is the most common typing slip in names.
public enum EditDistance {
    /// The distance between two strings, or `nil` as soon as it must exceed `limit` (bounded work).
    public static func distance(_ a: String, _ b: String, limit: Int = .max) -> Int? {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        if abs(x.count - y.count) > limit { return nil }
        if x.isEmpty { return y.count <= limit ? y.count : nil }
        if y.isEmpty { return x.count <= limit ? x.count : nil }
        var previous2 = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return nil }
            (previous2, previous, current) = (previous, current, previous2)
        }
        let result = previous[y.count]
        return result <= limit ? result : nil
    }

    /// The closest of `candidates` to `word`, if any is within a third of the word's length (at least 1, at most 3).
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let limit = max(1, min(3, word.count / 3))
        var best: (String, Int)?
        for candidate in candidates {
            guard let d = distance(word.lowercased(), candidate.lowercased(), limit: limit) else { continue }
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        return best?.0
    }
}
