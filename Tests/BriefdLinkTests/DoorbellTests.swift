import BriefdApp
import Foundation
import Testing

/// The upkeep sleeps on the ledger's doorbell instead of polling: a ring wakes it at once, a ring while nobody waits
/// is remembered, the limit ends a quiet wait, and a wait whose limit wins a race with its own start never hangs.
/// A missed ring would sleep the whole 45 s limit; the bound of 25 s leaves room for a busy test run on two cores (the
/// first fresh-clone run woke in 5.6 and 6.2 s while every suite ran at once).
@Suite(.timeLimit(.minutes(1))) struct DoorbellTests {
    @Test func aRingWakesTheWaiterAtOnce() async {
        let bell = Doorbell()
        let clock = ContinuousClock()
        let started = clock.now
        async let waited: Void = bell.wait(upTo: .seconds(45))
        try? await Task.sleep(for: .milliseconds(50))
        bell.ring()
        await waited
        #expect(clock.now - started < .seconds(25))
    }

    @Test func aRingWithNobodyWaitingIsKeptForTheNextWait() async {
        let bell = Doorbell()
        bell.ring()
        bell.ring()
        let clock = ContinuousClock()
        let started = clock.now
        await bell.wait(upTo: .seconds(45))
        #expect(clock.now - started < .seconds(25))
        // Two rings before it are one: the next wait sleeps to its limit.
        let second = clock.now
        await bell.wait(upTo: .milliseconds(300))
        #expect(clock.now - second >= .milliseconds(250))
    }

    /// A hang shows as the suite's time limit. 400 races, not thousands: each wait needs the concurrency pool's two
    /// threads, which the end-to-end suites' process waits hold for seconds at a time (2,500 waits once ran past the
    /// minute in a fresh-clone run with builds beside it; alone they take 50 ms).
    @Test func theLimitEndsAQuietWaitEvenInARace() async {
        let bell = Doorbell()
        for _ in 0..<300 { await bell.wait(upTo: .zero) }
        for round in 0..<100 {
            if round % 2 == 0 { bell.ring() }
            await bell.wait(upTo: .microseconds(round % 7))
        }
    }
}
