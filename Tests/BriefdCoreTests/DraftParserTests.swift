import BriefdCore
import Foundation
import Testing

@Suite("Reading drafts: bad input gives one clear finding")
struct DraftParserTests {
    func only(_ bytes: [UInt8]) -> Finding? {
        let result = DraftParser.parse(path: "d.md", bytes: bytes)
        #expect(result.draft == nil)
        #expect(result.findings.count == 1)
        return result.findings.first
    }

    @Test func emptyFile() {
        #expect(only([])?.rule == .draftUnreadable)
        #expect(only(Array(" \n\n".utf8))?.rule == .draftUnreadable)
    }

    @Test func binaryFile() {
        let finding = only([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00])
        #expect(finding?.rule == .draftUnreadable)
        #expect(finding?.message.contains("binary") == true)
    }

    @Test func invalidUTF8IsReportedWhereItIs() {
        let finding = only(Array("---\ntitle: caf".utf8) + [0xE9] + Array("\n---\n".utf8))
        #expect(finding?.rule == .draftUnreadable)
        #expect(finding?.position == SourcePosition(line: 2, column: 11))
        #expect(finding?.message.contains("UTF-8") == true)
    }

    @Test func noFrontMatter() {
        #expect(only(Array("# Just Markdown\n".utf8))?.rule == .frontMatterInvalid)
    }

    @Test func frontMatterNeverClosed() {
        let finding = only(Array("---\ntitle: x\nbody text\n".utf8))
        #expect(finding?.rule == .frontMatterInvalid)
        #expect(finding?.message.contains("never closed") == true)
    }

    @Test func yamlThatIsNotAMapping() {
        let finding = only(Array("---\n- a\n- b\n---\nbody\n".utf8))
        #expect(finding?.rule == .frontMatterInvalid)
        #expect(finding?.message.contains("mapping") == true)
    }

    @Test func yamlSyntaxErrorIsPositioned() {
        let finding = only(Array("---\ntitle: x\nurl: [unclosed\n---\nbody\n".utf8))
        #expect(finding?.rule == .frontMatterInvalid)
        #expect((finding?.position.line ?? 0) >= 3)
    }

    @Test func aliasBombIsRefusedInBoundedTime() {
        var yaml = "---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            yaml += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        yaml += "---\nbody\n"
        let finding = only(Array(yaml.utf8))
        #expect(finding?.rule == .frontMatterInvalid)
        #expect(finding?.message.contains("aliases") == true)
    }

    @Test func nestingTooDeepIsSaidInAnEditorsWords() {
        let finding = only(Array(("---\ntitle: " + String(repeating: "[", count: 5_000) + "\n---\nbody\n").utf8))
        #expect(finding?.rule == .frontMatterInvalid)
        #expect(finding?.message.contains("nested too deep") == true, "\(finding?.message ?? "")")
        #expect(finding?.message.contains("yaml_set_max_nest_level") == false)
        #expect(finding?.position.line == 2)
    }

    @Test func positionsCountFrontMatterLinesAndCharacters() throws {
        let text =
            "---\ntitle: Ünïcödé title\nkind: post\nauthor: A\ndate: 2026-11-01\n---\nFirst line.\n\nÉté — Mara Fedl said it.\n"
        let findings = TestSupport.findings(text)
        let finding = try #require(findings.first { $0.rule == .proseMisspelledName })
        #expect(finding.position == SourcePosition(line: 9, column: 7))
    }

    @Test func byteOrderMarkIsAccepted() {
        let result = DraftParser.parse(path: "d.md", bytes: [0xEF, 0xBB, 0xBF] + Array(TestSupport.brief().utf8))
        #expect(result.draft != nil)
    }

    @Test func crlfLineEndingsAreAccepted() {
        let text = TestSupport.brief().replacingOccurrences(of: "\n", with: "\r\n")
        #expect(TestSupport.findings(text).isEmpty)
    }

    @Test func cleanBriefHasNoFindings() {
        #expect(TestSupport.findings(TestSupport.brief()).isEmpty)
    }
}

@Suite("Source positions")
struct SourceTextTests {
    @Test func columnsCountCharactersNotBytes() {
        let source = SourceText(bytes: Array("ab\n中文x\n".utf8))
        #expect(source.position(ofByte: 0) == SourcePosition(line: 1, column: 1))
        #expect(source.position(ofByte: 3) == SourcePosition(line: 2, column: 1))
        #expect(source.position(ofByte: 9) == SourcePosition(line: 2, column: 3))
    }
}
