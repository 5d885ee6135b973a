import BriefdCore
import Testing

/// Every way of introducing a quote that the issue lists is recognised: with the registry's spelling there
/// is no finding at all, and with a misspelled name the error points at the name.
@Suite("Attribution patterns")
struct AttributionPatternTests {
    typealias S = TestSupport

    static let patterns: [(lead: String, misspelled: String, column: Int)] = [
        (
            "Historian Mara Feld, writing in The Wire China, looked at the rules:",
            "Historian Mara Fedl, writing in The Wire China, looked at the rules:", 11
        ),
        ("Caixin reported on the database:", "Caixn reported on the database:", 1),
        ("According to Mara Feld, the rules are new:", "According to Mara Fedl, the rules are new:", 14),
        (
            "Li Wen, director of the Shanghai Policy Lab (SPL) in Shanghai, said:",
            "Li Wenn, director of the Shanghai Policy Lab (SPL) in Shanghai, said:", 1
        ),
        ("Mara Feld argues that it matters:", "Mara Feldd argues that it matters:", 1),
        ("Mara Feld reminds us:", "Mara Fedl reminds us:", 1),
        ("As Mara Feld put it in Foreign Affairs:", "As Mara Fedl put it in Foreign Affairs:", 4),
        ("As Mara Feld put it in Foreign Affairs:", "As Mara Feld put it in Foriegn Affairs:", 24),
    ]

    @Test(arguments: patterns.indices)
    func leadInPatternIsRecognised(_ index: Int) {
        let pattern = Self.patterns[index]
        #expect(S.findings(S.post("\(pattern.lead)\n\n> The quoted words.\n")).isEmpty)
        let findings = S.findings(S.post("\(pattern.misspelled)\n\n> The quoted words.\n"))
        #expect(findings.count == 1, "\(findings)")
        #expect(findings.first?.severity == .error)
        #expect(findings.first?.position == SourcePosition(line: 7, column: pattern.column))
    }

    @Test func closingLineAttributes() {
        #expect(S.findings(S.post("An older essay:\n\n> Words.\n>\n> — Mara Feld, The Wire China\n")).isEmpty)
        let findings = S.findings(S.post("An older essay:\n\n> Words.\n>\n> — Mara Fedl, The Wire China\n"))
        #expect(findings.map(\.rule) == [.attributionMisspelledPerson])
        #expect(findings.first?.position == SourcePosition(line: 11, column: 5))
    }

    @Test func pronounRefersToThePersonNamedBefore() {
        let text = S.post(
            "Li Wen, director of the Shanghai Policy Lab, has called this \"platform statism\".\n\n"
                + "She expanded on it in a talk:\n\n> The state holds the keys.\n")
        #expect(S.findings(text).isEmpty)
        let withoutAntecedent = S.post("She expanded on it in a talk:\n\n> The state holds the keys.\n")
        #expect(S.findings(withoutAntecedent).map(\.rule) == [.quoteUnattributed])
    }

    @Test func emphasisAndLinksAroundNamesDoNotHidePositions() {
        let findings = S.findings(
            S.post("*Mara Fedl*, [writing in The Wire China](https://thewirechina.com/x), said:\n\n> Words.\n"))
        #expect(findings.map(\.rule) == [.attributionMisspelledPerson])
        #expect(findings.first?.position == SourcePosition(line: 7, column: 2))
    }

