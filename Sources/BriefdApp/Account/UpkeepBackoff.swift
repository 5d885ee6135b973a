import Foundation

/// Upkeep's failures in a row (a save, a report or the index that could not be written), and when the next try may
/// be: a database or disk that stays broken is tried at a doubling interval (0.1 s up to 30 s) and said at the first
/// failure of a streak and then every 20th (about every 10 minutes at the longest interval), not ten times a second.
struct UpkeepBackoff: Sendable {
    private(set) var failuresInARow = 0
    private(set) var nextAttempt = Date.distantPast

    /// One more failure at `now`; true when it is to be said.
    mutating func failed(now: Date = Date()) -> Bool {
        failuresInARow += 1
        nextAttempt = now.addingTimeInterval(min(0.1 * pow(2, Double(min(failuresInARow - 1, 20))), 30))
        return failuresInARow == 1 || failuresInARow % 20 == 0
    }

    /// Everything went through; returns how many failures the streak had (0: there was none).
    mutating func succeeded() -> Int {
        defer {
            failuresInARow = 0
            nextAttempt = .distantPast
        }
        return failuresInARow
    }
}
