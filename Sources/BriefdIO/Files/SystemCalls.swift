@preconcurrency import Glibc
import SystemPackage

/// The few shapes of system-call plumbing briefd needs, written once: a folder's entries, the reason of the last
/// failed call, and writing a whole buffer to a descriptor (swift-system's `writeAll`, which retries on EINTR and
/// short writes).
enum SystemCalls {
    /// The entries of `path` (without `.` and `..`), with their `d_type`; nil when the folder cannot be opened.
    static func entries(of path: String) -> [(name: String, type: UInt8)]? {
        guard let folder = opendir(path) else { return nil }
        defer { closedir(folder) }
        var entries: [(name: String, type: UInt8)] = []
        while let entry = readdir(folder) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
        return entries
    }

    /// The reason of the last failed call (`errno`), as the system words it.
    static var lastError: String { Errno(rawValue: errno).description }

    /// The reason for a saved error number.
    static func reason(_ code: Int32) -> String { Errno(rawValue: code).description }

    /// Writes all of `bytes` to `descriptor`; nil, or the reason it could not.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Errno? {
        do {
            _ = try FileDescriptor(rawValue: descriptor).writeAll(bytes)
            return nil
        } catch let error as Errno {
            return error
        } catch {
            return Errno.ioError
        }
    }
}