    /// Real prose (ChinaSource posts): roles written "correspondent for X" or "reporter with X" are roles, and a
    /// wrong one is seen.
    @Test(arguments: ["a correspondent for Caixin", "a reporter with Caixin", "the Beijing bureau chief at Caixin"])
    func rolesWithForWithAndAtAreRead(role: String) {
        let findings = S.findings(S.post("Li Wen, \(role), said:\n\n> The rules are new.\n"))
        #expect(findings.map(\.rule) == [.attributionRoleMismatch], "\(findings)")
        #expect(
            findings.first?.message.contains("'\(role.split(separator: " ", maxSplits: 1)[1])'") == true, "\(findings)")
        #expect(
            S.findings(S.post("Li Wen, director with the Shanghai Policy Lab, said:\n\n> The rules are new.\n")).isEmpty
        )
    }

    /// "Louisa Lim, the dynamic Shanghai correspondent for National Public Radio" (a real ZGBriefs lead-in): the
    /// quote is attributed to her, and the broadcaster is never taken for a person.
    @Test func anOrganisationIsNeverTakenForAPerson() {
        let findings = S.findings(
            S.post(
                "Louisa Lim, the dynamic Shanghai correspondent for National Public Radio, wrote about it:\n\n"
                    + "> The people of Beijing came out to defend the students.\n"))
        #expect(findings.map(\.rule) == [.attributionUnknownPerson], "\(findings)")
        #expect(findings.first?.message.contains("'Louisa Lim'") == true)
        #expect(!findings.contains { $0.message.contains("Radio") })
    }

    /// "Mara Feld … Feld writes:": a surname alone after the full name, in the same paragraph or the one before.
    @Test func aSurnameAloneAfterTheFullNameIsThatPerson() {
        #expect(S.findings(S.post("Mara Feld described the scene at length. Feld writes:\n\n> Nobody knew.\n")).isEmpty)
        #expect(
            S.findings(S.post("Mara Feld has followed this for years.\n\nFeld writes:\n\n> Nobody knew.\n")).isEmpty)
    }

    /// "Musk told Reddit how he learns:" (a real post): a word that only one registry person's name starts or ends
    /// with is that person, not an unknown publication called "Musk". A word two people share is not guessed at.
    @Test func aNameWordOnlyOnePersonHasIsThatPerson() {
        #expect(S.findings(S.post("Roblin told Caixin how he works:\n\n> Nobody knew.\n")).isEmpty)
        #expect(
            !S.findings(S.post("Feld told Caixin how she works:\n\n> Nobody knew.\n")).isEmpty, "Mara or Mark Feld?")
        #expect(!S.findings(S.post("Li told Caixin how it works:\n\n> Nobody knew.\n")).isEmpty, "Li Wen or Li Wei?")
    }

    /// A source line set after the quote rather than before it (a real "quote of the day" post):
    /// "Hu Yunwang, director of …, to Sina.com." attributes the quote; so does a dash line outside the quote.
    @Test func aSourceLineRightAfterTheQuoteAttributesIt() {
        #expect(
            S.findings(S.post("> Nobody knew.\n\nLi Wen, director of the Shanghai Policy Lab, to Sixth Tone.\n"))
                .isEmpty)
        #expect(S.findings(S.post("> Nobody knew.\n\n— Mara Feld, The Wire China\n")).isEmpty)
        let misspelled = S.findings(S.post("> Nobody knew.\n\nMara Fedl, to Caixin.\n"))
        #expect(misspelled.map(\.rule) == [.attributionMisspelledPerson], "\(misspelled)")
        #expect(misspelled.first?.position == SourcePosition(line: 9, column: 1))
        // A paragraph that goes on about someone is not a source line.
        #expect(
            S.findings(S.post("> Nobody knew.\n\nMara Feld writes about it often.\n")).map(\.rule) == [
                .quoteUnattributed
            ])
    }

    /// "Ye Xiaowen, former director of the State Administration for Religious Affairs" (a real survey's footnote):
    /// "former" says the role was held before the draft's date; it is only wrong if it had not even begun.
    @Test func aFormerRoleIsCheckedAgainstTheStartOfTheRole() {
        // Mara Feld: Senior Fellow, Shanghai Policy Lab, 2019-01-01 – 2024-06-30; the test post is dated 2026-11-24.
        let former = "Mara Feld, former senior fellow of the Shanghai Policy Lab, said:\n\n> Nobody knew.\n"
        #expect(S.findings(S.post(former)).isEmpty)
        let current = "Mara Feld, senior fellow of the Shanghai Policy Lab, said:\n\n> Nobody knew.\n"
        #expect(S.findings(S.post(current)).map(\.rule) == [.attributionRoleNotHeld])
        let early = S.findings(S.post(former, date: "2018-05-01"))
        #expect(early.map(\.rule) == [.attributionRoleNotHeld], "the role had not begun in 2018")
    }

    /// "according to Rule #1" names a clause, not a source.
    @Test func aNumberedClauseIsNotASource() {
        #expect(
            S.findings(S.post("Work according to Rule #1 of the book.\n\n> Nobody knew.\n")).map(\.rule) == [
                .quoteUnattributed
            ])
        #expect(
            S.findings(S.post("According to Article 36, it is allowed:\n\n> Nobody knew.\n")).map(\.rule) == [
                .quoteUnattributed
            ])
    }

    @Test func quotesInsideListsAreChecked() {
        #expect(
            S.findings(S.post("- Some context.\n\n  > A quote from nowhere.\n")).map(\.rule) == [.quoteUnattributed])
    }
}
