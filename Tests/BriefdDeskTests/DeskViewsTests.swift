import BriefdCore
@testable import BriefdDesk
import Testing

/// The pages' values made from the application's answers, without a server.
@Suite struct DeskViewsTests {
    /// The page's passage of an altered quote is marked where the check says it differs (`suggestionMarks`), also
    /// where the same words stand elsewhere in it, and the message's wording plays no part.
    @Test func theAlteredQuotesPassageIsMarkedWhereTheCheckSays() {
        let passage = "the rules do not ban anything outright, and the rules can be withdrawn"
        let bytes = Array(passage.utf8)
        let second = bytes.indices.filter { Array(bytes[$0...].prefix(9)) == Array("the rules".utf8) }[1]
        let runs = DeskViews.markedPassage(passage, marks: [second..<(second + 9), 30..<38])
        #expect(runs.filter(\.marked).map(\.text) == ["outright", "the rules"])
        #expect(runs.map(\.text).joined() == passage, "nothing lost or repeated")
        #expect(runs.first?.marked == false && runs.first?.text.hasPrefix("the rules do") == true)
        // Marks outside the passage, overlapping or empty are ignored rather than trusted.
        let odd = DeskViews.markedPassage("short", marks: [3..<99, 0..<0, 1..<3, 2..<4])
        #expect(odd.map(\.text).joined() == "short")
        #expect(odd.filter(\.marked).map(\.text) == ["ho"])
    }
}
