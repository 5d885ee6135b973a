import BriefdCore
import Testing

/// The ledger's review bookkeeping on its own: an answer counts only for the content it was made for; a failure
/// is said (never clean) and retried after 30 s, doubling to 30 min; a new check or a removal clears it.
@Suite struct ReviewBookTests {
    @Test func aReviewOfOlderContentIsNotTaken() {
        var book = ReviewBook()
        book.checked("a.md", hash: "h1", needsReview: true)
        book.checked("a.md", hash: "h2", needsReview: true)
        let stale = book.reviewed("a.md", hash: "h1")
        #expect(!stale)
        #expect(book.state(of: "a.md") == .pending)
        let current = book.reviewed("a.md", hash: "h2")
        #expect(current)
        #expect(book.state(of: "a.md") == .done)
        #expect(book.awaitedCount == 0)
    }

    @Test func aDraftWithoutLinksOrQuotesAwaitsNothing() {
        var book = ReviewBook()
        book.checked("a.md", hash: "h1", needsReview: false)
        #expect(book.state(of: "a.md") == .done)
        #expect(!book.isAwaited("a.md"))
    }

    @Test func failuresAreSaidAndWaitLongerEachTime() {
        var book = ReviewBook()
        book.checked("a.md", hash: "h1", needsReview: true)
        var waits: [Int] = []
        var now = 1000.0
        for _ in 0..<8 {
            if let wait = book.failed("a.md", hash: "h1", reason: "the network is down", now: now) {
                waits.append(wait)
                #expect(book.state(of: "a.md") == .failed(reason: "the network is down"))
                // Not due a moment before its wait is over; due at it, and only once.
                #expect(book.dueRetries(now: now + Double(wait) - 1).isEmpty)
                now += Double(wait)
                let due = book.dueRetries(now: now)
                #expect(due.map(\.path) == ["a.md"] && due.map(\.hash) == ["h1"])
                #expect(book.dueRetries(now: now + 10_000).isEmpty)
                book.queued("a.md", hash: "h1")
                #expect(book.state(of: "a.md") == .pending)
            }
        }
        #expect(waits == [30, 60, 120, 240, 480, 960, 1800, 1800])
        let taken = book.reviewed("a.md", hash: "h1")
        #expect(taken)
        #expect(book.state(of: "a.md") == .done)
    }

    @Test func aFailureOfOlderContentIsNotTakenAndANewCheckClearsAFailure() {
        var book = ReviewBook()
        book.checked("a.md", hash: "h1", needsReview: true)
        book.checked("a.md", hash: "h2", needsReview: true)
        #expect(book.failed("a.md", hash: "h1", reason: "timeout", now: 0) == nil)
        #expect(book.failed("a.md", hash: "h2", reason: "timeout", now: 0) == 30)
        book.checked("a.md", hash: "h3", needsReview: false)
        #expect(book.state(of: "a.md") == .done)
        #expect(book.dueRetries(now: 10_000).isEmpty)
    }

    @Test func aRemovedDraftIsForgotten() {
        var book = ReviewBook()
        book.checked("a.md", hash: "h1", needsReview: true)
        book.checked("b.md", hash: "h1", needsReview: true)
        _ = book.failed("b.md", hash: "h1", reason: "timeout", now: 0)
        book.forget("a.md")
        book.forget("b.md")
        #expect(book.awaitedCount == 0)
        #expect(book.dueRetries(now: 10_000).isEmpty)
        #expect(book == ReviewBook())
    }
}
