import BriefdCore
import Testing

/// One failing and one passing draft for each rule; the failing one says where the finding must be.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var rule: Rule
    var failing: String
    var line: Int
    var column: Int
    var passing: String

    var testDescription: String { rule.id }
}

@Suite("Each rule: one failing and one passing case")
struct RuleTests {
    typealias S = TestSupport

    static let cases: [RuleCase] = [
        RuleCase(
            rule: .frontMatterMissingField, failing: S.brief(["source": nil]), line: 1, column: 1,
            passing: S.brief()),
        RuleCase(
            rule: .frontMatterWrongType, failing: S.brief(["published": "last week"]), line: 5, column: 12,
            passing: S.brief(["published": "2026-11-19"])),
        RuleCase(
            rule: .frontMatterUnknownKind, failing: S.brief(["kind": "breif"]), line: 7, column: 7,
            passing: S.brief(["kind": "brief"])),
        RuleCase(
            rule: .frontMatterUnknownKey, failing: S.brief(["sectoin": "Books"]), line: 7, column: 1,
            passing: S.brief(["featured": "true"])),
        RuleCase(
            rule: .frontMatterDuplicateKey,
            failing: S.brief().replacingFirst("section:", with: "title: Again\nsection:"), line: 6, column: 1,
            passing: S.brief()),
        RuleCase(
            rule: .frontMatterUnknownSection, failing: S.brief(["section": "Sport"]), line: 6, column: 10,
            passing: S.brief(["section": "Books"])),
        RuleCase(
            rule: .frontMatterBadURL, failing: S.brief(["url": "ftp://thewirechina.com/x"]), line: 3, column: 6,
            passing: S.brief(["url": "http://thewirechina.com/x"])),
        RuleCase(
            rule: .frontMatterDateInFuture, failing: S.brief(["published": "2026-12-24"]), line: 5, column: 12,
            passing: S.brief(["published": "2026-11-27"])),
        RuleCase(
            rule: .frontMatterPublishedAfterIssue, failing: S.brief(["issue": "2026-11-19"]), line: 5, column: 12,
            passing: S.brief(["issue": "2026-11-26"])),
        RuleCase(
            rule: .briefUnknownSource, failing: S.brief(["source": "Caxin"]), line: 4, column: 9,
            passing: S.brief(["source": "Wire China"])),
        RuleCase(
            rule: .briefURLNotSourceDomain, failing: S.brief(["url": "https://www.scmp.com/a"]), line: 3, column: 6,
            passing: S.brief(["url": "https://www.scmp.com/a", "via": "SCMP"])),
        RuleCase(
            rule: .briefExcerptEmpty, failing: S.brief(body: "\n"), line: 8, column: 1,
            passing: S.brief()),
        RuleCase(
            rule: .briefExcerptLength, failing: S.brief(body: "Too short.\n"), line: 8, column: 1,
            passing: S.brief()),
        RuleCase(
            rule: .quoteUnattributed, failing: S.post("Some context.\n\n> A quote from nowhere.\n"), line: 9, column: 1,
            passing: S.post("Mara Feld said:\n\n> A quote from somewhere.\n")),
        RuleCase(
            rule: .attributionMisspelledPerson, failing: S.post("Mara Fled said:\n\n> Words.\n"), line: 7, column: 1,
            passing: S.post("Mara Feld said:\n\n> Words.\n")),
        RuleCase(
            rule: .attributionMisspelledPublication, failing: S.post("Caxin reported:\n\n> Words.\n"), line: 7,
            column: 1,
            passing: S.post("Caixin reported:\n\n> Words.\n")),
        RuleCase(
            rule: .attributionUnknownPerson, failing: S.post("Daniel Okafor said:\n\n> Words.\n"), line: 7, column: 1,
            passing: S.post("Li Wen said:\n\n> Words.\n")),
        RuleCase(
            rule: .attributionUnknownPublication,
            failing: S.post("According to The Beijing Review, prices rose:\n\n> Words.\n"),
            line: 7, column: 14, passing: S.post("According to Sixth Tone, prices rose:\n\n> Words.\n")),
        RuleCase(
            rule: .attributionRoleMismatch,
            failing: S.post("Li Wen, senior fellow of the Shanghai Policy Lab, said:\n\n> Words.\n"), line: 7,
            column: 9,
            passing: S.post("Li Wen, director of the Shanghai Policy Lab, said:\n\n> Words.\n")),
        RuleCase(
            rule: .attributionRoleNotHeld,
            failing: S.post("Mara Feld, senior fellow at the Shanghai Policy Lab, said:\n\n> Words.\n"), line: 7,
            column: 12,
            passing: S.post(
                "Mara Feld, senior fellow at the Shanghai Policy Lab, said:\n\n> Words.\n", date: "2023-05-01")),
        RuleCase(
            rule: .attributionOutletMismatch, failing: S.post("Mara Feld, writing in Sixth Tone, said:\n\n> Words.\n"),
            line: 7, column: 23, passing: S.post("Mara Feld, writing in Foreign Affairs, said:\n\n> Words.\n")),
        RuleCase(
            rule: .attributionLinkDomain,
            failing: S.post("Caixin [reported](https://www.scmp.com/news/1):\n\n> Words.\n"), line: 7, column: 9,
            passing: S.post("Caixin [reported](https://www.caixinglobal.com/news/1):\n\n> Words.\n")),
        RuleCase(
            rule: .proseMisspelledName, failing: S.post("We met Mara Fedl last week.\n"), line: 7, column: 8,
            passing: S.post("We met Mara Feld last week.\n")),
    ]

