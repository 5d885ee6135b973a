import Testing

@testable import BriefdCore

/// The draft `briefd clip` writes reads back as the same fields, whatever characters a page's title holds.
@Suite struct ClipDraftTests {
    @Test(arguments: [
        "Plain title", "Quotes \"inside\" and a \\ backslash", "A colon: and # hash", "Line\u{2028}separator",
        "Next\u{85}line", "Tab\tand\u{1}control", "yes", "2026-11-20", "- dash first", "* star", "@at", "emoji 🇨🇳",
    ])
    func aTitleReadsBackAsWritten(title: String) {
        let draft = ClippedDraft(
            title: title, url: "https://www.sixthtone.com/news/1", source: "Sixth Tone",
            published: Day(iso: "2026-11-20"),
            section: "Books", issue: nil, featured: false, paywall: false, format: nil, via: nil,
            excerpt: ["An excerpt of *several* words with [brackets] and <angle> and # marks, read back verbatim."])
        let parsed = DraftParser.parse(path: "clip.md", bytes: Array(draft.markdown.utf8)).draft
        #expect(parsed?.frontMatter.title == title)
        #expect(parsed?.body.blocks.first?.inline.text == draft.excerpt.first)
    }
}

/// A page's metadata is outside input: values no title could be are passed over, not copied into a draft.
@Suite struct PageMetadataBoundsTests {
    @Test func aMegabyteOGTitleGivesWayToTheNextCandidate() {
        var page = PageReading()
        page.meta["og:title"] = String(repeating: "x", count: 3_000_000)
        page.titleElement = "Provincial rules take effect"
        let metadata = PageMetadata.choose(from: page, pageURL: "https://www.sixthtone.com/news/1")
        #expect(metadata.title == "Provincial rules take effect")
    }
}
