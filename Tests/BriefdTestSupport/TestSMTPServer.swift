import Foundation
@preconcurrency import Glibc

/// A real SMTP server for the tests: aiosmtpd (PyPI; `make test-deps` installs it) delivering into a maildir. It
/// binds port 0 and says which port it got once it listens: no port is picked, released and hoped for.
public final class TestSMTPServer {
    let process = Process()
    public let maildir: String
    public let port: Int

    public struct NotStarted: Error, CustomStringConvertible {
        public var description: String {
            "the SMTP server did not start (is aiosmtpd installed? make test-deps installs it)"
        }
    }

    /// The Python interpreter itself, not a wrapper script (pyenv's shim), so that a signal reaches the process.
    public static func pythonExecutable() throws -> String {
        let finder = Process()
        finder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        finder.arguments = ["python3", "-c", "import sys; print(sys.executable)"]
        let output = Pipe()
        finder.standardOutput = output
        try finder.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        finder.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public init() throws {
        let python = try TestSMTPServer.pythonExecutable()
        maildir =
            FileManager.default.temporaryDirectory.appendingPathComponent("briefd-maildir-\(UUID().uuidString)")
            .path
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-c",
            """
            import asyncio, sys
            from aiosmtpd.smtp import SMTP
            from aiosmtpd.handlers import Mailbox
            async def main():
                server = await asyncio.get_running_loop().create_server(lambda: SMTP(Mailbox(sys.argv[1])), "127.0.0.1", 0)
                print(server.sockets[0].getsockname()[1], flush=True)
                await server.serve_forever()
            asyncio.run(main())
            """, maildir,
        ]
        let announced = Pipe()
        process.standardOutput = announced
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = announced.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }  // the server died before listening
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw NotStarted()
        }
        self.port = port
    }

    /// The paths of the messages delivered so far.
    public var messages: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/new")) ?? []).sorted().map {
            maildir + "/new/" + $0
        }
    }

    /// Stops the server (it ignores gentler signals) and removes the maildir.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: maildir)
    }
}
