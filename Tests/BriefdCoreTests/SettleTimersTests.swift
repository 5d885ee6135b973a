import BriefdCore
import Testing

/// The watcher's settle logic as a pure state machine: a burst of writes gives one check, of the last change; a
/// removal cancels what was pending; paths are independent.
@Suite struct SettleTimersTests {
    @Test func aBurstOfChangesFiresOnlyItsLastTimer() {
        var timers = SettleTimers()
        let generations = (0..<5).map { _ in timers.changed("a.md") }
        #expect(Set(generations).count == 5)
        let fired = generations.map { timers.timerRanOut("a.md", generation: $0) }
        #expect(fired == [false, false, false, false, true])
        #expect(timers.waiting == 0)
    }

    @Test func aTimerThatRanOutIsNotFiredTwice() {
        var timers = SettleTimers()
        let generation = timers.changed("a.md")
        let first = timers.timerRanOut("a.md", generation: generation)
        let second = timers.timerRanOut("a.md", generation: generation)
        #expect(first && !second)
    }

    @Test func aChangeAfterTheCheckStartsAgain() {
        var timers = SettleTimers()
        let checked = timers.timerRanOut("a.md", generation: timers.changed("a.md"))
        let again = timers.changed("a.md")
        #expect(checked && timers.waiting == 1)
        let checkedAgain = timers.timerRanOut("a.md", generation: again)
        #expect(checkedAgain)
    }

    @Test func aRemovalCancelsThePendingCheckAndARecreationIsCheckedOnceWhenItSettles() {
        var timers = SettleTimers()
        let before = timers.changed("a.md")
        timers.removed("a.md")
        #expect(timers.waiting == 0)
        // Written again at once: the old timer must not check the new text before it settles.
        let after = timers.changed("a.md")
        let oldTimer = timers.timerRanOut("a.md", generation: before)
        let newTimer = timers.timerRanOut("a.md", generation: after)
        let newTimerAgain = timers.timerRanOut("a.md", generation: after)
        #expect(!oldTimer && newTimer && !newTimerAgain)
    }

    @Test func pathsSettleIndependently() {
        var timers = SettleTimers()
        let a = timers.changed("a.md")
        let b = timers.changed("b.md")
        _ = timers.changed("a.md")
        let bChecked = timers.timerRanOut("b.md", generation: b)
        let aFirst = timers.timerRanOut("a.md", generation: a)
        #expect(bChecked && !aFirst && timers.waiting == 1)
    }
}
