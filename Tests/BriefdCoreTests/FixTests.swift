import BriefdCore
import Foundation
import Testing

/// Findings carry their fixes (issue 32): each rule that knows the answer, with its counter-example; applying a
/// fix removes its finding and adds none; a safe fix never changes words inside a block quote.
@Suite("Fixes")
struct FixTests {
    typealias S = TestSupport

    /// The text after applying the one fix of the one finding of `rule`, and what a check of it finds then.
    func fixed(_ text: String, rule: Rule) throws -> (text: String, before: [Finding], after: [Finding], fix: Fix) {
        let before = S.findings(text)
        let finding = try #require(before.first { $0.rule == rule }, "\(before)")
        let fix = try #require(finding.fixes.first, "\(finding) has no fix")
        let new = String(decoding: try FixApplier.apply([fix], to: Array(text.utf8)), as: UTF8.self)
        return (new, before, S.findings(new), fix)
    }

    /// The fix removed its finding and added none.
    func expectResolved(_ result: (text: String, before: [Finding], after: [Finding], fix: Fix), _ rule: Rule) {
        #expect(!result.after.contains { $0.rule == rule }, "\(result.after)")
        let added = result.after.filter { finding in !result.before.contains { $0.rule == finding.rule } }
        #expect(added.isEmpty, "the fix added \(added)")
    }

    @Test func aMisspelledPersonTakesTheRegistrysSpelling() throws {
        let result = try fixed(
            S.post("Mara Fled, writing in The Wire China, said:\n\n> Words.\n"), rule: .attributionMisspelledPerson)
        #expect(result.fix.safe && result.fix.title == "Use the registry's spelling: Mara Feld")
        #expect(result.text.contains("Mara Feld, writing in The Wire China, said:"))
        expectResolved(result, .attributionMisspelledPerson)
    }

    @Test func aMisspelledNameInProseIsFixedButNotInsideAQuote() throws {
        let result = try fixed(S.post("Last week Mara Fled wrote about it.\n"), rule: .proseMisspelledName)
        #expect(result.fix.safe)
        expectResolved(result, .proseMisspelledName)
        // Counter-example: inside a block quote the words are the source's; the fix is offered, not safe.
        let quoted = S.findings(
            S.post("Mara Feld, writing in The Wire China, said:\n\n> As Mara Fled wrote before, it is so.\n"))
        let inQuote = quoted.first { $0.rule == .proseMisspelledName }
        #expect(inQuote?.fixes.allSatisfy { !$0.safe } ?? true, "\(quoted)")
    }

    @Test func aNameWithMarkupInsideOrTwoCandidatesHasNoFix() {
        // Two registry names are as near: which one is an editor's call.
        let ambiguous = S.findings(S.post("Mar Feld, writing in The Wire China, said:\n\n> Words.\n"))
            .first { $0.rule == .attributionMisspelledPerson }
        #expect(ambiguous?.message.contains(" or ") == true, "\(String(describing: ambiguous))")
        #expect(ambiguous?.fixes.isEmpty == true)
        let marked = S.findings(S.post("*Mara* Fled, writing in The Wire China, said:\n\n> Words.\n"))
            .first { $0.rule == .attributionMisspelledPerson }
        #expect(marked != nil && marked?.fixes.isEmpty == true, "\(String(describing: marked))")
    }

