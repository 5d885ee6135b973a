import BriefdCore
import Foundation
@preconcurrency import Glibc

/// An issue's `archive.warc.gz` and its CDXJ index `archive.cdxj`, in the issue's folder. New records are appended
/// to the WARC (whole gzip members, fsync'd; never rewritten from what was read, so that a read error cannot cost
/// the copies already kept), then the index is replaced atomically, then the WARC's committed length is recorded
/// beside it (`archive.warc.length`): an append torn by a crash is cut back to that length before the next one.
public enum IssueArchiveFile {
    public static let warcName = "archive.warc.gz"
    public static let indexName = "archive.cdxj"
    /// The WARC's length after the last complete append.
    public static let lengthName = "archive.warc.length"

    /// Why the WARC was not appended to; the file is as it was.
    public struct ArchiveError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Adds `members` to the issue's WARC (opened by a `warcinfo` record when new) and their lines to the index. Only
    /// a WARC that does not exist is started afresh; one that cannot be read or written, or is shorter than recorded,
    /// stops the capture with the reason and is left untouched.
    public static func append(
        _ members: [WARCWriter.Member], folder: String, issue: String, newsletter: String, software: String,
        now: Double
    ) throws -> Void {
        guard !members.isEmpty else { return }
        let path = folder + "/" + warcName
        var descriptor = open(path, O_RDWR | O_CLOEXEC)
        var fresh = false
        if descriptor < 0 {
            guard errno == ENOENT else { throw ArchiveError(description: "\(path): \(SystemCalls.lastError)") }
            descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw ArchiveError(description: "\(path): \(SystemCalls.lastError)") }
            fresh = true
        }
        defer { close(descriptor) }
        // Two capturers of one issue (the daemon and `briefd archive --wait`) append one after the other.
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw ArchiveError(description: "\(path): cannot lock: \(SystemCalls.lastError)")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ArchiveError(description: "\(path): \(SystemCalls.lastError)")
        }
        var length = Int(status.st_size)
        var lines =
            try readIfPresent(folder + "/" + indexName).map {
                String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init)
            } ?? []
        let committed = try readIfPresent(folder + "/" + lengthName).flatMap {
            Int(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if fresh || length == 0 {
            lines = []
            length = 0
        } else if let committed {
            guard length >= committed else {
                throw ArchiveError(
                    description:
                        "\(path) is \(length) bytes, shorter than the \(committed) recorded: it is damaged, and nothing is added to it (move it away to start a new one)"
                )
            }
            // A crash during the last append left part of a record after the committed end: cut it off.
            if length > committed {
                guard ftruncate(descriptor, off_t(committed)) == 0 else {
                    throw ArchiveError(description: "\(path): cannot cut back a torn append: \(SystemCalls.lastError)")
                }
                length = committed
            }
        }
        var bytes: [UInt8] = []
        if length == 0 {
            bytes = try WARCWriter.warcinfo(
                issue: issue, newsletter: newsletter, software: software, filename: warcName, at: now
            ).bytes
        }
        for member in members {
            if let entry = member.index {
                lines.append(
                    WARCFormat.cdxjLine(
                        url: entry.url, seconds: entry.seconds, mime: entry.mime, status: entry.status,
                        digest: entry.payloadDigest, length: member.bytes.count, offset: length + bytes.count,
                        filename: warcName))
            }
            bytes += member.bytes
        }
        guard lseek(descriptor, off_t(length), SEEK_SET) >= 0 else {
            throw ArchiveError(description: "\(path): \(SystemCalls.lastError)")
        }
        if let error = SystemCalls.writeAll(bytes, to: descriptor) {
            // The copies kept before stay whole; should this cut fail, the next append cuts back to the recorded length.
            _ = ftruncate(descriptor, off_t(length))
            throw ArchiveError(description: "\(path): cannot write: \(error)")
        }
        guard fsync(descriptor) == 0 else {
            throw ArchiveError(description: "\(path): cannot fsync: \(SystemCalls.lastError)")
        }
        try AtomicOutput.writeFile(
            folder + "/" + indexName, Array((lines.sorted().joined(separator: "\n") + "\n").utf8))
        try AtomicOutput.writeFile(folder + "/" + lengthName, Array("\(length + bytes.count)\n".utf8))
    }

    /// The whole file, or nil when it does not exist; any other failure to read it is an error.
    private static func readIfPresent(_ path: String) throws(ArchiveError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw ArchiveError(description: "\(path): \(SystemCalls.lastError)")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw ArchiveError(description: "\(path): cannot read: \(SystemCalls.lastError)")
            }
            bytes += buffer[0..<count]
        }
    }

    /// One line of the index: a response record's address, time and place in the WARC.
    struct IndexEntry: Decodable {
        var url: String
        var offset: String
        var length: String
        /// The SURT key and timestamp, from the line's first two fields.
        var key = ""
        var timestamp = ""

        enum CodingKeys: String, CodingKey { case url, offset, length }
    }

    /// The index's entries; none when there is no index. An index that cannot be read is an error, not "no copies"
    /// (its caller would capture every page again, or say a kept copy is gone).
    static func index(folder: String) throws(ArchiveError) -> [IndexEntry] {
        guard let bytes = try readIfPresent(folder + "/" + indexName) else { return [] }
        let decoder = JSONDecoder()
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 2)
            // A line that is not CDXJ (cut short before the index's atomic replace existed) names no copy; the other
            // lines still do.
            guard parts.count == 3, var entry = try? decoder.decode(IndexEntry.self, from: Data(parts[2].utf8)) else {
                return nil
            }
            entry.key = String(parts[0])
            entry.timestamp = String(parts[1])
            return entry
        }
    }

    /// The addresses the issue's index has a response for (empty when there is no index).
    public static func indexedURLs(folder: String) throws(ArchiveError) -> Set<String> {
        Set(try index(folder: folder).map(\.url))
    }

    /// The files to carry into a new version of the issue's folder (a replaced or restored issue keeps its copies).
    /// Only files that do not exist are left behind: one that cannot be read stops the replacement, whose old folder
    /// would otherwise be removed with the only copies of pages that may have died since.
    public static func carried(from folder: String) throws(ArchiveError) -> [(name: String, bytes: [UInt8])] {
        var files: [(name: String, bytes: [UInt8])] = []
        for name in [warcName, indexName, lengthName] {
            if let bytes = try readIfPresent(folder + "/" + name) { files.append((name, bytes)) }
        }
        return files
    }

    /// A captured answer read back: its status, header block and body decoded (no chunking, no compression).
    public struct Copy: Sendable {
        public var url: String
        public var capturedAt: String
        public var status: Int
        public var mediaType: String
        public var charset: String?
        public var body: [UInt8]
        public var truncated: Bool
    }

    /// The latest response record for `url` in the issue's WARC, through the index; nil when there is none.
    public static func copy(of url: String, folder: String, maxBytes: Int) throws(ArchiveError) -> Copy? {
        let key = WARCFormat.surt(url)
        let found = try index(folder: folder).filter { $0.key == key && $0.url == url }
        guard let best = found.max(by: { $0.timestamp < $1.timestamp }), let offset = Int(best.offset),
            let length = Int(best.length), offset >= 0, length > 0
        else { return nil }
        let path = folder + "/" + warcName
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArchiveError(description: "\(path): \(SystemCalls.lastError)") }
        defer { close(descriptor) }
        // The index is our own file, but bounded all the same: a member is never larger than the page it holds.
        var member = [UInt8](repeating: 0, count: min(length, maxBytes + 1024 * 1024))
        var filled = 0
        while filled < member.count {
            let count = member.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(offset + filled))
            }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw ArchiveError(description: "\(path): cannot read: \(SystemCalls.lastError)")
            }
            filled += count
        }
        guard let record = Gzip.inflate(Array(member.prefix(filled)), limit: maxBytes + 1024 * 1024) else {
            throw ArchiveError(description: "\(path): the record of \(url) at \(offset) is not a whole gzip member")
        }
        return parse(record, url: url, maxBytes: maxBytes)
    }

    /// A response record's parts: WARC header, HTTP header block, body (decoded).
    static func parse(_ record: [UInt8], url: String, maxBytes: Int) -> Copy? {
        guard let warcEnd = headerEnd(record, from: 0) else { return nil }
        let warcHeader = Array(record[0..<warcEnd])
        guard let length = HTTPWire.header("Content-Length", in: warcHeader).flatMap({ Int($0) }),
            warcEnd + length <= record.count
        else { return nil }
        let block = Array(record[warcEnd..<(warcEnd + length)])
        guard let httpEnd = headerEnd(block, from: 0) else { return nil }
        let httpHeader = Array(block[0..<httpEnd])
        let statusLine = String(decoding: httpHeader.prefix { $0 != 0x0D }, as: UTF8.self)
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        let body = CapturedBody.decode(Array(block[httpEnd...]), header: httpHeader, limit: maxBytes)
        let type = (HTTPWire.header("Content-Type", in: httpHeader) ?? "").lowercased()
        let response = HTTPResponse(status: status, headers: ["content-type": type])
        let (mediaType, charset) = PageFetcher.contentType(of: response)
        return Copy(
            url: url, capturedAt: HTTPWire.header("WARC-Date", in: warcHeader) ?? "", status: status,
            mediaType: mediaType, charset: charset, body: body,
            truncated: HTTPWire.header("WARC-Truncated", in: warcHeader) != nil)
    }

    /// Where a header block ends (after its blank line).
    private static func headerEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 3 < bytes.count {
            if bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D && bytes[index + 3] == 0x0A
            {
                return index + 4
            }
            index += 1
        }
        return nil
    }
}

/// A body as it went over the wire, made readable: chunked framing removed, then gzip or deflate undone.
public enum CapturedBody {
    public static func decode(_ body: [UInt8], header: [UInt8], limit: Int) -> [UInt8] {
        var bytes = body
        if HTTPWire.header("Transfer-Encoding", in: header)?.lowercased().contains("chunked") == true {
            bytes = HTTPWire.dechunk(bytes) ?? bytes
        }
        let encoding = HTTPWire.header("Content-Encoding", in: header)?.lowercased() ?? ""
        if encoding.contains("gzip") || encoding.contains("deflate") {
            bytes = Gzip.inflate(bytes, limit: limit) ?? bytes
        }
        return Array(bytes.prefix(limit))
    }
}
