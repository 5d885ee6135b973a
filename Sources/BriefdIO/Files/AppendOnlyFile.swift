import Foundation
@preconcurrency import Glibc

/// Appending to a log-like file (the alerts' JSON Lines sink): one `write` of whole lines with `O_APPEND`, then
/// `fsync`, so that a line written is a line kept and two writers never interleave within a line.
public enum AppendOnlyFile {
    /// Appends `bytes` to `path` (created with its folder when missing); nil when done, else why not.
    public static func append(_ bytes: [UInt8], to path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        // A folder that cannot be made shows in the open() just below, with its reason.
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return "\(path): \(SystemCalls.lastError)" }
        defer { close(descriptor) }
        if let error = SystemCalls.writeAll(bytes, to: descriptor) {
            return "\(path): the write failed: \(error.description)"
        }
        guard fsync(descriptor) == 0 else { return "\(path): \(SystemCalls.lastError)" }
        return nil
    }
}