    @Test(arguments: cases)
    func failingCaseIsReportedWhereItIs(_ rule: RuleCase) {
        let findings = TestSupport.findings(rule.failing).filter { $0.rule == rule.rule }
        #expect(findings.count == 1, "\(TestSupport.findings(rule.failing))")
        #expect(findings.first?.position == SourcePosition(line: rule.line, column: rule.column))
        #expect(findings.first?.severity == rule.rule.severity)
        #expect(findings.first?.message.isEmpty == false)
    }

    @Test(arguments: cases)
    func passingCaseHasNoFindingOfThatRule(_ rule: RuleCase) {
        let findings = TestSupport.findings(rule.passing)
        #expect(!findings.contains { $0.rule == rule.rule }, "\(findings)")
    }

    /// Part of the message audit: a suggestion always says where it comes from, and one said to come from the
    /// registry names only what the registry has (a name, alias, role, outlet or domain of some entry).
    @Test(arguments: cases)
    func everySuggestionSaysWhereItComesFrom(_ rule: RuleCase) {
        var registryWords: [String] = []
        for person in S.registry.people {
            registryWords += [person.name] + person.aliases + person.writesFor
            for role in person.roles { registryWords += [role.title, role.org] }
        }
        for publication in S.registry.publications {
            registryWords += [publication.name] + publication.aliases + publication.domains
        }
        for finding in TestSupport.findings(rule.failing) where finding.suggestion != nil {
            let suggestion = finding.suggestion ?? ""
            #expect(finding.suggestionSource != nil, "\(finding)")
            if finding.suggestionSource == SuggestionSource.registry.description {
                #expect(registryWords.contains { !$0.isEmpty && suggestion.contains($0) }, "\(finding)")
            }
        }
    }

