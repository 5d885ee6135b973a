import BriefdCore
import Testing

/// The editor's positions (UTF-16 units by default, UTF-8 bytes when offered) against the checks' byte offsets and
/// scalar columns, on text where the three differ: Chinese characters (3 bytes, 1 unit) and an emoji (4 bytes,
/// 2 units).
@Suite struct EditorTextTests {
    static let text = "line one\n北京 🙂 Mara Fled said\r\nlast"

    @Test func utf16PositionsCountAnEmojiAsTwo() {
        let text = EditorText(Self.text, encoding: .utf16)
        // "北京 🙂 " is 2 + 1 + 2 + 1 = 6 UTF-16 units, 6 + 1 + 4 + 1 = 12 bytes.
        let nameByte = 9 + 12
        #expect(text.position(ofByte: nameByte) == EditorPosition(line: 1, character: 6))
        #expect(text.byteOffset(of: EditorPosition(line: 1, character: 6)) == nameByte)
        #expect(text.position(of: SourcePosition(line: 2, column: 6)) == EditorPosition(line: 1, character: 6))
    }

    @Test func utf8PositionsCountBytes() {
        let text = EditorText(Self.text, encoding: .utf8)
        #expect(text.position(ofByte: 9 + 12) == EditorPosition(line: 1, character: 12))
        #expect(text.byteOffset(of: EditorPosition(line: 1, character: 12)) == 9 + 12)
    }

    @Test func positionsPastALineOrTheTextAreClamped() {
        let text = EditorText(Self.text, encoding: .utf16)
        // Past the end of a "\r\n" line: before the "\r", which no editor shows.
        let lineTwoEnd = text.byteOffset(of: EditorPosition(line: 1, character: 500))
        #expect(text.bytes[lineTwoEnd] == UInt8(ascii: "\r"))
        #expect(text.byteOffset(of: EditorPosition(line: 99, character: 0)) == text.bytes.count)
        #expect(text.byteOffset(of: EditorPosition(line: -1, character: 3)) == 0)
        // Inside the emoji's two units: its start, never the middle of its bytes.
        #expect(text.byteOffset(of: EditorPosition(line: 1, character: 4)) == 9 + 7)
    }

    @Test func incrementalChangesAreAppliedAtTheEditorsPositions() {
        var text = EditorText(Self.text, encoding: .utf16)
        // Select "Fled" (after the emoji) and type "Feld".
        text.replace(
            from: EditorPosition(line: 1, character: 11), to: EditorPosition(line: 1, character: 15), with: "Feld")
        #expect(String(decoding: text.bytes, as: UTF8.self) == "line one\n北京 🙂 Mara Feld said\r\nlast")
        // A new line typed at the very end, then the whole text replaced.
        text.replace(
            from: EditorPosition(line: 2, character: 4), to: EditorPosition(line: 2, character: 4), with: "\nmore")
        #expect(text.source.lineCount == 4)
        text.replaceAll(with: "fresh")
        #expect(String(decoding: text.bytes, as: UTF8.self) == "fresh")
    }

    @Test func aFindingIsMarkedOverItsSpanItsFixOrItsWord() {
        let text = EditorText(Self.text, encoding: .utf16)
        var finding = Finding(.attributionMisspelledPerson, at: SourcePosition(line: 2, column: 6), "x")
        let word = text.span(of: finding)
        #expect(String(decoding: text.bytes[word.start..<word.end], as: UTF8.self) == "Mara")
        finding.end = SourcePosition(line: 2, column: 15)
        let span = text.span(of: finding)
        #expect(String(decoding: text.bytes[span.start..<span.end], as: UTF8.self) == "Mara Fled")
    }

    @Test func agesReadAtAGlance() {
        #expect(ElapsedTime.phrase(since: 100, now: 130) == "just now")
        #expect(ElapsedTime.phrase(since: 0, now: 60) == "1 minute ago")
        #expect(ElapsedTime.phrase(since: 0, now: 7_300) == "2 hours ago")
        #expect(ElapsedTime.phrase(since: 0, now: 3 * 86_400 + 5) == "3 days ago")
        #expect(ElapsedTime.phrase(since: 500, now: 100) == "just now")
    }
}

