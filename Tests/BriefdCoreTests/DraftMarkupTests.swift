import BriefdCore
import Foundation
import Testing

/// The desk marks the whole span that is wrong: a whole role, a whole front-matter value; a name over its words.
struct DraftMarkupTests {
    func marked(_ text: String) -> [(line: Int, text: String, rules: [String])] {
        let findings = TestSupport.findings(text)
        return DraftMarkup.lines(of: text, findings: findings).flatMap { line in
            line.runs.filter { !$0.findings.isEmpty }.map {
                (line.number, $0.text, $0.findings.map { findings[$0].rule.id })
            }
        }
    }

    @Test func aWrongRoleIsMarkedFromItsTitleToItsOrganisation() {
        let text = TestSupport.post(
            "Li Wen, senior fellow of the Shanghai Policy Lab, said:\n\n> Words that matter here.\n")
        let role = marked(text).first { $0.rules.contains("attribution.role-mismatch") }
        #expect(role?.text == "senior fellow of the Shanghai Policy Lab", "\(marked(text))")
    }

    @Test func aWrongSourceValueIsMarkedWholeNotItsFirstWord() {
        let text = TestSupport.brief(["source": "The Wyre China  # typed in a hurry"])
        let source = marked(text).first { $0.rules.contains("brief.unknown-source") }
        #expect(source?.text == "The Wyre China", "\(marked(text))")
    }

    @Test func anUnknownSectionIsMarkedWhole() {
        let text = TestSupport.brief(["section": "\"Religion / Faith\""])
        let section = marked(text).first { $0.rules.contains("frontmatter.unknown-section") }
        #expect(section?.text == "\"Religion / Faith\"", "\(marked(text))")
    }

    @Test func inTheBodyANameStillRunsOverItsWordsOnly() {
        // Counter-example: outside the front matter and without a known end, the mark is the name, not the line.
        let text = TestSupport.post("Mara Fled, writing in The Wire China, said:\n\n> Words that matter here.\n")
        let name = marked(text).first { $0.rules.contains("attribution.misspelled-person") }
        #expect(name?.text == "Mara Fled")
    }

    @Test func theEndOfASpanSurvivesTheReportsJSON() throws {
        var finding = Finding(.attributionRoleMismatch, at: SourcePosition(line: 3, column: 9), "wrong role")
        finding.end = SourcePosition(line: 3, column: 40)
        let json = JSONText.line(finding)
        #expect(json.contains("\"end_column\":40"))
        let decoded = try JSONDecoder().decode(Finding.self, from: Data(json.utf8))
        #expect(decoded.end == finding.end)
        #expect(JSONText.line(Finding(.linkBroken, at: .init(line: 1, column: 1), "x")).contains("\"end_line\":null"))
    }
}
