import Dispatch
import Foundation
@preconcurrency import Glibc
import Synchronization

/// A small HTTP/1.1 server on a loopback address for the tests: real sockets, a thread per connection,
/// keep-alive, and the misbehaviours a link checker must survive (silence, resets, slow and endless bodies).
/// It records every request it receives, and how many it was answering at once.
public final class TestHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var receivedAt: Double
        public var body: String = ""
    }

    /// What to do with one request.
    public enum Answer: Sendable {
        case respond(status: Int, headers: [String: String] = [:], body: String = "", delay: Double = 0)
        /// A 200 whose body is these bytes as they are (a page in a legacy encoding).
        case respondBytes(headers: [String: String], body: [UInt8])
        /// These bytes as the whole answer, status line and headers included (a chunked body), then close.
        case raw([UInt8])
        /// Close the connection without a word (an empty reply).
        case close
        /// Abort the connection with a TCP reset.
        case reset
        /// 200 with a body of `bytes` bytes, written in chunks until the client stops reading.
        case hugeBody(bytes: Int)
        /// A 200's headers promising a body, then silence for `seconds`, then the connection closes.
        case stallAfterHeaders(seconds: Double)
    }

    public typealias Handler = @Sendable (Request) -> Answer

    /// A request target's path and its query's fields (percent-decoded; `+` is a space). A field given more than once
    /// keeps its last value, or, when it is `keepingRepeated`, all of them joined by commas.
    public static func splitQuery(_ target: String, keepingRepeated: String? = nil) -> (String, [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var fields: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            let name = parts[0]
            let value = parts.count > 1 ? parts[1] : ""
            if name == keepingRepeated, let earlier = fields[name] {
                fields[name] = earlier + "," + value
            } else {
                fields[name] = value
            }
        }
        return (String(target[..<mark]), fields)
    }

    public let port: Int
    public let host: String
    private let listener: Int32
    private let handler: Handler
    private let state = Mutex(State())

    private struct State {
        var requests: [Request] = []
        var connections = 0
        var hugeBytesSent = 0
        var hugeBodiesEnded = 0
        var stopped = false
        var clients: Set<Int32> = []
        var inFlight = 0
        var maxInFlight = 0
    }

    /// Signalled when the accept loop has returned: only then may the listening descriptor be closed (a closed
    /// number is reused at once, and an accept still running would take another server's connections).
    private let acceptDone = DispatchSemaphore(value: 0)

    public var requests: [Request] { state.withLock { $0.requests } }
    public var connectionCount: Int { state.withLock { $0.connections } }
    public var hugeBytesSent: Int { state.withLock { $0.hugeBytesSent } }
    /// Huge bodies whose sending has ended: the client closed the connection, or every byte was sent.
    public var hugeBodiesEnded: Int { state.withLock { $0.hugeBodiesEnded } }
    /// The most requests it was answering at the same moment (from the request's arrival to its answer).
    public var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    /// Requests received and not yet answered.
    public var inFlight: Int { state.withLock { $0.inFlight } }
    public var url: String { "http://\(host):\(port)" }

    /// - Parameter host: the loopback address to listen on (127.0.0.2, … stand for other hosts).
    public init(host: String = "127.0.0.1", _ handler: @escaping Handler) throws {
        self.handler = handler
        self.host = host
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        guard bound == 0, listen(listener, 256) == 0 else { throw POSIXError(.EADDRINUSE) }
        // Set on the listener, so that every accepted connection has it before its first bytes arrive: set after
        // `accept`, a connection's first request could come unstamped and be timed when a thread got to it (late,
        // which made two requests look closer than they arrived).
        var stamping: Int32 = 1
        setsockopt(listener, SOL_SOCKET, Self.timestampOption, &stamping, socklen_t(MemoryLayout<Int32>.size))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    public func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            // Under the lock: a client's thread removes its descriptor before closing it, so none of these
            // numbers can belong to someone else by now.
            for client in state.clients { shutdown(client, Int32(SHUT_RDWR)) }
            return !state.stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        acceptDone.wait()
        close(listener)
    }

    deinit { stop() }

    private static func now() -> Double { Date().timeIntervalSince1970 }

    private func acceptLoop() {
        defer { acceptDone.signal() }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let stopped = state.withLock { state -> Bool in
                if !state.stopped {
                    state.connections += 1
                    state.clients.insert(client)
                }
                return state.stopped
            }
            if stopped {
                close(client)
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer {
            state.withLock { _ = $0.clients.remove(client) }
            close(client)
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        // When the request now being read reached this host: the kernel's timestamp of its first bytes, so that
        // a busy test thread reading it late does not make two requests look closer than they arrived.
        var arrivedAt: Double?
        while true {
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: buffer) else {
                let (count, stamp) = Self.receive(client, into: &chunk)
                if count <= 0 { return }
                if buffer.isEmpty { arrivedAt = stamp ?? Self.now() }
                buffer += chunk[0..<count]
                // A TLS handshake sent to this plain-HTTP server (an https:// address served in plain HTTP): answer
                // as a web server does, in plain text, which the client's TLS reads as "wrong version number".
                if buffer.first == 0x16 {
                    let answer = Array(
                        "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".utf8)
                    _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    return
                }
                continue
            }
            let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
            buffer.removeFirst(headerEnd + 4)
            let lines = head.components(separatedBy: "\r\n")
            let parts = lines[0].split(separator: " ")
            guard parts.count >= 2 else { return }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                    in: .whitespaces)
            }
            // A body (a webhook's POST) follows the headers: read as much as Content-Length says.
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while buffer.count < length {
                let count = recv(client, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer += chunk[0..<count]
            }
            let body = String(decoding: buffer.prefix(length), as: UTF8.self)
            buffer.removeFirst(min(length, buffer.count))
            var request = Request(
                method: String(parts[0]), path: String(parts[1]), headers: headers, receivedAt: arrivedAt ?? Self.now())
            arrivedAt = buffer.isEmpty ? nil : Self.now()
            request.body = body
            state.withLock { state in
                state.requests.append(request)
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
            }
            let answer = handler(request)
            defer { state.withLock { $0.inFlight -= 1 } }
            switch answer {
            case .close:
                return
            case .raw(let bytes):
                _ = Self.sendAll(client, bytes)
                return
            case .reset:
                var linger = linger(l_onoff: 1, l_linger: 0)
                setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
                return
            case .respond(let status, let extra, let body, let delay):
                if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
                var head = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.utf8.count)\r\n"
                if extra["Content-Type"] == nil { head += "Content-Type: text/html\r\n" }
                for (name, value) in extra { head += "\(name): \(value)\r\n" }
                let bytes = Array((head + "\r\n").utf8) + (request.method == "HEAD" ? [] : Array(body.utf8))
                guard Self.sendAll(client, bytes) else { return }
            case .respondBytes(let extra, let body):
                var head = "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n"
                for (name, value) in extra { head += "\(name): \(value)\r\n" }
                guard Self.sendAll(client, Array((head + "\r\n").utf8) + (request.method == "HEAD" ? [] : body)) else {
                    return
                }
            case .stallAfterHeaders(let seconds):
                guard
                    Self.sendAll(
                        client, Array("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/html\r\n\r\n".utf8)
                    )
                else { return }
                usleep(UInt32(seconds * 1_000_000))
                return
            case .hugeBody(let total):
                let head = "HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\nContent-Type: text/html\r\n\r\n"
                guard Self.sendAll(client, Array(head.utf8)) else { return }
                if request.method == "HEAD" { continue }
                let block = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
                var sent = 0
                while sent < total {
                    let count = min(block.count, total - sent)
                    guard Self.sendAll(client, Array(block[0..<count])) else { break }
                    sent += count
                    state.withLock { $0.hugeBytesSent = sent }
                }
                state.withLock { $0.hugeBodiesEnded += 1 }
                return
            }
        }
    }

    /// `SO_TIMESTAMPNS` (= `SCM_TIMESTAMPNS`) on Linux with a 64-bit `time_t`.
    private static let timestampOption: Int32 = 35

    /// `recv` that also returns the kernel's receive time of the data (wall clock), when it gives one.
    private static func receive(_ socket: Int32, into chunk: inout [UInt8]) -> (Int, Double?) {
        var control = [UInt64](repeating: 0, count: 16)
        return chunk.withUnsafeMutableBytes { bytes in
            control.withUnsafeMutableBytes { controlBytes in
                var vector = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBytes.baseAddress
                    message.msg_controllen = controlBytes.count
                    let count = recvmsg(socket, &message, 0)
                    guard count > 0 else { return (count, nil) }
                    // cmsghdr: length (8 bytes), level, type (4 each), then the data, 8-aligned.
                    var offset = 0
                    while offset + 16 <= message.msg_controllen {
                        let length = controlBytes.load(fromByteOffset: offset, as: Int.self)
                        let level = controlBytes.load(fromByteOffset: offset + 8, as: Int32.self)
                        let type = controlBytes.load(fromByteOffset: offset + 12, as: Int32.self)
                        if level == SOL_SOCKET && type == timestampOption && length >= 16 + MemoryLayout<timespec>.size
                        {
                            let time = controlBytes.loadUnaligned(fromByteOffset: offset + 16, as: timespec.self)
                            return (count, Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
                        }
                        guard length > 0 else { break }
                        offset += (length + 7) & ~7
                    }
                    return (count, nil)
                }
            }
        }
    }

    private static func sendAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count)
        where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}

/// A loopback port that is bound but not listening: connecting to it is refused.
public struct ClosedPort {
    let descriptor: Int32
    public let port: Int

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    public func release() { close(descriptor) }
}
