public import Foundation

/// The Language Server Protocol's framing on a byte stream: `Content-Length: N` (other headers ignored), a blank
/// line, then N bytes of JSON. Fed whatever `read` returned; hands back whole messages and what could not be read.
///
/// Bounded: a header block over 8 KiB or a body over `maxBody` is refused (its bytes skipped when the length is
/// known), so a hostile or broken client cannot make the server hold unbounded memory.
public struct MessageFrames: Sendable {
    public enum Frame: Sendable, Equatable {
        case message(Data)
        /// Why a frame was dropped: the server answers with a JSON-RPC error and reads on.
        case unreadable(String)
    }

    static let maxHeader = 8 * 1024
    let maxBody: Int
    private var buffer: [UInt8] = []
    /// Bytes of a refused body still to skip.
    private var skipping = 0

    public init(maxBody: Int = 64 * 1024 * 1024) { self.maxBody = maxBody }

    /// Adds `bytes` and returns the frames now complete.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [Frame] {
        buffer.append(contentsOf: bytes)
        var frames: [Frame] = []
        while true {
            if skipping > 0 {
                let dropped = min(skipping, buffer.count)
                buffer.removeFirst(dropped)
                skipping -= dropped
                if skipping > 0 { return frames }
            }
            guard let headerEnd = Self.endOfHeader(in: buffer) else {
                if buffer.count > Self.maxHeader {
                    frames.append(.unreadable("a header block longer than \(Self.maxHeader) bytes; dropped"))
                    buffer.removeAll()
                }
                return frames
            }
            let header = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
            let bodyStart = headerEnd + 4
            guard let length = Self.contentLength(header) else {
                frames.append(.unreadable("a message without a valid Content-Length header; dropped"))
                buffer.removeFirst(bodyStart)
                continue
            }
            guard length <= maxBody else {
                frames.append(.unreadable("a message of \(length) bytes, over the limit of \(maxBody); dropped"))
                buffer.removeFirst(bodyStart)
                skipping = length
                continue
            }
            guard buffer.count - bodyStart >= length else { return frames }
            frames.append(.message(Data(buffer[bodyStart..<(bodyStart + length)])))
            buffer.removeFirst(bodyStart + length)
        }
    }

    /// One message framed for the wire.
    public static func frame(_ body: Data) -> Data {
        var framed = Data("Content-Length: \(body.count)\r\n\r\n".utf8)
        framed.append(body)
        return framed
    }

    static func endOfHeader(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    static func contentLength(_ header: String) -> Int? {
        for line in header.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length"
            else { continue }
            guard let length = Int(parts[1].trimmingCharacters(in: .whitespaces)), length >= 0 else { return nil }
            return length
        }
        return nil
    }
}
