import BriefdCore
import Testing

/// Every way of introducing a quote that the issue lists is recognised: with the registry's spelling there
/// is no finding at all, and with a misspelled name the error points at the name.
@Suite("Attribution patterns")
struct AttributionPatternTests {
    typealias S = TestSupport

    static let patterns: [(lead: String, misspelled: String, column: Int)] = [
        ("Historian Mara Feld, writing in The Wire China, looked at the rules:", "Historian Mara Fedl, writing in The Wire China, looked at the rules:", 11),
        ("Caixin reported on the database:", "Caixn reported on the database:", 1),
        ("According to Mara Feld, the rules are new:", "According to Mara Fedl, the rules are new:", 14),
        ("Li Wen, director of the Shanghai Policy Lab (SPL) in Shanghai, said:", "Li Wenn, director of the Shanghai Policy Lab (SPL) in Shanghai, said:", 1),
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
        let findings = S.findings(S.post("*Mara Fedl*, [writing in The Wire China](https://thewirechina.com/x), said:\n\n> Words.\n"))
        #expect(findings.map(\.rule) == [.attributionMisspelledPerson])
        #expect(findings.first?.position == SourcePosition(line: 7, column: 2))
    }

    /// Real prose (ChinaSource posts): roles written "correspondent for X" or "reporter with X" are roles, and a
    /// wrong one is seen.
    @Test(arguments: ["a correspondent for Caixin", "a reporter with Caixin", "the Beijing bureau chief at Caixin"])
    func rolesWithForWithAndAtAreRead(role: String) {
        let findings = S.findings(S.post("Li Wen, \(role), said:\n\n> The rules are new.\n"))
        #expect(findings.map(\.rule) == [.attributionRoleMismatch], "\(findings)")
        #expect(findings.first?.message.contains("'\(role.split(separator: " ", maxSplits: 1)[1])'") == true, "\(findings)")
        #expect(S.findings(S.post("Li Wen, director with the Shanghai Policy Lab, said:\n\n> The rules are new.\n")).isEmpty)
    }

    /// "Louisa Lim, the dynamic Shanghai correspondent for National Public Radio" (a real ZGBriefs lead-in): the
    /// quote is attributed to her, and the broadcaster is never taken for a person.
    @Test func anOrganisationIsNeverTakenForAPerson() {
        let findings = S.findings(S.post(
            "Louisa Lim, the dynamic Shanghai correspondent for National Public Radio, wrote about it:\n\n"
                + "> The people of Beijing came out to defend the students.\n"))
        #expect(findings.map(\.rule) == [.attributionUnknownPerson], "\(findings)")
        #expect(findings.first?.message.contains("'Louisa Lim'") == true)
        #expect(!findings.contains { $0.message.contains("Radio") })
    }

    /// "Mara Feld … Feld writes:": a surname alone after the full name, in the same paragraph or the one before.
    @Test func aSurnameAloneAfterTheFullNameIsThatPerson() {
        #expect(S.findings(S.post("Mara Feld described the scene at length. Feld writes:\n\n> Nobody knew.\n")).isEmpty)
        #expect(S.findings(S.post("Mara Feld has followed this for years.\n\nFeld writes:\n\n> Nobody knew.\n")).isEmpty)
        // Without the full name before it, a lone "Feld" is not guessed at (Mara or Mark?).
        #expect(!S.findings(S.post("Feld writes:\n\n> Nobody knew.\n")).isEmpty)
    }

    @Test func quotesInsideListsAreChecked() {
        #expect(S.findings(S.post("- Some context.\n\n  > A quote from nowhere.\n")).map(\.rule) == [.quoteUnattributed])
    }
}
