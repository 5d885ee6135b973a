import BriefdApp
import Synchronization

/// The frames read from the client, waiting for the server's one loop. The reading thread adds and rings; the loop
/// takes everything there is at once, so a burst of keystrokes is one check of the text they leave.
public final class MessageInbox: Sendable {
    private struct State {
        var frames: [MessageFrames.Frame] = []
        var ended = false
    }
    private let state = Mutex(State())
    private let bell = Doorbell()

    public init() {}

    public func add(_ frames: [MessageFrames.Frame]) {
        guard !frames.isEmpty else { return }
        state.withLock { $0.frames += frames }
        bell.ring()
    }

    /// The client closed its end: nothing more will come.
    public func end() {
        state.withLock { $0.ended = true }
        bell.ring()
    }

    /// Everything that arrived, and whether the input has ended; waits up to `limit` when nothing has.
    func take(waitingUpTo limit: Duration) async -> (frames: [MessageFrames.Frame], ended: Bool) {
        let now = take()
        if !now.frames.isEmpty || now.ended { return now }
        await bell.wait(upTo: limit)
        return take()
    }

    private func take() -> (frames: [MessageFrames.Frame], ended: Bool) {
        state.withLock { state in
            defer { state.frames = [] }
            return (state.frames, state.ended)
        }
    }
}
