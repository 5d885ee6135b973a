@preconcurrency import Glibc

/// One `briefd run` per state database: an exclusive `flock` on `STATE.lock`, held for the life of the
/// process (the kernel releases it however the process ends).
public final class InstanceLock: Sendable {
    private let descriptor: Int32

    public struct AlreadyLocked: Error, CustomStringConvertible {
        public var description: String
    }

    public init(statePath: String) throws(AlreadyLocked) {
        let path = statePath + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw AlreadyLocked(description: "\(path): cannot open the lock file: \(SystemCalls.lastError)") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw AlreadyLocked(description: "another briefd run is already using \(statePath) (lock \(path) is held); stop it first")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
