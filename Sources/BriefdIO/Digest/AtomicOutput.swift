import BriefdCore
import Foundation
@preconcurrency import Glibc

/// Writing published files so that a crash or a kill at any moment leaves the previous complete version
/// or the new complete one, never a mixture: everything is written to a temporary name, fsync'd, and
/// renamed into place; a folder is swapped in through a symlink, which `rename` replaces atomically.
public enum AtomicOutput {
    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
        /// The system's error number, when a call failed (ENOSPC: the disk is full).
        public var code: Int32?

        public init(description: String, code: Int32? = nil) {
            self.description = description
            self.code = code
        }

        /// `what` failed just now: the system's reason and error number appended.
        static func system(_ what: String) -> WriteError {
            let code = errno
            return WriteError(description: "\(what): \(SystemCalls.reason(code))", code: code)
        }

        /// The disk (or the user's quota) is full: freeing space fixes it, not the templates or the drafts.
        public var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }
    }

    /// Writes `bytes` to `path`: a temporary file beside it, fsync'd, renamed over `path`, folder fsync'd.
    /// With `durable: false` (reports, which can be made again) the fsyncs are left out: the file is still
    /// whole or absent after a crash of briefd, but may be lost with the machine's power.
    public static func writeFile(_ path: String, _ bytes: [UInt8], durable: Bool = true) throws(WriteError) {
        let folder = directory(of: path)
        let temporary = folder + "/.tmp-" + String(getpid()) + "-" + basename(path)
        do {
            try writeAndSync(temporary, bytes, sync: durable)
        } catch {
            unlink(temporary)  // A full disk leaves the old file whole and no half-written temporary.
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let failure = WriteError.system("\(path): cannot rename into place")
            unlink(temporary)
            throw failure
        }
        if durable { try syncFolder(folder) }
    }

    /// Replaces the file at `path` with `bytes` only while it still holds `expected` (what was read and checked):
    /// written beside it under a hidden name with the file's own mode, fsync'd, renamed over it. Returns false,
    /// writing nothing, when the file changed since it was read (an editor saved meanwhile). The check and the
    /// rename are not one step; a save in the instant between them is the one case this cannot see.
    public static func replaceFile(_ path: String, _ bytes: [UInt8], expected: [UInt8]) throws(WriteError) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { throw WriteError.system("\(path): cannot read its mode") }
        guard let current = FileManager.default.contents(atPath: path), Array(current) == expected else { return false }
        let folder = directory(of: path)
        let temporary = folder + "/.tmp-" + String(getpid()) + "-" + basename(path)
        do throws(WriteError) {
            try writeAndSync(temporary, bytes)
            guard chmod(temporary, status.st_mode & 0o7777) == 0 else {
                throw WriteError.system("\(path): cannot give the new text the file's mode")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let failure = WriteError.system("\(path): cannot rename into place")
            unlink(temporary)
            throw failure
        }
        try syncFolder(folder)
        return true
    }

    /// Writes `bytes` under a name that does not exist yet, never replacing a file: `folder/NAME.EXT`, else
    /// `NAME-2.EXT`, `NAME-3.EXT`, …; returns the path. The file appears whole (written and fsync'd under a hidden
    /// temporary name, then hard-linked to its name, which fails rather than replace), so a watcher of the folder
    /// never reads half of it.
    public static func writeNewFile(folder: String, name: String, extension ext: String, _ bytes: [UInt8])
        throws(WriteError) -> String
    {
        try makeFolder(folder)
        let temporary = folder + "/.tmp-" + String(getpid()) + "-" + name + "." + ext
        do {
            try writeAndSync(temporary, bytes)
        } catch {
            unlink(temporary)
            throw error
        }
        defer { unlink(temporary) }
        for number in 1...10_000 {
            let path = folder + "/" + name + (number == 1 ? "" : "-\(number)") + "." + ext
            if link(temporary, path) == 0 {
                try syncFolder(folder)
                return path
            }
            guard errno == EEXIST else { throw WriteError.system("\(path): cannot create") }
        }
        throw WriteError(description: "\(folder)/\(name).\(ext): 10,000 files of that name already")
    }

    /// Removes `path` if it exists (a report whose draft is gone).
    public static func remove(_ path: String) { unlink(path) }

    /// Creates `path` and its parents.
    public static func makeFolders(_ path: String) throws(WriteError) { try makeFolder(path) }

    /// Publishes `files` as the folder `root/name`. The files go into `root/.issues/name.HASH` (HASH from
    /// their contents, so a rebuild with the same contents lands in the same place), and `root/name` becomes
    /// a symlink to it, replaced atomically. Folders of earlier versions and leftovers of interrupted builds
    /// are removed afterwards.
    public static func publishFolder(root: String, name: String, files: [(name: String, bytes: [UInt8])])
        throws(WriteError)
    {
        let store = root + "/.issues"
        try makeFolder(root)
        try makeFolder(store)
        var hashInput: [UInt8] = []
        for file in files { hashInput += Array(file.name.utf8) + [0] + Array(ContentHash.sha256Hex(file.bytes).utf8) }
        let version = name + "." + String(ContentHash.sha256Hex(hashInput).prefix(12))
        let final = store + "/" + version
        if access(final, F_OK) != 0 {
            let temporary = store + "/.tmp-" + name + "-" + String(getpid())
            removeTree(temporary)
            try makeFolder(temporary)
            for file in files { try writeAndSync(temporary + "/" + file.name, file.bytes) }
            try syncFolder(temporary)
            if rename(temporary, final) == 0 {
                try syncFolder(store)
            } else {
                // The same contents put there meanwhile (by a build that did not hold the workspace's lock, such as
                // one into `--out`) is the same version: keep that one.
                let code = errno
                guard (code == ENOTEMPTY || code == EEXIST) && access(final, F_OK) == 0 else {
                    throw WriteError(
                        description: "\(final): cannot rename into place: \(SystemCalls.reason(code))", code: code)
                }
                removeTree(temporary)
            }
        }
        try publishLink(root: root, name: name, version: version, store: store)
    }

    /// `root/name` made a symlink to `.issues/version`, atomically; then the other versions' folders removed.
    private static func publishLink(root: String, name: String, version: String, store: String) throws(WriteError) {
        let link = root + "/.tmp-link-" + name + "-" + String(getpid())
        unlink(link)
        guard symlink(".issues/" + version, link) == 0 else {
            throw WriteError.system("\(link): cannot create the symlink")
        }
        guard rename(link, root + "/" + name) == 0 else {
            let code = errno
            unlink(link)
            throw WriteError(
                description:
                    "\(root)/\(name): cannot replace it (\(SystemCalls.reason(code))); is it a folder rather than a symlink?",
                code: code)
        }
        try syncFolder(root)
        // Earlier versions of this issue and leftovers of interrupted builds.
        for entry in listFolder(store)
        where entry != version && (entry.hasPrefix(name + ".") || entry.hasPrefix(".tmp-" + name + "-")) {
            removeTree(store + "/" + entry)
        }
    }

    private static func writeAndSync(_ path: String, _ bytes: [UInt8], sync: Bool = true) throws(WriteError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError.system("\(path): cannot create") }
        defer { close(descriptor) }
        if let error = SystemCalls.writeAll(bytes, to: descriptor) {
            throw WriteError(description: "\(path): cannot write: \(error.description)", code: error.rawValue)
        }
        guard !sync || fsync(descriptor) == 0 else { throw WriteError.system("\(path): cannot fsync") }
    }

    private static func syncFolder(_ path: String) throws(WriteError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WriteError.system("\(path): cannot open folder") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw WriteError.system("\(path): cannot fsync folder") }
    }

    private static func makeFolder(_ path: String) throws(WriteError) {
        var components: [Substring] = []
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            components.append(part)
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw WriteError.system("\(current): cannot create folder")
            }
        }
    }

    private static func listFolder(_ path: String) -> [String] {
        (SystemCalls.entries(of: path) ?? []).map(\.name)
    }

    private static func removeTree(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if status.st_mode & S_IFMT == S_IFDIR {
            for entry in listFolder(path) { removeTree(path + "/" + entry) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func basename(_ path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

}
