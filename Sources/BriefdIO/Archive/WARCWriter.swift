public import BriefdCore
import Crypto
import Foundation

/// The records of an issue's archive, each as its own gzip member: a `warcinfo` record first, then for every
/// answer on the way to a cited page (redirects too) a `request` and a `response` record, concurrent to each
/// other, with block and payload digests (SHA-1, base 32). The bytes kept are the exchange as it went over the
/// wire (`WireExchange`): the answer's header block and its body undecoded, cut at the archive's bound and then
/// marked `WARC-Truncated: length`.
public enum WARCWriter {
    /// One record, compressed, with what its CDXJ line needs.
    public struct Member: Sendable {
        public var bytes: [UInt8]
        /// A response record's index line without its offset (known only when the member is placed in a file).
        public var index: IndexEntry?
    }

    public struct IndexEntry: Sendable {
        public var url: String
        public var seconds: Double
        public var mime: String
        public var status: Int
        public var payloadDigest: String
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The `warcinfo` record that opens an issue's file.
    public static func warcinfo(
        issue: String, newsletter: String, software: String, filename: String, at seconds: Double
    )
        throws(WriteError) -> Member
    {
        let block = Array(
            ([
                "software: \(software)",
                "format: WARC File Format 1.1",
                "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "isPartOf: \(newsletter) \(issue)",
                "description: the pages cited by the issue of \(issue), captured when it was published",
            ].joined(separator: "\r\n") + "\r\n").utf8)
        let fields: [WARCFormat.Field] = [
            ("WARC-Type", "warcinfo"), ("WARC-Record-ID", recordID()), ("WARC-Date", WARCFormat.date(seconds)),
            ("WARC-Filename", filename), ("Content-Type", "application/warc-fields"),
            ("WARC-Block-Digest", WARCFormat.sha1Label(sha1(block))),
        ]
        return Member(bytes: try compressed(WARCFormat.recordHeader(fields, length: block.count) + block), index: nil)
    }

    /// The request and response records of one answer (`url` is the address asked); nil index when the answer
    /// carries no wire copy.
    public static func exchange(url: String, response: HTTPResponse, at seconds: Double, warcinfoID: String?)
        throws(WriteError) -> [Member]
    {
        guard let wire = response.wire else { throw WriteError(description: "\(url): no wire copy of the answer") }
        let date = WARCFormat.date(seconds)
        let requestID = recordID()
        let responseID = recordID()
        var common: [WARCFormat.Field] = [("WARC-Date", date), ("WARC-Target-URI", url)]
        if let address = wire.remoteAddress, !address.isEmpty { common.append(("WARC-IP-Address", address)) }
        if let warcinfoID { common.append(("WARC-Warcinfo-ID", warcinfoID)) }

        let requestBlock = wire.requestHeader
        let request =
            [("WARC-Type", "request"), ("WARC-Record-ID", requestID)] + common + [
                ("WARC-Concurrent-To", responseID), ("Content-Type", "application/http;msgtype=request"),
                ("WARC-Block-Digest", WARCFormat.sha1Label(sha1(requestBlock))),
            ]

        let responseBlock = wire.responseHeader + response.body
        let payloadDigest = WARCFormat.sha1Label(sha1(response.body))
        var answer =
            [("WARC-Type", "response"), ("WARC-Record-ID", responseID)] + common + [
                ("WARC-Concurrent-To", requestID), ("Content-Type", "application/http;msgtype=response"),
                ("WARC-Block-Digest", WARCFormat.sha1Label(sha1(responseBlock))),
                ("WARC-Payload-Digest", payloadDigest),
            ]
        if wire.truncated { answer.append(("WARC-Truncated", "length")) }
        let mime =
            (HTTPWire.header("content-type", in: wire.responseHeader) ?? "unk")
            .split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces).lowercased() } ?? "unk"
        // The request first, as it happened (and as wget writes them); the index points at the response.
        return [
            Member(bytes: try compressed(WARCFormat.recordHeader(request, length: requestBlock.count) + requestBlock)),
            Member(
                bytes: try compressed(WARCFormat.recordHeader(answer, length: responseBlock.count) + responseBlock),
                index: IndexEntry(
                    url: url, seconds: seconds, mime: mime, status: response.status, payloadDigest: payloadDigest)),
        ]
    }

    /// The record ID of a `warcinfo` member (read back from its header), for the records that follow it.
    public static func recordID(of member: Member) -> String? {
        guard let plain = Gzip.inflate(member.bytes, limit: 64 * 1024) else { return nil }
        return HTTPWire.header("WARC-Record-ID", in: Array(plain.prefix(4096)))
    }

    private static func compressed(_ record: [UInt8]) throws(WriteError) -> [UInt8] {
        guard let member = Gzip.member(record + WARCFormat.recordEnd) else {
            throw WriteError(description: "zlib could not compress a WARC record")
        }
        return member
    }

    private static func recordID() -> String { "<urn:uuid:\(UUID().uuidString.lowercased())>" }

    private static func sha1(_ bytes: [UInt8]) -> [UInt8] { Array(Insecure.SHA1.hash(data: bytes)) }
}

extension WARCWriter.Member {
    init(bytes: [UInt8]) { self.init(bytes: bytes, index: nil) }
}
