import BriefdCore
import Foundation

/// An issue's `archive.warc.gz` and its CDXJ index `archive.cdxj`, in the issue's folder. Records are added by
/// rewriting both files whole (a temporary beside each, fsync'd, renamed), so that a crash leaves the earlier
/// complete pair or the new one; the WARC is written before its index, so the index never points past its end.
public enum IssueArchiveFile {
    public static let warcName = "archive.warc.gz"
    public static let indexName = "archive.cdxj"

    /// Adds `members` to the issue's WARC (opened by a `warcinfo` record when new) and their lines to the index.
    public static func append(
        _ members: [WARCWriter.Member], folder: String, issue: String, newsletter: String, software: String,
        now: Double
    ) throws -> Void {
        guard !members.isEmpty else { return }
        var warc = (try? Data(contentsOf: URL(fileURLWithPath: folder + "/" + warcName))).map { [UInt8]($0) } ?? []
        var lines =
            (try? String(contentsOfFile: folder + "/" + indexName, encoding: .utf8))
            .map { $0.split(separator: "\n").map(String.init) } ?? []
        if warc.isEmpty {
            lines = []
            warc = try WARCWriter.warcinfo(
                issue: issue, newsletter: newsletter, software: software, filename: warcName, at: now
            ).bytes
        }
        for member in members {
            if let entry = member.index {
                lines.append(
                    WARCFormat.cdxjLine(
                        url: entry.url, seconds: entry.seconds, mime: entry.mime, status: entry.status,
                        digest: entry.payloadDigest, length: member.bytes.count, offset: warc.count, filename: warcName)
                )
            }
            warc += member.bytes
        }
        try AtomicOutput.writeFile(folder + "/" + warcName, warc)
        try AtomicOutput.writeFile(
            folder + "/" + indexName, Array((lines.sorted().joined(separator: "\n") + "\n").utf8))
    }

    /// The addresses the issue's index has a response for (empty when there is no index).
    public static func indexedURLs(folder: String) -> Set<String> {
        guard let index = try? String(contentsOfFile: folder + "/" + indexName, encoding: .utf8) else { return [] }
        var urls = Set<String>()
        for line in index.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3,
                let json = try? JSONSerialization.jsonObject(with: Data(parts[2].utf8)) as? [String: String],
                let url = json["url"]
            else { continue }
            urls.insert(url)
        }
        return urls
    }

    /// The files to carry into a new version of the issue's folder (a replaced or restored issue keeps its copies).
    public static func carried(from folder: String) -> [(name: String, bytes: [UInt8])] {
        [warcName, indexName].compactMap { name in
            (try? Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))).map { (name, [UInt8]($0)) }
        }
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
    public static func copy(of url: String, folder: String, maxBytes: Int) -> Copy? {
        guard let index = try? String(contentsOfFile: folder + "/" + indexName, encoding: .utf8) else { return nil }
        let key = WARCFormat.surt(url)
        var best: (timestamp: String, offset: Int, length: Int)?
        for line in index.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3, parts[0] == key,
                let json = try? JSONSerialization.jsonObject(with: Data(parts[2].utf8)) as? [String: String],
                json["url"] == url, let offset = json["offset"].flatMap({ Int($0) }),
                let length = json["length"].flatMap({ Int($0) })
            else { continue }
            if best == nil || String(parts[1]) >= best!.timestamp { best = (String(parts[1]), offset, length) }
        }
        guard let best, let handle = FileHandle(forReadingAtPath: folder + "/" + warcName) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(best.offset))) != nil,
            let member = try? handle.read(upToCount: best.length),
            let record = Gzip.inflate([UInt8](member), limit: maxBytes + 1024 * 1024)
        else { return nil }
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
