import BriefdCore
import Testing

/// The one account of every draft: each status, with its reason, and the rules that place a draft.
struct DraftAccountTests {
    static let thursday = Day(iso: "2026-12-03")!
    static let error = Finding(
        .linkBroken, at: SourcePosition(line: 3, column: 6), "https://x.example/a is broken (404)")

    func standing(
        _ facts: DraftFacts, target: Day = thursday, published: PublishedIssues = PublishedIssues(),
        donation: Bool = false
    ) -> DraftStanding {
        DraftAccount.standings(of: [facts], target: target, published: published, donationAppeal: donation)[facts.path]!
    }

    func brief(_ path: String = "a.md", issue: Day? = nil, identity: String = "x.example/a") -> DraftFacts {
        DraftFacts(path: path, title: "T", kind: .brief, section: "Religion", issue: issue, identity: identity)
    }

    @Test func aCleanBriefForTheComingIssueIsReady() {
        #expect(standing(brief()) == DraftStanding(.ready, ["goes in the issue of 2026-12-03"]))
    }

    @Test func unverifiedLinksAndQuotesLeaveADraftReadyAndAreSaid() {
        var facts = brief()
        facts.recount(
            [
                Finding(.linkUnverified, at: .init(line: 1, column: 1), "not checked"),
                Finding(.quoteSourceUnavailable, at: .init(line: 2, column: 1), "page not fetched"),
            ], review: .done)
        let result = standing(facts)
        #expect(result.status == .ready)
        #expect(result.reasons.contains("1 link not verified"))
        #expect(result.reasons.contains("1 quote not verified"))
    }

    @Test func errorsMakeNeedsWorkWithTheFirstErrorNamed() {
        var facts = brief()
        facts.recount([Self.error, Self.error], review: .done)
        let result = standing(facts)
        #expect(result.status == .needsWork)
        #expect(result.reasons == ["2 errors (first: link.broken at 3:6: https://x.example/a is broken (404))"])
    }

