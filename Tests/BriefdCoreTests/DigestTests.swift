import BriefdCore
import Foundation
import Testing

/// The digest's pure parts: which drafts go in, in what order, and how each is worded.
@Suite struct DigestAssemblyTests {
    static let date = Day(iso: "2026-12-02")!

    func draft(_ name: String, _ fields: [String: String], body: String = "An excerpt.") -> Draft {
        var text = "---\n"
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { text += "\(key): \(value)\n" }
        text += "---\n" + body + "\n"
        let parsed = DraftParser.parse(path: name, bytes: Array(text.utf8))
        guard let draft = parsed.draft else { fatalError("fixture draft \(name) does not parse: \(parsed.findings)") }
        return draft
    }

    func brief(
        _ name: String, section: String = "Religion", published: String = "2026-11-20", _ extra: [String: String] = [:]
    ) -> Draft {
        var fields = [
            "title": "Title \(name)", "url": "https://www.sixthtone.com/\(name)", "source": "Sixth Tone",
            "published": published, "section": section,
        ]
        fields.merge(extra) { $1 }
        return draft(name, fields)
    }

    func assemble(
        _ drafts: [Draft], errors: [String: [Finding]] = [:], earlier: [String: Day] = [:],
        config: Config = TestSupport.config
    )
        -> (DigestIssue?, BuildReport)
    {
        // As every build does it: the account decides from the drafts' facts, the assembler orders and words.
        let facts = drafts.map { DraftFacts(draft: $0, path: $0.path, findings: errors[$0.path] ?? [], review: .done) }
        var issues: [Day: [PublishedIssues.Item]] = [:]
        for (identity, day) in earlier { issues[day, default: []].append(.init(path: "", identity: identity)) }
        let standings = DraftAccount.standings(
            of: facts, target: Self.date, published: PublishedIssues(issues),
            donationAppeal: config.digest.donationAppeal)
        return IssueAssembler(config: config, registry: TestSupport.registry).assemble(
            date: Self.date, drafts: drafts, standings: standings)
    }

    @Test func sectionsFollowTheConfigOrderAndEmptyOnesAreLeftOut() throws {
        let (issue, _) = assemble([
            brief("a", section: "Books"), brief("b", section: "Government / Politics / Foreign Affairs"),
        ])
        #expect(try #require(issue).sections.map(\.name) == ["Government / Politics / Foreign Affairs", "Books"])
        #expect(issue?.title == "ZGBriefs | December 2, 2026")
    }

    @Test func newestFirstUnlessOrderIsSet() throws {
        let (issue, _) = assemble([
            brief("old", published: "2026-11-01"), brief("new", published: "2026-11-25"),
            brief("pinned", published: "2026-10-01", ["order": "1"]),
        ])
        #expect(try #require(issue).sections[0].items.map(\.headline) == ["Title pinned", "Title new", "Title old"])
    }

    @Test func oneFeaturedArticleAndTwoIsAnError() throws {
        let (issue, report) = assemble([brief("a", ["featured": "true"]), brief("b", ["featured": "true"])])
        #expect(issue?.featured?.headline == "Title a")
        #expect(issue?.sections.first?.items.map(\.headline) == ["Title b"])
        #expect(report.errors == ["two featured articles: a and b; b appears in its section instead"])
    }

