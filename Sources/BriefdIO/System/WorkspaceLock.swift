import BriefdCore
import Foundation
@preconcurrency import Glibc
import Synchronization
public import SystemPackage

/// The lock around what cannot be undone in a workspace: publishing or restoring an issue and handing it to the
/// mailing service. An exclusive `flock` on `STATE.publish.lock`, held across processes (the scheduler, the desk, a
/// terminal) from "is it published?" to "recorded", so that two of them never both decide to act. The kernel releases
/// it however its holder ends, a SIGKILL included.
///
/// The holder writes who it is (pid, since, what) into the file, so that a process that has to wait, or gives up
/// waiting, can say by whom it was held.
///
/// - Important: one holder per process at a time: `flock` locks belong to an open file, so a second `acquire` in the
///   same process waits for the first like any other process would.
public final class WorkspaceLock: Sendable {
    private let descriptor: Mutex<Int32?>

    /// Who holds the lock, as its holder wrote it.
    public struct Holder: Sendable, Codable, Equatable {
        public var pid: Int32
        /// Seconds since 1970.
        public var since: Double
        /// What it does ("the build of the issue of 2026-12-10").
        public var purpose: String

        public init(pid: Int32, since: Double, purpose: String) {
            self.pid = pid
            self.since = since
            self.purpose = purpose
        }
    }

    public enum LockError: Error, CustomStringConvertible {
        /// Another holder kept it longer than the wait allowed.
        case busy(Holder?, waitedSeconds: Double)
        case cannotLock(path: String, Errno)

        public var description: String {
            switch self {
            case .busy(let holder, let waited):
                let who =
                    holder.map { "\($0.purpose) is running (pid \($0.pid), since \(WorkspaceLock.clock($0.since)))" }
                    ?? "another briefd process holds the workspace's lock"
                return "\(who); gave up after waiting \(Int(waited.rounded())) s"
            case .cannotLock(let path, let code):
                return "\(path): cannot lock: \(code)"
            }
        }
    }

    /// What a lock guards: each its own file, so that delivering alerts never waits for a build.
    public enum Scope: String, Sendable {
        /// Publishing, restoring and handing off issues.
        case publish
        /// Delivering the alert outbox: each alert once, whichever process delivers it.
        case alerts
    }

    /// The lock file of `scope` for the state database at `statePath`.
    public static func path(statePath: String, scope: Scope = .publish) -> String {
        statePath + "." + scope.rawValue + ".lock"
    }

    private init(descriptor: Int32) { self.descriptor = Mutex(descriptor) }

    /// Takes the lock, waiting at most `seconds` for another holder; `waiting` is told once, with the holder, when
    /// the lock is not free at once.
    public static func acquire(
        statePath: String, scope: Scope = .publish, purpose: String, waitingAtMost seconds: Double,
        waiting: @Sendable (Holder?) -> Void = { _ in }
    ) async throws(LockError) -> WorkspaceLock {
        let path = path(statePath: statePath, scope: scope)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotLock(path: path, Errno(rawValue: errno)) }
        let start = Date()
        var told = false
        while true {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { break }
            let code = Errno(rawValue: errno)
            guard code == .wouldBlock || code == .interrupted else {
                close(descriptor)
                throw .cannotLock(path: path, code)
            }
            let waited = Date().timeIntervalSince(start)
            // A cancelled task (the daemon stopping) gives up at once: its sleeps would return at once and spin.
            if waited >= seconds || Task.isCancelled {
                close(descriptor)
                throw .busy(holder(of: path), waitedSeconds: waited)
            }
            if !told {
                told = true
                waiting(holder(of: path))
            }
            // 50 ms: a build takes seconds, and the waiter should follow its end closely.
            try? await Task.sleep(for: .milliseconds(50))  // cancelled: the next turn gives up (above)
        }
        let mine = Holder(pid: getpid(), since: Date().timeIntervalSince1970, purpose: purpose)
        // Best effort: the lock holds without it; only the waiter's sentence would lack the holder's name.
        let data = Array(JSONText.line(mine).utf8)
        ftruncate(descriptor, 0)
        _ = data.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return WorkspaceLock(descriptor: descriptor)
    }

    /// Who holds the lock now, as the holder wrote it; nil when nobody wrote it (or it is not readable).
    public static func holder(statePath: String, scope: Scope = .publish) -> Holder? {
        holder(of: path(statePath: statePath, scope: scope))
    }

    private static func holder(of path: String) -> Holder? {
        guard let data = FileManager.default.contents(atPath: path), data.count < 4096 else { return nil }
        return try? JSONDecoder().decode(Holder.self, from: data)  // empty or half-written: nobody to name
    }

    /// Gives the lock back (closing the file releases the `flock`).
    public func release() {
        descriptor.withLock { descriptor in
            guard let open = descriptor else { return }
            ftruncate(open, 0)  // the holder's name goes with it
            close(open)
            descriptor = nil
        }
    }

    deinit { release() }

    /// `13:05:02` for today, else the date and time, local time.
    static func clock(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let date = Date(timeIntervalSince1970: seconds)
        formatter.dateFormat = Calendar.current.isDateInToday(date) ? "HH:mm:ss xxx" : "yyyy-MM-dd HH:mm:ss xxx"
        return formatter.string(from: date)
    }
}