    /// The send gate refuses an altered quote; so the account keeps the draft out of `ready`, and the web issue
    /// never publishes what the email may not send. Other warnings leave it ready.
    @Test func anAlteredQuoteKeepsADraftOutOfTheIssueAsTheSendGateWould() {
        var facts = brief()
        let altered = Finding(
            .quoteAltered, at: SourcePosition(line: 9, column: 54),
            "the quote differs from https://x.example/a (98% the same): 'Thursday' where the page has 'Wednesday'")
        facts.recount([altered], review: .done)
        let result = standing(facts)
        #expect(result.status == .needsWork)
        #expect(result.reasons.first?.hasPrefix("quote.altered at 9:54: the quote differs") == true, "\(result)")
        #expect(
            result.reasons.first?.hasSuffix(
                "the send gate refuses it, so the draft is kept out of the issue until it is fixed") == true)
        #expect(
            Rule.allCases.filter(\.keepsDraftOut).allSatisfy {
                $0.severity == .error || Rule.refusedBySendGate.contains($0)
            })
        // Counter-example: a warning the gate lets through leaves the draft ready, said as a warning.
        var outOfOrder = brief()
        outOfOrder.recount(
            [Finding(.quoteOutOfOrder, at: SourcePosition(line: 9, column: 1), "out of order")], review: .done)
        #expect(standing(outOfOrder) == DraftStanding(.ready, ["goes in the issue of 2026-12-03", "1 warning"]))
    }

    @Test func aPendingOrFailedReviewIsCheckingNeverClean() {
        var facts = brief()
        facts.review = .pending
        #expect(standing(facts).status == .checking)
        facts.review = .failed(reason: "the state database is locked")
        let failed = standing(facts)
        #expect(failed.status == .checking)
        #expect(failed.reasons.first?.contains("the state database is locked") == true)
    }

    @Test func aDraftForALaterIssueIsHeldAndSaysWhich() {
        let result = standing(brief(issue: Day(iso: "2026-12-10")))
        #expect(result == DraftStanding(.held, ["meant for a later issue, that of 2026-12-10"]))
    }

    @Test func aDraftForAPastIssueNeverBuiltIsHeldWithWhatToDo() {
        let result = standing(brief(issue: Day(iso: "2026-11-26")))
        #expect(result.status == .held)
        #expect(result.reasons.first?.contains("2026-11-26, which was never built; set 'issue: 2026-12-03'") == true)
    }

    @Test func aDraftInAPublishedIssueIsPublishedAndNamesIt() {
        let published = PublishedIssues([Day(iso: "2026-11-26")!: [.init(path: "a.md", identity: "x.example/a")]])
        #expect(
            standing(brief(), published: published)
                == DraftStanding(.published, ["published in the issue of 2026-11-26"]))
        // The same file name for another article is not the published draft.
        #expect(standing(brief(identity: "x.example/other"), published: published).status == .ready)
    }

    @Test func theIssueBeingReplacedPutsItsDraftsBackInPlay() {
        let published = PublishedIssues([Self.thursday: [.init(path: "a.md", identity: "x.example/a")]])
        #expect(standing(brief(), target: Day(iso: "2026-12-10")!, published: published).status == .published)
        // Built again (`--replace`): the issue's own drafts are back in play for it.
        #expect(standing(brief(), target: Self.thursday, published: published).status == .ready)
    }

    @Test func aURLPublishedEarlierByAnotherDraftIsHeldUnlessRepeatIsSet() {
        let published = PublishedIssues([Day(iso: "2026-11-19")!: [.init(path: "old.md", identity: "x.example/a")]])
        let held = standing(brief(), published: published)
        #expect(held.status == .held)
        #expect(held.reasons.first?.contains("set 'repeat: true'") == true)
        var again = brief()
        again.repeatAllowed = true
        #expect(standing(again, published: published).status == .ready)
    }

    @Test func unreadableDraftsSayWhy() {
        let facts = DraftFacts(
            unreadablePath: "bad.md",
            finding: Finding(.frontMatterInvalid, at: .init(line: 2, column: 7), "an unclosed quote"))
        let result = standing(facts)
        #expect(result.status == .unreadable)
        #expect(result.reasons.first?.contains("an unclosed quote") == true)
    }

    @Test func aSecondSponsorAndASponsorUnderTheDonationAppealAreHeld() {
        var first = brief("s1.md")
        first.kind = .sponsor
        var second = brief("s2.md")
        second.kind = .sponsor
        let both = DraftAccount.standings(
            of: [second, first], target: Self.thursday, published: .init(), donationAppeal: false)
        #expect(both["s1.md"]?.status == .ready)
        #expect(both["s2.md"]?.status == .held)
        let appeal = DraftAccount.standings(
            of: [first], target: Self.thursday, published: .init(), donationAppeal: true)
        #expect(appeal["s1.md"]?.status == .held)
    }

    @Test func theComingIssueSkipsPublishedDates() {
        let today = Day(iso: "2026-12-02")!
        #expect(DraftAccount.nextIssue(weekday: .thursday, today: today, published: []) == Self.thursday)
        #expect(
            DraftAccount.nextIssue(weekday: .thursday, today: today, published: [Self.thursday])
                == Day(iso: "2026-12-10"))
    }

    @Test func theAssemblerTakesExactlyTheReadyDrafts() {
        // Counter-example: needs-work and held drafts are listed as left out with status and reason, none dropped.
        var broken = brief("b.md", identity: "x.example/b")
        broken.recount([Self.error], review: .done)
        let later = brief("c.md", issue: Day(iso: "2026-12-10"), identity: "x.example/c")
        let standings = DraftAccount.standings(
            of: [brief(), broken, later], target: Self.thursday, published: .init(), donationAppeal: false)
        #expect(standings.values.filter { $0.status == .ready }.count == 1)
        #expect(Set(standings.keys) == ["a.md", "b.md", "c.md"])
    }
}
