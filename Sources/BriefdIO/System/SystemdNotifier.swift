@preconcurrency import Glibc

/// sd_notify without libsystemd: one datagram to `$NOTIFY_SOCKET` per message (`READY=1`, `STATUS=…`,
/// `WATCHDOG=1`, `RELOADING=1`, `STOPPING=1`). Outside systemd (no socket) it sends nothing.
public struct SystemdNotifier: Sendable {
    /// `SOCK_DGRAM | SOCK_CLOEXEC` (2 | 0o2000000 on Linux). Spelled out: in a whole-module (release) build the
    /// socket types are imported with libcurl's headers, which this file does not import, and Glibc's names for
    /// them are not found here.
    static let datagramCloseOnExec: Int32 = 2 | 0o2_000_000
    private let socketPath: String?
    /// Half of `WATCHDOG_USEC`, when systemd asks for a watchdog for this process.
    public let watchdogInterval: Duration?

    public init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0,
            environment["WATCHDOG_PID"].map({ Int32($0) == getpid() }) ?? true
        {
            watchdogInterval = .microseconds(microseconds / 2)
        } else {
            watchdogInterval = nil
        }
    }

    public var isActive: Bool { socketPath != nil }

    /// Sends newline-separated `KEY=VALUE` lines; failures are ignored (systemd may be gone).
    public func send(_ lines: String...) {
        guard let socketPath else { return }
        let descriptor = socket(AF_UNIX, SystemdNotifier.datagramCloseOnExec, 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        // "@name" is Linux's abstract namespace: a leading NUL and an exact length.
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let message = Array(lines.joined(separator: "\n").utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes {
                    sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
    }
}