    @Test func anUnknownBriefSourceWithNoNearNameSuggestsTheEntryToAdd() {
        let finding = TestSupport.findings(
            S.brief(["source": "Protestant Review", "url": "https://www.protestantreview.org/news/1"])
        ).first { $0.rule == .briefUnknownSource }
        #expect(
            finding?.suggestion == "- {name: Protestant Review, domains: [protestantreview.org]}",
            "\(String(describing: finding))")
        #expect(finding?.suggestionSource == SuggestionSource.registryEntryToAdd.description)
        // Counter-example: a near name is suggested from the registry, not an entry.
        let near = TestSupport.findings(S.brief(["source": "Caxin"])).first { $0.rule == .briefUnknownSource }
        #expect(near?.suggestionSource == SuggestionSource.registry.description, "\(String(describing: near))")
        // A name YAML would misread is quoted.
        #expect(
            RegistryEntryText.publication(name: "China: A Review", domains: [])
                == "- {name: \"China: A Review\", domains: []}")
    }

    @Test func theTextReportPrintsEachSuggestionUnderItsFindingAndCountsInfoAsClean() {
        let misspelled = DraftReport(
            path: "a.md", kind: .post,
            findings: TestSupport.findings(S.post("Mara Fled, writing in The Wire China, said:\n\n> Words.\n")))
        let verified = DraftReport(
            path: "b.md", kind: .brief,
            findings: [Finding(.quoteVerified, at: SourcePosition(line: 8, column: 1), "the quote matches the page")])
        let text = ReportFormatter.text([misspelled, verified])
        #expect(text.contains("\n    suggestion (from the registry): Mara Feld\n"), "\(text)")
        #expect(text.hasSuffix(", 1 clean\n"), "\(text)")
        #expect(verified.isClean && !misspelled.isClean)
    }

    @Test func everyRuleHasACase() {
        let covered = Set(Self.cases.map(\.rule))
        // DraftParserTests, CrossDraftTests; link rules in LinkDecisionTests (link.unverified in
        // LinkCheckerTests.aNameThatDoesNotResolve…) (verdicts from real servers in
        // BriefdLinkTests); quote rules against real pages in BriefdLinkTests/QuoteCheckTests.
        let others: Set<Rule> = [
            .draftUnreadable, .frontMatterInvalid, .briefDuplicateURL, .linkBroken, .linkRedirected, .linkSoft404,
            .linkBlocked, .linkTimeout, .linkBlockedAddress, .linkUnverified, .quoteVerified, .quoteAltered,
            .quoteOutOfOrder,
            .quoteNotFound, .quoteSourceUnavailable, .briefDateMismatch,
        ]
        #expect(Set(Rule.allCases).subtracting(covered).subtracting(others).isEmpty)
    }

    @Test func misspelledNameSuggestsTheRegistrySpelling() {
        let finding = TestSupport.findings(S.post("Mara Fled, writing in The Wire China, said:\n\n> Words.\n"))
            .first { $0.rule == .attributionMisspelledPerson }
        #expect(finding?.suggestion == "Mara Feld")
        #expect(finding?.message.contains("did you mean 'Mara Feld'?") == true)
    }

    @Test func theSameURLInTwoBriefsIsAnErrorOnBoth() throws {
        let checker = DraftChecker(config: S.config, registry: S.registry, today: S.today)
        let first = try #require(checker.check(path: "a.md", bytes: Array(S.brief().utf8)).draft)
        let second = try #require(
            checker.check(
                path: "b.md",
                bytes: Array(S.brief(["url": "https://thewirechina.com/2026/11/16/licensing-rules?utm_source=x"]).utf8)
            ).draft)
        let third = try #require(
            checker.check(path: "c.md", bytes: Array(S.brief(["url": "https://thewirechina.com/other"]).utf8)).draft)
        let findings = DraftChecker.crossDraftFindings([first, second, third])
        #expect(findings["a.md"]?.map(\.rule) == [.briefDuplicateURL])
        #expect(findings["b.md"]?.first?.message.contains("a.md") == true)
        #expect(findings["c.md"] == nil)
        #expect(findings["a.md"]?.first?.position == SourcePosition(line: 3, column: 6))
    }

    /// `repeat: true` says a brief cites an article again on purpose: no duplicate finding on it or on the draft
    /// it repeats (often the published one, still in the folder). Without it the pair is still reported.
    @Test func repeatTrueClearsTheDuplicateFinding() throws {
        let checker = DraftChecker(config: S.config, registry: S.registry, today: S.today)
        let published = try #require(checker.check(path: "a.md", bytes: Array(S.brief().utf8)).draft)
        let again = try #require(checker.check(path: "b.md", bytes: Array(S.brief(["repeat": "true"]).utf8)).draft)
        #expect(DraftChecker.crossDraftFindings([published, again]).isEmpty)
        let plain = try #require(checker.check(path: "c.md", bytes: Array(S.brief().utf8)).draft)
        #expect(DraftChecker.crossDraftFindings([published, plain]).keys.sorted() == ["a.md", "c.md"])
    }

    @Test func aURLCitedByThousandsNamesThreeOthersAndCountsTheRest() {
        let briefs = (0..<10_000).map { index in
            CitedBrief(
                path: String(format: "d%05d.md", index), identity: "thewirechina.com/x",
                position: SourcePosition(line: 3, column: 6))
        }
        let findings = DraftChecker.crossDraftFindings(briefs)
        #expect(findings.count == 10_000)
        #expect(
            findings["d00000.md"]?.first?.message
                == "the same article is also cited by d00001.md, d00002.md, d00003.md and 9996 other drafts; keep one brief"
        )
        #expect(
            findings["d00002.md"]?.first?.message.hasPrefix(
                "the same article is also cited by d00000.md, d00001.md, d00003.md and") == true)
        #expect(findings.values.allSatisfy { $0.count == 1 && $0[0].message.count < 120 })
        #expect(DraftChecker.citedBy(["a.md", "b.md"], total: 2) == "a.md and b.md")
        #expect(DraftChecker.citedBy(["a.md", "b.md", "c.md"], total: 4) == "a.md, b.md, c.md and 1 other draft")
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