    @Test func theDonationAppealReplacesTheSponsoredLink() throws {
        let sponsor = draft("s", ["kind": "sponsor", "title": "Sponsor", "url": "https://sponsor.org/"])
        #expect(assemble([brief("a"), sponsor]).0?.sponsor?.headline == "Sponsor")
        var config = TestSupport.config
        config.digest.donationAppeal = true
        let (issue, report) = assemble([brief("a"), sponsor], config: config)
        #expect(issue?.sponsor == nil)
        #expect(issue?.donationAppeal != nil)
        #expect(
            report.leftOut.map(\.reason) == ["the donation appeal replaces the sponsored link (digest.donation_appeal)"]
        )
        #expect(report.leftOut.map(\.status) == [.held])
    }

    @Test func draftsWithErrorsOrForAnotherIssueStayOut() throws {
        let finding = Finding(.briefUnknownSource, at: SourcePosition(line: 4, column: 9), "unknown")
        let (_, report) = assemble(
            [
                brief("bad"), brief("later", ["issue": "2026-12-09"]), brief("past", ["issue": "2026-11-25"]),
                brief("ok"),
            ],
            errors: ["bad": [finding]])
        #expect(report.included.map(\.path) == ["ok"])
        // Every draft not taken is listed with its status; a past issue's draft is no longer dropped silently.
        #expect(report.leftOut.map(\.path) == ["bad", "later", "past"])
        #expect(report.leftOut.map(\.status) == [.needsWork, .held, .held])
        #expect(report.leftOut[0].reason == "1 error (first: brief.unknown-source at 4:9: unknown)")
        #expect(report.leftOut[2].reason.contains("2026-11-25, which was never built"))
    }

    @Test func aURLPublishedEarlierIsNotRepeatedUnlessAllowed() throws {
        let earlier = ["sixthtone.com/a": Day(iso: "2026-11-25")!, "sixthtone.com/b": Day(iso: "2026-11-25")!]
        let (issue, report) = assemble(
            [
                brief("a"), brief("b", ["issue": "2026-12-02"]),
                brief("c", ["repeat": "true", "url": "https://sixthtone.com/a"]),
            ],
            earlier: earlier)
        #expect(issue?.sections.first?.items.map(\.headline) == ["Title c"])
        // Both are listed (an undated one too, no longer dropped silently), each with a warning.
        #expect(report.leftOut.map(\.path) == ["a", "b"])
        #expect(report.leftOut.allSatisfy { $0.status == .held })
        #expect(report.warnings.count == 2)
    }

    @Test func nothingToPublishIsNoIssue() {
        let (issue, report) = assemble([])
        #expect(issue == nil)
        #expect(report.included.isEmpty)
    }

    @Test func itemsAreWordedInTheHouseStyle() throws {
        let video = brief("v", ["format": "video", "via": "YouTube", "title": "'\"Quoted\" -- and it''s fine'"])
        let paid = draft(
            "p",
            [
                "title": "Paid", "url": "https://www.caixinglobal.com/x", "source": "Caixin", "published": "2026-11-21",
                "section": "Religion", "paywall": "true",
            ])
        let items = try #require(assemble([video, paid]).0).sections[0].items
        #expect(items.first { $0.headline == "Paid" }?.meta == "(November 21, 2026, Caixin) (subscription required)")
        let v = try #require(items.first { $0.prefix == "Video: " })
        #expect(v.headline == "\u{201C}Quoted\u{201D} \u{2013} and it\u{2019}s fine")
        #expect(v.meta == "(November 20, 2026, Sixth Tone, via YouTube)")
        #expect(v.markdownLink.hasPrefix("[Video: "))
    }
}

@Suite struct DigestTextTests {
    @Test func datesAndWeekdays() {
        #expect(DigestText.longDate(Day(iso: "2026-12-03")!) == "December 3, 2026")
        #expect(Weekday.of(Day(iso: "2026-11-27")!) == .friday)
        #expect(Weekday.wednesday.next(onOrAfter: Day(iso: "2026-11-27")!) == Day(iso: "2026-12-02"))
        #expect(Weekday.friday.next(onOrAfter: Day(iso: "2026-11-27")!) == Day(iso: "2026-11-27"))
    }

    @Test func wrappingNeverBreaksAURL() {
        let url = "https://www.example.org/" + String(repeating: "long-path-", count: 10)
        let wrapped = DigestText.wrap("See the report at \(url) for details on the matter at hand today.", width: 40)
        #expect(wrapped.split(separator: "\n").contains { $0 == url })
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 40 || $0 == url })
    }

    @Test func markdownAndHTMLAreRenderedSafely() {
        let html = MarkdownParser.renderHTML(
            "A <script>x()</script> [bad](javascript:alert(1)) \"quote\" -- done...\n\n<div>raw</div>")
        #expect(!html.contains("<script") && !html.contains("javascript:") && !html.contains("<div>"))
        #expect(html.contains("\u{201C}quote\u{201D} \u{2013} done\u{2026}"))
        let markdown = MarkdownParser.renderSafeMarkdown(
            "Text <b>bold</b> [x](javascript:alert(1)) [y](https://ok.org/)\n\n<iframe></iframe>")
        #expect(!markdown.contains("<b>") && !markdown.contains("javascript:") && !markdown.contains("iframe"))
        #expect(markdown.contains("[y](https://ok.org/)"))
        #expect(DigestText.escapeMarkdown("A [b] *c* <d>") == "A \\[b\\] \\*c\\* \\<d\\>")
    }
}

@Suite("One count of an issue's items")
struct ItemCountTests {
    /// The build said "8 items" and the archive "7 items" of one issue with a sponsor: every surface now says the
    /// same words, from one definition.
    @Test func everyItemCountsAndSponsorsAreNamed() {
        #expect(
            ItemCount(placements: ["featured", "Religion", "sponsor", "Religion"]).description
                == "4 items, 1 of them a sponsor")
        #expect(ItemCount(items: 1, sponsors: 0).description == "1 item")
        #expect(ItemCount(items: 1, sponsors: 1).description == "1 item, a sponsor")
        #expect(ItemCount(items: 5, sponsors: 2).description == "5 items, 2 of them sponsors")
        var report = BuildReport(issue: "2026-12-03")
        report.included = [
            .init(path: "a.md", title: "A", placement: "Religion"),
            .init(path: "s.md", title: "S", placement: "sponsor"),
        ]
        #expect(report.summary.hasPrefix("Issue 2026-12-03: 2 items, 1 of them a sponsor\n"))
    }
}
