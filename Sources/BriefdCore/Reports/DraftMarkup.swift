/// A draft's text cut into lines and runs, with each finding's place marked: the word (or the rest of the
/// token) at its line and column. The desk renders the runs; escaping is the template's business.
public enum DraftMarkup {
    public struct Run: Sendable, Equatable {
        public var text: String
        /// Indexes into the findings passed in, of the findings marked on this run.
        public var findings: [Int]
    }

    public struct Line: Sendable, Equatable {
        public var number: Int
        public var runs: [Run]
        /// Findings at this line whose column lies past its end (a missing field reported at line's end).
        public var trailing: [Int]
    }

    /// - Parameter findings: positions are 1-based lines and columns counted in characters, as reports give them.
    public static func lines(of text: String, findings: [Finding]) -> [Line] {
        var byLine: [Int: [(column: Int, index: Int)]] = [:]
        for (index, finding) in findings.enumerated() {
            byLine[finding.position.line, default: []].append((finding.position.column, index))
        }
        let textLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let frontMatterLines = frontMatter(textLines)
        var lines: [Line] = []
        for (offset, content) in textLines.enumerated() {
            let number = offset + 1
            let characters = Array(content.hasSuffix("\r") ? content.dropLast() : content)
            let marks = (byLine[number] ?? []).sorted { $0.column < $1.column }
            var runs: [Run] = []
            var trailing: [Int] = []
            var cursor = 0
            var pending = marks[...]
            while let mark = pending.first {
                let start = max(mark.column - 1, 0)
                guard start < characters.count else {
                    trailing.append(contentsOf: pending.map(\.index))
                    break
                }
                if start < cursor {  // two findings at one place: both on the run already made
                    if !runs.isEmpty { runs[runs.count - 1].findings.append(mark.index) }
                    pending = pending.dropFirst()
                    continue
                }
                if start > cursor { runs.append(Run(text: String(characters[cursor..<start]), findings: [])) }
                let finding = findings[mark.index]
                var end = markEnd(characters, from: start)
                if let known = finding.end {
                    // The check knows the span: to its end on this line, or to the line's end when it goes on.
                    end =
                        known.line == number
                        ? min(max(known.column - 1, start + 1), characters.count) : characters.count
                } else if frontMatterLines.contains(number) {
                    end = valueEnd(characters, from: start)
                }
                var indexes = [mark.index]
                pending = pending.dropFirst()
                while let next = pending.first, next.column - 1 == start {
                    indexes.append(next.index)
                    pending = pending.dropFirst()
                }
                runs.append(Run(text: String(characters[start..<end]), findings: indexes))
                cursor = end
            }
            if cursor < characters.count { runs.append(Run(text: String(characters[cursor...]), findings: [])) }
            lines.append(Line(number: number, runs: runs, trailing: trailing))
        }
        return lines
    }

    /// The end of the marked stretch: a name runs over its words ("Mara Fedl"), so the mark takes the word at the
    /// column and the capitalised words right after it; anything else, the word alone (or one character).
    static func markEnd(_ characters: [Character], from start: Int) -> Int {
        func wordEnd(_ from: Int) -> Int {
            var end = from
            while end < characters.count, isWordCharacter(characters[end]) { end += 1 }
            return end
        }
        var end = wordEnd(start)
        if end == start { return min(start + 1, characters.count) }
        guard characters[start].isUppercase else { return end }
        while end + 1 < characters.count, characters[end] == " ", characters[end + 1].isUppercase {
            end = wordEnd(end + 1)
        }
        return end
    }

    /// The lines between the opening `---` and the closing one (1-based), where a finding sits at a field's value.
    static func frontMatter(_ lines: [Substring]) -> ClosedRange<Int> {
        guard let first = lines.first, first.trimmingCharacters(in: .whitespaces) == "---" else { return 1...0 }
        for (offset, line) in lines.enumerated().dropFirst() where line.trimmingCharacters(in: .whitespaces) == "---" {
            return 2...max(offset, 1)
        }
        return 1...0
    }

    /// A front-matter value runs to the end of its line, less a trailing comment and spaces: the whole
    /// `source:` value, not its first word.
    static func valueEnd(_ characters: [Character], from start: Int) -> Int {
        var end = characters.count
        var index = start
        var quote: Character?
        while index < characters.count {
            let character = characters[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", index > start, characters[index - 1] == " " {
                end = index
                break
            }
            index += 1
        }
        while end > start + 1, characters[end - 1] == " " || characters[end - 1] == "\t" { end -= 1 }
        return max(end, min(start + 1, characters.count))
    }

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "'" || character == "’" || character == "-"
    }
}
