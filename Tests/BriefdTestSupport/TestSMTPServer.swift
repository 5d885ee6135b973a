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

    /// Where the server notes each AUTH it receives, one line each: `AUTH tls=True` or `AUTH tls=False`.
    public let authLog: String

    /// - Parameters:
    ///   - certificate: a PEM certificate and key: the server then offers STARTTLS with them (without, it offers none).
    ///   - requireLogin: the server accepts any login, and notes each in `authLog`; it accepts a login without TLS
    ///     too, so that a client that sends one in clear is seen doing it.
    public init(certificate: (cert: String, key: String)? = nil) throws {
        let python = try TestSMTPServer.pythonExecutable()
        maildir =
            FileManager.default.temporaryDirectory.appendingPathComponent("briefd-maildir-\(UUID().uuidString)")
            .path
        authLog = maildir + ".auth"
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-c",
            """
            import asyncio, ssl, sys
            from aiosmtpd.smtp import SMTP, AuthResult
            from aiosmtpd.handlers import Mailbox
            def authenticator(server, session, envelope, mechanism, auth_data):
                with open(sys.argv[2], "a") as log:
                    log.write("AUTH tls=%s\\n" % (session.ssl is not None))
                return AuthResult(success=True)
            context = None
            if sys.argv[3]:
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                context.load_cert_chain(sys.argv[3], sys.argv[4])
            async def main():
                server = await asyncio.get_running_loop().create_server(
                    lambda: SMTP(Mailbox(sys.argv[1]), tls_context=context, authenticator=authenticator,
                                 auth_require_tls=False), "127.0.0.1", 0)
                print(server.sockets[0].getsockname()[1], flush=True)
                await server.serve_forever()
            asyncio.run(main())
            """, maildir, authLog, certificate?.cert ?? "", certificate?.key ?? "",
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
        try? FileManager.default.removeItem(atPath: authLog)
    }

    /// The AUTH lines noted so far.
    public var logins: [String] {
        ((try? String(contentsOfFile: authLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// A self-signed certificate for 127.0.0.1 (openssl), written into `folder`: its certificate and key files.
    public static func selfSignedCertificate(in folder: String) throws -> (cert: String, key: String) {
        let cert = folder + "/smtp-cert.pem"
        let key = folder + "/smtp-key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw NotStarted() }
        return (cert, key)
    }
}
