public import Foundation
import Glibc

/// The language server's two ends on this process's stdin and stdout: a thread that reads stdin into frames for the
/// inbox, and a writer that puts whole frames on stdout, one at a time.
public enum StandardStreams {
    /// Starts reading stdin on a thread of its own (a blocking `read` must not hold a thread of the concurrency
    /// pool); the inbox is ended at end of input or on a read error.
    public static func startReading(into inbox: MessageInbox, maxBody: Int = 64 * 1024 * 1024) {
        let thread = Thread {
            var frames = MessageFrames(maxBody: maxBody)
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                inbox.add(frames.feed(buffer[0..<count]))
            }
            inbox.end()
        }
        thread.name = "briefd-lsp-stdin"
        thread.start()
    }

    private static let writing = NSLock()

    /// Writes `data` whole to stdout (retrying short writes and interruptions); a client gone away ends nothing here:
    /// the reader sees the end of input and the server stops.
    @Sendable public static func write(_ data: Data) {
        writing.lock()
        defer { writing.unlock() }
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