/// What the editor shows on hover: which registry entry a name is, and which address the cursor is on.
@Suite struct EditorHoverTests {
    static let registry = Registry(
        publications: [Publication(name: "Caixin", aliases: ["Caixin Global"], domains: ["caixinglobal.com"])],
        people: [
            Person(
                name: "Mara Feld", roles: [Role(title: "Editor", org: "Caixin", from: Day(iso: "2020-01-01"))],
                writesFor: ["Caixin"], position: SourcePosition(line: 12, column: 3))
        ])

    @Test func aNameOrItsFamilyNameShowsItsEntry() {
        let line = "As Mara Feld wrote for Caixin Global, Feld’s view held."
        #expect(EditorHover.entry(at: 5, inLine: line, registry: Self.registry) == .person(Self.registry.people[0]))
        // The longest name at the cursor: the alias, not the shorter name inside it.
        let alias = EditorHover.entry(at: 32, inLine: line, registry: Self.registry)
        #expect(alias == .publication(Self.registry.publications[0]))
        let family = Array(line.utf8).count - "’s view held.".utf8.count - 2
        #expect(
            EditorHover.entry(at: family, inLine: line, registry: Self.registry) == .person(Self.registry.people[0]))
        #expect(EditorHover.entry(at: 0, inLine: line, registry: Self.registry) == nil)
        let markdown = EditorHover.markdown(.person(Self.registry.people[0]), registryPath: "config/sources.yml")
        #expect(markdown.contains("config/sources.yml:12"))
        #expect(markdown.contains("Editor, Caixin (from 2020-01-01)"))
    }

    @Test func anAddressIsFoundWithoutItsSentencesFullStop() {
        let line = "Read [it](https://caixinglobal.com/a?b=1). Or https://example.org/x."
        #expect(EditorHover.address(at: 15, inLine: line) == "https://caixinglobal.com/a?b=1")
        #expect(EditorHover.address(at: 50, inLine: line) == "https://example.org/x")
        #expect(EditorHover.address(at: 2, inLine: line) == nil)
    }
}

/// A registry entry added where an editor would write it, every other byte left alone.
@Suite struct RegistryInsertionTests {
    static let registry = """
        # The source registry.
        people:
          - name: Mara Feld
            roles:
              - {title: Historian, org: University of Edinburgh}

          # the end of the people
        publications:
          - {name: Caixin, domains: [caixinglobal.com]}

        """

    static func inserted(_ entry: String, _ list: RegistryInsertion.List, _ text: String) throws -> String {
        let insertion = try #require(RegistryInsertion.insertion(of: entry, into: list, registry: text))
        var bytes = Array(text.utf8)
        bytes.insert(contentsOf: Array(insertion.text.utf8), at: insertion.offset)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func anEntryGoesAtTheEndOfItsListIndentedAsItsItems() throws {
        let person = try Self.inserted("- {name: Tomas Brenner}", .people, Self.registry)
        #expect(
            person.contains(
                "      - {title: Historian, org: University of Edinburgh}\n  - {name: Tomas Brenner}\n\n  # the end"))
        let publication = try Self.inserted(
            "- {name: Sixth Tone, domains: [sixthtone.com]}", .publications, Self.registry)
        #expect(publication.contains("  - {name: Caixin, domains: [caixinglobal.com]}\n  - {name: Sixth Tone"))
        // Read back, the registry has the new entry and keeps the old ones.
        let parsed = try RegistryParser.parse(person, path: "sources.yml")
        #expect(parsed.people.map(\.name) == ["Mara Feld", "Tomas Brenner"])
    }

    @Test func aMissingListIsStartedAndAFlowListIsLeftAlone() throws {
        let started = try Self.inserted("- {name: Tomas Brenner}", .people, "publications: []")
        #expect(started == "publications: []\npeople:\n  - {name: Tomas Brenner}\n")
        #expect(
            RegistryInsertion.insertion(of: "- {name: X}", into: .publications, registry: "publications: []\n") == nil)
        let itemsAtColumnZero = "people:\n- {name: Mara Feld}\n"
        #expect(
            try Self.inserted("- {name: Li Wen}", .people, itemsAtColumnZero)
                == "people:\n- {name: Mara Feld}\n- {name: Li Wen}\n")
    }
}