    @Test func aNearSourceTakesTheRegistrysNameAndAnUnknownSectionTheClosest() throws {
        let source = try fixed(S.brief(["source": "Wire Chin"]), rule: .briefUnknownSource)
        #expect(source.text.contains("source: The Wire China\n") || source.text.contains("source: Wire China\n"))
        expectResolved(source, .briefUnknownSource)
        let quoted = try fixed(S.brief(["source": "\"Wire Chin\""]), rule: .briefUnknownSource)
        #expect(
            quoted.text.contains("source: \"The Wire China\"\n") || quoted.text.contains("source: \"Wire China\"\n"))
        let section = try fixed(S.brief(["section": "Book"]), rule: .frontMatterUnknownSection)
        #expect(section.text.contains("section: Books\n"), "\(section.text)")
        expectResolved(section, .frontMatterUnknownSection)
        // Counter-example: nothing near, no fix.
        #expect(S.findings(S.brief(["source": "Protestant Review"])).allSatisfy { $0.fixes.isEmpty })
    }

    @Test func anUnknownKeyOrKindTakesTheClosestNameAndAnUnclosedQuoteIsClosed() throws {
        let key = try fixed(S.brief(["section": nil, "sectoin": "Books"]), rule: .frontMatterUnknownKey)
        #expect(key.fix.safe && key.text.contains("\nsection: Books\n"), "\(key.text)")
        expectResolved(key, .frontMatterUnknownKey)
        // Counter-example: the key it is near is already set; renaming would set it twice.
        let twice = S.findings(S.brief(["sectoin": "Books"])).first { $0.rule == .frontMatterUnknownKey }
        #expect(twice?.fixes.isEmpty == true, "\(String(describing: twice))")
        let kind = try fixed(S.brief(["kind": "breif"]), rule: .frontMatterUnknownKind)
        #expect(kind.text.contains("kind: brief\n"), "\(kind.text)")
        expectResolved(kind, .frontMatterUnknownKind)
        let unclosed = try fixed(S.brief(["title": "\"Unclosed title"]), rule: .frontMatterInvalid)
        #expect(unclosed.text.contains("title: \"Unclosed title\"\n"), "\(unclosed.text)")
        expectResolved(unclosed, .frontMatterInvalid)
        // Counter-example: a key nothing is near has no fix.
        let far = S.findings(S.brief(["zzzzzzzz": "x"])).first { $0.rule == .frontMatterUnknownKey }
        #expect(far?.fixes.isEmpty == true, "\(String(describing: far))")
    }

    /// A draft saved with CRLF line endings: the value is replaced, its CR kept, nothing read out of bounds.
    @Test func aDraftWithCRLFLineEndingsIsFixedInPlace() throws {
        let text = S.brief(["section": "Book"]).replacingOccurrences(of: "\n", with: "\r\n")
        let result = try fixed(text, rule: .frontMatterUnknownSection)
        #expect(result.text.contains("section: Books\r\n"), "\(result.text.debugDescription)")
    }

    @Test func aRoleMismatchOffersTheRegistrysRoleAsNotSafe() throws {
        let result = try fixed(
            S.post("Li Wen, senior fellow of the Shanghai Policy Lab, said:\n\n> Words.\n"),
            rule: .attributionRoleMismatch)
        #expect(!result.fix.safe)
        #expect(result.text.contains("Li Wen, director of Shanghai Policy Lab, said:"), "\(result.text)")
        expectResolved(result, .attributionRoleMismatch)
    }

    @Test func thePagesDateAndARedirectsEndAreSafe() throws {
        let text = S.brief(["published": "2026-11-19"])
        let checker = DraftChecker(config: S.config, registry: S.registry, today: S.today)
        let draft = try #require(checker.check(path: "d.md", bytes: Array(text.utf8)).draft)
        let url = try #require(draft.frontMatter.url)
        let page = PageSnapshot(
            url: url, fetchedAt: 1_764_000_000, status: 200, text: "The rules do not ban anything outright.",
            published: Day(iso: "2026-11-20"), problem: nil)
        let date = try #require(
            QuoteCheck.findings(for: draft, snapshots: [url: page]).first { $0.rule == .briefDateMismatch })
        let fix = try #require(date.fixes.first)
        #expect(fix.safe)
        let new = String(decoding: try FixApplier.apply([fix], to: Array(text.utf8)), as: UTF8.self)
        #expect(new.contains("published: 2026-11-20\n"))

        let cited = LinkExtractor.links(in: draft)
        var result = LinkResult(url: url, verdict: .redirected, status: 301, checkedAt: 1_764_000_000)
        result.finalURL = "https://www.thewirechina.com/2026/11/16/licensing-rules-new/"
        let redirect = try #require(
            LinkFindings.findings(path: "d.md", links: cited, results: [url: result], source: draft.source).first)
        let moved = String(decoding: try FixApplier.apply(redirect.fixes, to: Array(text.utf8)), as: UTF8.self)
        #expect(redirect.fixes.first?.safe == true)
        #expect(moved.contains("url: https://www.thewirechina.com/2026/11/16/licensing-rules-new/\n"), "\(moved)")
    }

    /// An altered quote offers the page's words, as not safe; applied, the quote is verified and nothing else is
    /// found. A fragment with markup inside offers nothing (the edit would drop the markup).
    @Test func anAlteredQuoteIsRestoredToThePagesWordsAsNotSafe() throws {
        let page =
            "The regulators said the rules do not ban anything outright, and licences can be withdrawn at any time."
        let checker = DraftChecker(config: S.config, registry: S.registry, today: S.today)
        func judged(_ text: String) throws -> [Finding] {
            let draft = try #require(checker.check(path: "d.md", bytes: Array(text.utf8)).draft)
            let url = try #require(draft.frontMatter.url)
            let snapshot = PageSnapshot(
                url: url, fetchedAt: 1_764_000_000, status: 200, text: page, published: nil, problem: nil)
            return QuoteCheck.findings(for: draft, snapshots: [url: snapshot])
        }
        let text = S.brief(body: "The rules do not ban anything at all, and licences can be withdrawn at any time.\n")
        let altered = try #require(try judged(text).first { $0.rule == .quoteAltered })
        // Where the page's passage differs is data, not words to find in the message: "outright" marked.
        let passage = Array(try #require(altered.suggestion).utf8)
        #expect(
            altered.suggestionMarks.map { String(decoding: passage[$0], as: UTF8.self) } == ["outright"],
            "\(altered.suggestionMarks) in \(altered.suggestion ?? "")")
        let fix = try #require(altered.fixes.first)
        #expect(!fix.safe)
        #expect(fix.title.hasPrefix("Restore the page's words: “"))
        let restored = String(decoding: try FixApplier.apply([fix], to: Array(text.utf8)), as: UTF8.self)
        let after = try judged(restored)
        #expect(after.map(\.rule) == [.quoteVerified], "\(restored)\n\(after)")
        // Counter-example: emphasis inside the altered words; the finding stays, with no fix.
        let marked = S.brief(
            body: "The rules do *not* ban anything at all, and licences can be withdrawn at any time.\n")
        let stillAltered = try #require(try judged(marked).first { $0.rule == .quoteAltered })
        #expect(stillAltered.fixes.isEmpty)
    }

    /// A dead link with an archived copy offers the copy, as not safe (readers would be sent to the page as it
    /// was); without a copy, or for a link that works, there is nothing to offer.
    @Test func aDeadLinksArchivedCopyIsOfferedAsNotSafe() throws {
        let text = S.brief([:])
        let checker = DraftChecker(config: S.config, registry: S.registry, today: S.today)
        let draft = try #require(checker.check(path: "d.md", bytes: Array(text.utf8)).draft)
        let url = try #require(draft.frontMatter.url)
        let cited = LinkExtractor.links(in: draft)
        let copy = "https://web.archive.org/web/20261117000000/" + url
        let dead = LinkResult(url: url, verdict: .broken, status: 404, checkedAt: 1_764_000_000)
        let broken = try #require(
            LinkFindings.findings(
                path: "d.md", links: cited, results: [url: dead], source: draft.source, archived: [url: copy]
            ).first)
        let fix = try #require(broken.fixes.first)
        #expect(!fix.safe)
        #expect(fix.title == "Cite the archived copy: \(copy)")
        let new = String(decoding: try FixApplier.apply([fix], to: Array(text.utf8)), as: UTF8.self)
        #expect(new.contains("url: \(copy)\n"), "\(new)")

        let noCopy = LinkFindings.findings(path: "d.md", links: cited, results: [url: dead], source: draft.source)
        #expect(noCopy.first?.rule == .linkBroken)
        #expect(noCopy.first?.fixes.isEmpty == true)
        let alive = LinkResult(url: url, verdict: .ok, status: 200, checkedAt: 1_764_000_000)
        #expect(
            LinkFindings.findings(
                path: "d.md", links: cited, results: [url: alive], source: draft.source, archived: [url: copy]
            ).isEmpty)
    }

    @Test func overlappingFixesAreRefusedAndADiffShowsTheChange() throws {
        let source = SourceText(bytes: Array("abcdef\n".utf8))
        let one = Fix(title: "a", safe: true, edits: [TextEdit(start: 1, end: 4, newText: "X", in: source)])
        let two = Fix(title: "b", safe: true, edits: [TextEdit(start: 3, end: 5, newText: "Y", in: source)])
        #expect(throws: FixApplier.Refusal.self) { try FixApplier.apply([one, two], to: source.bytes) }
        let diff = FixApplier.unifiedDiff(old: "a\nb\nc\n", new: "a\nB\nc\n", path: "d.md")
        #expect(diff == "--- d.md\n+++ d.md\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n \n")
    }
}
