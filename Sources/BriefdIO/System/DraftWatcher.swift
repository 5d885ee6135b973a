@preconcurrency import Glibc
import Synchronization
public import SystemPackage

/// What happened in the drafts folder, as the daemon needs to know it.
public enum WatchEvent: Sendable, Equatable {
    /// A draft was written and closed, or moved in.
    case changed(String)
    /// A draft was deleted or moved away.
    case removed(String)
    /// A folder appeared (created or moved in): its drafts need a look.
    case folderAppeared(String)
    /// A folder was deleted or moved away: forget the drafts under it.
    case folderRemoved(String)
    /// Events were lost (the kernel's queue overflowed) or the watched folder came back: compare everything.
    case rescan(String)
    /// The drafts folder itself disappeared; it is watched again when it comes back.
    case rootGone
    /// A subfolder could not be watched (most often the kernel's `fs.inotify.max_user_watches`): its drafts are
    /// only seen by the periodic rescan.
    case folderNotWatched(String, reason: String)
}

/// Watches the drafts folder and its subfolders with inotify on a dedicated thread (no polling while the
/// folder exists) and delivers `WatchEvent`s as an async sequence.
///
/// Editors' temporary files are ignored: dotfiles, `*~`, `*.swp`, vim's `4913` probe, emacs' `.#*`,
/// `*.tmp`, `*.part`, `.goutputstream-*`; only `*.md` files are drafts.
public final class DraftWatcher: Sendable {
    public let events: AsyncStream<WatchEvent>
    private let continuation: AsyncStream<WatchEvent>.Continuation
    private let root: String
    private let wake: (read: Int32, write: Int32)
    private let stopped = Mutex(false)
    private let thread = Mutex<pthread_t?>(nil)

    /// The call that failed and the system's error number: ENOSPC from a watch means
    /// `fs.inotify.max_user_watches` is reached, EMFILE the instance limit (docs/deploy.md).
    public struct WatchError: Error, CustomStringConvertible {
        public enum Step: Sendable, Equatable {
            case wakePipe
            case inotifyInstance
            case watcherThread
            case watchFolder(String)
        }

        public var step: Step
        public var code: Errno

        public var description: String {
            switch step {
            case .wakePipe: return "cannot create a pipe: \(code)"
            case .inotifyInstance: return "inotify_init1: \(code)"
            case .watcherThread: return "cannot start the watcher's thread: \(code)"
            case .watchFolder(let path): return "\(path): cannot watch the drafts folder: \(code)"
            }
        }
    }

    /// Starts watching `root`; the watches are in place when this returns.
    public init(root: String) throws(WatchError) {
        self.root = root
        (events, continuation) = AsyncStream.makeStream(of: WatchEvent.self, bufferingPolicy: .unbounded)
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            throw WatchError(step: .wakePipe, code: Errno(rawValue: errno))
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        wake = (pipeEnds[0], pipeEnds[1])
        let loop = WatchLoop(root: root, wakeFD: wake.read, continuation: continuation)
        do {
            try loop.start()
        } catch {
            close(wake.read)
            close(wake.write)
            throw error
        }
        let box = Unmanaged.passRetained(loop).toOpaque()
        var handle = pthread_t()
        let created = pthread_create(
            &handle, nil,
            { argument in
                let loop = Unmanaged<WatchLoop>.fromOpaque(argument!).takeRetainedValue()
                loop.run()
                return nil
            }, box)
        guard created == 0 else { throw WatchError(step: .watcherThread, code: Errno(rawValue: created)) }
        thread.withLock { $0 = handle }
    }

    /// Whether `name` (a file name, not a path) can be a draft.
    public static func isDraftName(_ name: String) -> Bool {
        guard name.hasSuffix(".md"), !name.hasPrefix("."), !name.hasPrefix("#") else { return false }
        return !(name.hasSuffix("~") || name.hasSuffix(".swp") || name.hasSuffix(".tmp") || name.hasSuffix(".part"))
    }

    /// Stops the thread and ends the event sequence.
    public func stop() {
        let first = stopped.withLock { stopped -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        if let handle = thread.withLock({ $0 }) { pthread_join(handle, nil) }
        close(wake.read)
        close(wake.write)
        continuation.finish()
    }

    deinit { stop() }
}

/// The inotify descriptor and its watches; lives on the watcher's thread.
private final class WatchLoop: @unchecked Sendable {
    let root: String
    let wakeFD: Int32
    let continuation: AsyncStream<WatchEvent>.Continuation
    var inotify: Int32 = -1
    var folders: [Int32: String] = [:]
    var rootWatch: Int32 = -1
    var rootPresent = false

