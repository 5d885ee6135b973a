@preconcurrency import Glibc
public import SystemPackage

/// One `briefd run` per state database: an exclusive `flock` on `STATE.lock`, held for the life of the
/// process (the kernel releases it however the process ends).
public final class InstanceLock: Sendable {
    private let descriptor: Int32

    public enum LockError: Error, CustomStringConvertible {
        /// Another process holds the lock: a second `briefd run` on the same state.
        case held(lockPath: String, statePath: String)
        case cannotOpen(lockPath: String, Errno)

        public var description: String {
            switch self {
            case .held(let lockPath, let statePath):
                return "another briefd run is already using \(statePath) (lock \(lockPath) is held); stop it first"
            case .cannotOpen(let lockPath, let code):
                return "\(lockPath): cannot open the lock file: \(code)"
            }
        }
    }

    public init(statePath: String) throws(LockError) {
        let path = statePath + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotOpen(lockPath: path, Errno(rawValue: errno)) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = Errno(rawValue: errno)
            close(descriptor)
            // EWOULDBLOCK is the one answer that means "held"; anything else (ENOLCK on some network file systems)
            // is a failure to lock, worded as such.
            guard code == .wouldBlock else { throw .cannotOpen(lockPath: path, code) }
            throw .held(lockPath: path, statePath: statePath)
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
