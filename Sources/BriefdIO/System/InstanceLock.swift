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
        // An open-file-description record lock as well, which another process can ask about without taking it
        // (`isHeld`): a `briefd status` at the instant the daemon starts must not make the daemon find its lock taken.
        var record = InstanceLock.wholeFile(F_WRLCK)
        guard fcntl(descriptor, InstanceLock.setRecordLock, &record) == 0 else {
            let code = Errno(rawValue: errno)
            close(descriptor)
            throw .cannotOpen(lockPath: path, code)
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    // F_OFD_GETLK and F_OFD_SETLK (Linux 3.15), which Glibc's module does not export to Swift.
    private static let getRecordLock: Int32 = 36
    private static let setRecordLock: Int32 = 37

    private static func wholeFile(_ type: Int32) -> flock {
        var record = flock()
        record.l_type = Int16(type)
        record.l_whence = Int16(SEEK_SET)
        record.l_start = 0
        record.l_len = 0
        record.l_pid = 0  // required to be 0 for open-file-description locks
        return record
    }

    /// Whether a `briefd run` holds the lock of the state database at `statePath` now, asked without taking it.
    /// Throws when the kernel cannot say (the daemon's answer is then unknown, not "no").
    public static func isHeld(statePath: String) throws(LockError) -> Bool {
        let path = statePath + ".lock"
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return false }
            throw .cannotOpen(lockPath: path, Errno(rawValue: errno))
        }
        defer { close(descriptor) }
        // Only a file can hold the daemon's lock: anything else in its place (a folder) says nothing either way.
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw .cannotOpen(lockPath: path, Errno(rawValue: errno == 0 ? EISDIR : errno))
        }
        var record = wholeFile(F_WRLCK)
        guard fcntl(descriptor, getRecordLock, &record) == 0 else {
            throw .cannotOpen(lockPath: path, Errno(rawValue: errno))
        }
        FaultPoint.whileAsking.reached()
        return record.l_type != Int16(F_UNLCK)
    }
}
