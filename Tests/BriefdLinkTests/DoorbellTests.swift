import BriefdApp
import Foundation
import Testing

/// The upkeep sleeps on the ledger's doorbell instead of polling: a ring wakes it at once, a ring while nobody waits
/// is remembered, the limit ends a quiet wait, and a wait whose limit wins a race with its own start never hangs.
/// Each wait says why it ended, so the tests check the ring itself rather than a wall-clock bound (a bound of 25 s
/// once failed in a fresh-clone run whose two pool threads were held by process waits: the ring had been heard, the
/// test's own task had not been run).
@Suite(.timeLimit(.minutes(2))) struct DoorbellTests {
    @Test func aRingWakesTheWaiterAtOnce() async {
        let bell = Doorbell()
        async let waited = bell.wait(upTo: .seconds(45))
        try? await Task.sleep(for: .milliseconds(50))
        bell.ring()
        #expect(await waited == .rung)
    }

    @Test func aRingWithNobodyWaitingIsKeptForTheNextWait() async {
        let bell = Doorbell()
        bell.ring()
        bell.ring()
        #expect(await bell.wait(upTo: .seconds(45)) == .rung)
        // Two rings before it are one: the next wait sleeps to its limit.
        let clock = ContinuousClock()
        let second = clock.now
        #expect(await bell.wait(upTo: .milliseconds(300)) == .limit)
        #expect(clock.now - second >= .milliseconds(250))
    }

    /// A hang shows as the suite's time limit. 400 races, not thousands: each wait needs the concurrency pool's two
    /// threads, which the end-to-end suites' process waits hold for seconds at a time (2,500 waits once ran past the
    /// minute in a fresh-clone run with builds beside it; alone they take 50 ms).
    @Test func theLimitEndsAQuietWaitEvenInARace() async {
        let bell = Doorbell()
        var wakes: [Doorbell.Wake] = []
        for _ in 0..<300 { wakes.append(await bell.wait(upTo: .zero)) }
        // Nobody rang: every one of those ended at its limit.
        #expect(wakes.allSatisfy { $0 == .limit })
        var rung = 0
        for round in 0..<100 {
            if round % 2 == 0 { bell.ring() }
            if await bell.wait(upTo: .microseconds(round % 7)) == .rung { rung += 1 }
        }
        // A wait is never woken by a ring that did not happen; and after the races the bell still works.
        #expect(rung <= 50)
        bell.ring()
        #expect(await bell.wait(upTo: .seconds(45)) == .rung)
    }
}
