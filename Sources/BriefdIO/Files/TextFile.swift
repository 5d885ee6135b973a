@preconcurrency import Glibc

/// Small whole-file reads and atomic writes for config, registry and report files.
public enum TextFile {
    public struct ReadError: Error, CustomStringConvertible, Sendable, Equatable {
        public var path: String
        public var reason: FileRefusal
        public var description: String { "\(path): \(reason)" }
    }

    /// Reads a file of at most `maxBytes` (a page saved from a browser, an issue page), or says why not.
    public static func readBytes(_ path: String, maxBytes: Int, limitName: String) throws(ReadError) -> [UInt8] {
        switch DraftFiles.read(path, root: nil, maxBytes: maxBytes, limitName: limitName) {
        case .refused(_, let reason): throw ReadError(path: path, reason: reason)
        case .read(_, let bytes): return bytes
        }
    }

    /// Reads a UTF-8 text file of at most `maxBytes`.
    public static func read(_ path: String, maxBytes: Int = 64 * 1024 * 1024) throws(ReadError) -> String {
        switch DraftFiles.read(path, root: nil, maxBytes: maxBytes) {
        case .refused(_, let reason):
            throw ReadError(path: path, reason: reason)
        case .read(_, let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw ReadError(path: path, reason: .notUTF8)
            }
            return text
        }
    }
}
