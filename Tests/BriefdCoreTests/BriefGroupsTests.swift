import BriefdCore
import Testing

/// The groups of briefs citing one article, as drafts come, change and go.
@Suite struct BriefGroupsTests {
    static func brief(_ path: String, _ identity: String) -> CitedBrief {
        CitedBrief(path: "/d/" + path, identity: identity, position: SourcePosition(line: 3, column: 6))
    }

    @Test func aSecondBriefOfOneArticleMakesBothDuplicatesAndLeavingEndsIt() {
        var groups = BriefGroups()
        #expect(groups.place("/d/a.md", Self.brief("a.md", "example.org/x")) == ["/d/a.md"])
        #expect(groups.crossFindings("/d/a.md", folder: "/d").isEmpty)
        // The second brief of the same article: both reports change.
        #expect(groups.place("/d/b.md", Self.brief("b.md", "example.org/x")) == ["/d/a.md", "/d/b.md"])
        #expect(groups.crossFindings("/d/a.md", folder: "/d").map(\.rule) == [.briefDuplicateURL])
        #expect(groups.crossFindings("/d/b.md", folder: "/d").map(\.rule) == [.briefDuplicateURL])
        // b now cites another article: a's report changes back, b joins a group of its own.
        #expect(groups.place("/d/b.md", Self.brief("b.md", "example.org/y")) == ["/d/a.md", "/d/b.md"])
        #expect(groups.crossFindings("/d/a.md", folder: "/d").isEmpty)
        // A third on x, then a goes away (nil: deleted, or no longer a brief).
        _ = groups.place("/d/c.md", Self.brief("c.md", "example.org/x"))
        #expect(groups.place("/d/a.md", nil) == ["/d/a.md", "/d/c.md"])
        #expect(groups.crossFindings("/d/c.md", folder: "/d").isEmpty)
    }
}
