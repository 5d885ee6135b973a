import BriefdCore
@preconcurrency import Glibc
public import SystemPackage

/// A draft found on disk: its bytes, or the reason it was not read.
public enum DraftInput: Sendable {
    case read(path: String, bytes: [UInt8])
    case refused(path: String, reason: FileRefusal)

    public var path: String {
        switch self {
        case .read(let path, _), .refused(let path, _): return path
        }
    }
}

/// Why a file was not read, with the system's error number where a call failed (so that a caller can tell a
/// missing file or a permission problem from a limit), worded for the report by `description`.
public enum FileRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotStat(Errno)
    case brokenSymlink
    case symlinkOutsideFolder(target: String)
    case cannotOpen(Errno)
    case notRegularFile
    /// `size` is nil when the file grew past the limit while it was read.
    case overLimit(size: Int?, limit: Int, setting: String)
    case readFailed(Errno)
    case notUTF8

    /// The error number of the failed call, if a call failed.
    public var errno: Errno? {
        switch self {
        case .cannotStat(let code), .cannotOpen(let code), .readFailed(let code): return code
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .cannotStat(let code): return "cannot read the file: \(code)"
        case .brokenSymlink: return "the symlink is broken (its target does not exist)"
        case .symlinkOutsideFolder(let target):
            return "the symlink points outside the drafts folder (to \(target)); refused, not read"
        case .cannotOpen(let code): return "cannot open the file: \(code)"
        case .notRegularFile: return "not a regular file"
        case .overLimit(let size?, let limit, let setting):
            return "the file is \(size) bytes, over the limit of \(limit) (\(setting))"
        case .overLimit(nil, let limit, let setting): return "the file is over the limit of \(limit) bytes (\(setting))"
        case .readFailed(let code): return "read failed: \(code)"
        case .notUTF8: return "the file is not valid UTF-8"
        }
    }
}

/// Finds drafts under the paths an editor names and reads them, bounded in size.
///
/// - Important: a symlink that leads outside the folder being scanned is refused, never read: a draft
///   folder must not become a way to make briefd read other files.
public enum DraftFiles {
    /// The `*.md` files under `paths` (files named directly are taken whatever their name), sorted.
    /// Missing paths are returned as refusals so that the run reports them.
    public static func find(_ paths: [String]) -> [(path: String, root: String?)] {
        var found: [(String, String?)] = []
        for path in paths {
            var info = stat()
            guard lstat(path, &info) == 0 else {
                found.append((path, nil))
                continue
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                let root = realPath(path) ?? path
                var files: [String] = []
                walk(folder: path, root: root, into: &files, depth: 0)
                found.append(contentsOf: files.sorted().map { ($0, root) })
            } else {
                found.append((path, nil))
            }
        }
        return found
    }

    private static func walk(folder: String, root: String, into files: inout [String], depth: Int) {
        guard depth < 32, let entries = SystemCalls.entries(of: folder) else { return }
        for (name, type) in entries {
            if name.hasPrefix(".") { continue }  // editors' dotfiles and hidden folders
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            // readdir's d_type says what an entry is on the usual file systems, without a stat per file; a file
            // system that does not say (DT_UNKNOWN) is asked with lstat.
            var kind = type
            if kind == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: kind = UInt8(DT_DIR)
                case S_IFREG: kind = UInt8(DT_REG)
                case S_IFLNK: kind = UInt8(DT_LNK)
                default: continue
                }
            }
            switch kind {
            case UInt8(DT_DIR):
                walk(folder: path, root: root, into: &files, depth: depth + 1)
            case UInt8(DT_REG), UInt8(DT_LNK):
                if name.hasSuffix(".md") { files.append(path) }
            default:
                continue
            }
        }
    }

    /// Reads one draft, refusing files over `maxBytes`, non-regular files and symlinks leading out of `root`.
    /// - Parameter limitName: the setting `maxBytes` comes from, named when a file is over it.
    public static func read(_ path: String, root: String?, maxBytes: Int, limitName: String = "checks.max_draft_bytes")
        -> DraftInput
    {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return .refused(path: path, reason: .cannotStat(Errno(rawValue: errno)))
        }
        if info.st_mode & S_IFMT == S_IFLNK {
            guard let target = realPath(path) else {
                return .refused(path: path, reason: .brokenSymlink)
            }
            if let root, !(target == root || target.hasPrefix(root.hasSuffix("/") ? root : root + "/")) {
                return .refused(path: path, reason: .symlinkOutsideFolder(target: target))
            }
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            return .refused(path: path, reason: .cannotOpen(Errno(rawValue: errno)))
        }
        defer { close(descriptor) }
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            return .refused(path: path, reason: .notRegularFile)
        }
        if Int(info.st_size) > maxBytes {
            return .refused(
                path: path, reason: .overLimit(size: Int(info.st_size), limit: maxBytes, setting: limitName))
        }
        // Read at most one byte past the limit, so a file that grows while we read is still bounded.
        var bytes = [UInt8](repeating: 0, count: min(Int(info.st_size), maxBytes) + 1)
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + total, buffer.count - total)
            }
            if count < 0, errno == EINTR { continue }
            if count < 0 { return .refused(path: path, reason: .readFailed(Errno(rawValue: errno))) }
            if count == 0 { break }
            total += count
        }
        if total > maxBytes {
            return .refused(path: path, reason: .overLimit(size: nil, limit: maxBytes, setting: limitName))
        }
        bytes.removeSubrange(total...)
        return .read(path: path, bytes: bytes)
    }

    /// The file a URL's path segments name, inside the drafts folder and nowhere else: no `..`, `.`, empty or hidden
    /// segment, no NUL, a `.md` name, and (symlinks resolved) still under the folder. nil: no such draft.
    public static func fileNamed(_ segments: [String], root: String) -> String? {
        guard !segments.isEmpty, segments.count <= 32 else { return nil }
        for segment in segments {
            if segment.isEmpty || segment == "." || segment == ".." || segment.hasPrefix(".") { return nil }
            if segment.contains("/") || segment.contains("\0") || segment.contains("\\") { return nil }
        }
        guard segments.last!.hasSuffix(".md") else { return nil }
        let candidate = root + "/" + segments.joined(separator: "/")
        guard let realRoot = realPath(root), let real = realPath(candidate), real.hasPrefix(realRoot + "/") else {
            return nil
        }
        var status = stat()
        guard stat(real, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return candidate
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
