@testable import BriefdApp
import Foundation
import Testing

/// Upkeep's backoff after failures: doubling from 0.1 s to at most 30 s, said at the first failure of a streak and
/// then every 20th, and reset by a success.
@Suite struct UpkeepBackoffTests {
    @Test func failuresWaitLongerAndAreSaidSparingly() {
        var backoff = UpkeepBackoff()
        let now = Date(timeIntervalSince1970: 1_000_000)
        var said: [Int] = []
        var waits: [Double] = []
        for failure in 1...45 {
            if backoff.failed(now: now) { said.append(failure) }
            waits.append(backoff.nextAttempt.timeIntervalSince(now))
        }
        #expect(said == [1, 20, 40])
        #expect(zip(waits.prefix(3), [0.1, 0.2, 0.4]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(waits.prefix(3))")
        #expect(waits.allSatisfy { $0 <= 30 } && waits.last == 30)
        #expect(backoff.succeeded() == 45)
        #expect(backoff.failuresInARow == 0 && backoff.nextAttempt == .distantPast)
        #expect(backoff.succeeded() == 0, "a success after a success ends no streak")
    }
}