    static let folderMask = UInt32(
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF)

    init(root: String, wakeFD: Int32, continuation: AsyncStream<WatchEvent>.Continuation) {
        self.root = root
        self.wakeFD = wakeFD
        self.continuation = continuation
    }

    func start() throws(DraftWatcher.WatchError) {
        inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0 else {
            throw DraftWatcher.WatchError(step: .inotifyInstance, code: Errno(rawValue: errno))
        }
        rootPresent = watchTree(root)
        if !rootPresent {
            // watchTree's last call on the root is the failed inotify_add_watch, so errno is still its answer.
            throw DraftWatcher.WatchError(step: .watchFolder(root), code: Errno(rawValue: errno))
        }
    }

    /// Adds watches on `folder` and every subfolder (dot folders skipped); false when `folder` cannot be watched.
    @discardableResult
    func watchTree(_ folder: String) -> Bool {
        let wd = inotify_add_watch(inotify, folder, WatchLoop.folderMask | UInt32(IN_ONLYDIR))
        guard wd >= 0 else {
            let code = Errno(rawValue: errno)
            // The root's failure is the caller's to report (it throws at start-up, retries when it comes back).
            if folder != root {
                let limit = code == .noSpace ? " (the limit fs.inotify.max_user_watches is reached)" : ""
                continuation.yield(.folderNotWatched(folder, reason: code.description + limit))
            }
            return false
        }
        folders[wd] = folder
        if folder == root { rootWatch = wd }
        for (name, type) in SystemCalls.entries(of: folder) ?? [] where !name.hasPrefix(".") && type == UInt8(DT_DIR) {
            watchTree(folder + "/" + name)
        }
        return true
    }

    func run() {
        // Aligned for inotify_event's 4-byte fields; 64 KiB holds over a thousand events.
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer {
            buffer.deallocate()
            close(inotify)
        }
        var descriptors = [
            pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            // While the drafts folder is gone, look for it again every second; otherwise wait for events.
            let ready = poll(&descriptors, 2, rootPresent ? -1 : 1000)
            if ready < 0 && errno != EINTR { return }
            if descriptors[1].revents != 0 { return }
            if !rootPresent, access(root, F_OK) == 0, watchTree(root) {
                rootPresent = true
                continuation.yield(.rescan("the drafts folder is back"))
            }
            guard descriptors[0].revents & Int16(POLLIN) != 0 else { continue }
            while true {
                let count = read(inotify, buffer, capacity)
                if count <= 0 { break }
                var offset = 0
                while offset + 16 <= count {
                    let wd = buffer.load(fromByteOffset: offset, as: Int32.self)
                    let mask = buffer.load(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(buffer.load(fromByteOffset: offset + 12, as: UInt32.self))
                    let name =
                        length > 0
                        ? String(cString: buffer.advanced(by: offset + 16).assumingMemoryBound(to: CChar.self)) : ""
                    handle(wd: wd, mask: mask, name: name)
                    offset += 16 + length
                }
            }
        }
    }

    func handle(wd: Int32, mask: UInt32, name: String) {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            continuation.yield(.rescan("the kernel's event queue overflowed"))
            return
        }
        if mask & UInt32(IN_IGNORED) != 0 {
            folders[wd] = nil
            if wd == rootWatch {
                rootPresent = false
                continuation.yield(.rootGone)
            }
            return
        }
        guard let folder = folders[wd] else { return }
        if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
            if wd == rootWatch {
                inotify_rm_watch(inotify, wd)
                folders[wd] = nil
                rootPresent = false
                continuation.yield(.rootGone)
            }
            return
        }
        let path = folder + "/" + name
        if mask & UInt32(IN_ISDIR) != 0 {
            guard !name.hasPrefix(".") else { return }
            if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                watchTree(path)
                continuation.yield(.folderAppeared(path))
            } else if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
                for (watch, watched) in folders where watched == path || watched.hasPrefix(path + "/") {
                    inotify_rm_watch(inotify, watch)
                    folders[watch] = nil
                }
                continuation.yield(.folderRemoved(path))
            }
            return
        }
        guard DraftWatcher.isDraftName(name) else { return }
        // IN_CREATE too: a file linked in (link(2), as the desk's Clip publishes) or a symlink made gives no
        // CLOSE_WRITE; a file being written gives CLOSE_WRITE later, and the settle time joins the two.
        if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) != 0 {
            continuation.yield(.changed(path))
        } else if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
            continuation.yield(.removed(path))
        }
    }
}
