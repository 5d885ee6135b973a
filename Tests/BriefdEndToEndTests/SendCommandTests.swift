import BriefdTestSupport
import Foundation
import Testing

/// `briefd send test` on the built binary against a real SMTP server (aiosmtpd, as the alert tests use): the
/// message read back with Python's `email` parser, its structure, headers and encodings, and its parts byte for byte
/// the issue's recorded email HTML and text; a header value with a line break refused before anything is sent.
@Suite("briefd send test", .serialized, .timeLimit(.minutes(3)))
struct SendCommandTests {
    func workspace(newsletter: String, port: Int) throws -> String {
        let folder = try BuildCommandTests().workspace()
        var config = try String(contentsOfFile: folder + "/briefd.yml", encoding: .utf8)
        config = config.replacingOccurrences(
            of: "newsletter: {name: ZGBriefs}", with: "newsletter: {name: \(newsletter)}")
        config += """

            delivery:
              from: newsletter@zgbriefs.test
              test_to: [editors@zgbriefs.test, second@zgbriefs.test]
              smtp: {url: "smtp://127.0.0.1:\(port)"}
            """
        try config.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        return folder
    }

    /// The message parsed by Python's `email` package: headers, each part's type, charset, encoding and body.
    func parse(_ path: String) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import email, email.policy, json, sys
            raw = open(sys.argv[1], 'rb').read()
            message = email.message_from_bytes(raw, policy=email.policy.default)
            parts = [{"type": p.get_content_type(), "charset": p.get_content_charset(), "encoding": p["Content-Transfer-Encoding"],
                      "body": p.get_content()} for p in message.iter_parts()]
            longest = max(len(line.rstrip(b"\\r")) for line in raw.split(b"\\n"))
            print(json.dumps({"subject": str(message["Subject"]), "raw_subject": message.get("Subject", failobj=None) and raw.split(b"Subject: ")[1].split(b"Date: ")[0].decode().strip(),
                              "from": str(message["From"]), "to": str(message["To"]), "date": str(message["Date"]),
                              "message_id": str(message["Message-ID"]), "mime": str(message["MIME-Version"]),
                              "type": message.get_content_type(), "defects": len(message.defects), "parts": parts, "longest_line": longest}))
            """, path,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    @Test func theTestIsTheIssueAsBuiltInOneWellFormedMessage() async throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        let folder = try workspace(newsletter: "\"ZG简报 Weekly\"", port: server.port)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let build = try await Briefd.run([
            "build", "--config", folder + "/briefd.yml", "--issue", "2026-12-02", "--no-capture",
        ])
        #expect(build.status == 0, "\(build.stderr)")
        let run = try await Briefd.run(["send", "test", "--config", folder + "/briefd.yml"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.contains("Sent \"[TEST] ZG简报 Weekly | December 2, 2026\" (the issue of 2026-12-02, version 1)"))
        #expect(server.messages.count == 1)
        let message = try parse(try #require(server.messages.first))
        #expect(message["subject"] as? String == "[TEST] ZG简报 Weekly | December 2, 2026")
        #expect((message["raw_subject"] as? String)?.hasPrefix("=?UTF-8?B?") == true)  // RFC 2047, not raw UTF-8
        // A bare `from` is shown with the newsletter's name (RFC 2047 encoded on the wire).
        #expect(message["from"] as? String == "ZG简报 Weekly <newsletter@zgbriefs.test>")
        #expect(message["to"] as? String == "editors@zgbriefs.test, second@zgbriefs.test")
        #expect(message["mime"] as? String == "1.0")
        #expect((message["message_id"] as? String)?.hasPrefix("<") == true)
        #expect((message["date"] as? String)?.hasSuffix("+0000") == true)
        #expect(message["type"] as? String == "multipart/alternative")
        #expect(message["defects"] as? Int == 0)
        #expect((message["longest_line"] as? Int ?? 999) <= 78)
        let parts = message["parts"] as? [[String: Any]] ?? []
        #expect(parts.map { $0["type"] as? String } == ["text/plain", "text/html"])
        #expect(
            parts.allSatisfy { $0["charset"] as? String == "utf-8" && $0["encoding"] as? String == "quoted-printable" })
        let issue = folder + "/out/2026-12-02/"
        let text = try String(contentsOfFile: issue + "digest.txt", encoding: .utf8)
        let html = try String(contentsOfFile: issue + "email.html", encoding: .utf8)
        #expect(parts.first?["body"] as? String == text)
        #expect(parts.last?["body"] as? String == html)

        // --to replaces test_to; a second send is a second message.
        let again = try await Briefd.run([
            "send", "test", "--config", folder + "/briefd.yml", "--to", "one@zgbriefs.test",
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(server.messages.count == 2)

        // The newsletter renamed after the build: the subject is the issue's as built, like its body.
        let config = folder + "/briefd.yml"
        try (try String(contentsOfFile: config, encoding: .utf8))
            .replacingOccurrences(of: "name: \"ZG简报 Weekly\"", with: "name: Renamed Weekly")
            .write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try String(contentsOfFile: config, encoding: .utf8).contains("Renamed Weekly"))
        let renamed = try await Briefd.run(["send", "test", "--config", config, "--to", "one@zgbriefs.test"])
        #expect(renamed.status == 0, "\(renamed.stderr)")
        let third = try parse(try #require(server.messages.last))
        #expect(third["subject"] as? String == "[TEST] ZG简报 Weekly | December 2, 2026", "\(third)")
    }

    @Test func aHeaderWithALineBreakOrAMissingSettingSendsNothing() async throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        let folder = try workspace(newsletter: "\"ZGBriefs\\r\\nBcc: everyone@example.org\"", port: server.port)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            try await Briefd.run(["build", "--config", folder + "/briefd.yml", "--issue", "2026-12-02", "--no-capture"])
                .status == 0)
        let run = try await Briefd.run(["send", "test", "--config", folder + "/briefd.yml"])
        #expect(run.status == 1)
        // The name goes into From (as the newsletter's display name) and Subject: refused before anything is sent.
        #expect(run.stderr.contains("header's value has a line break"), "\(run.stderr)")
        let usage = try await Briefd.run(["send", "test", "--config", folder + "/briefd.yml", "--to", "not an address"])
        #expect(usage.status != 0)
        #expect(usage.stderr.contains("--to must be an email address"))
        let unpublished = try await Briefd.run([
            "send", "test", "--config", folder + "/briefd.yml", "--issue", "2026-12-09",
        ])
        #expect(unpublished.status == 1)
        #expect(unpublished.stderr.contains("the issue of 2026-12-09 is not published; build it first"))
        #expect(server.messages.isEmpty)
    }

    /// With a login set, the password travels only inside TLS: to a server without STARTTLS nothing is sent and no
    /// AUTH reaches it, and the editor is told why; to one with STARTTLS (its certificate given by `smtp.ca_file`)
    /// the message goes out, the login inside TLS.
    @Test func aLoginGoesOnlyInsideTLS() async throws {
        let plain = try TestSMTPServer()
        defer { plain.stop() }
        let folder = try workspace(newsletter: "ZGBriefs", port: plain.port)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/briefd.yml"
        #expect(
            try await Briefd.run(["build", "--config", config, "--issue", "2026-12-02", "--no-capture"]).status == 0)
        let login = ["BRIEFD_SMTP_USER": "editor", "BRIEFD_SMTP_PASSWORD": "SMTP-SECRET-41"]
        let refused = try await Briefd.run(
            ["send", "test", "--config", config, "--issue", "2026-12-02"], environment: login)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("offers no STARTTLS; the password would travel in clear"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("SMTP-SECRET-41"))
        #expect(plain.logins.isEmpty, "a login reached a server without TLS: \(plain.logins)")
        #expect(plain.messages.isEmpty)

        // Without a login nothing secret goes: the same server takes the test.
        let open = try await Briefd.run(["send", "test", "--config", config, "--issue", "2026-12-02"])
        #expect(open.status == 0, "\(open.stderr)")
        #expect(plain.messages.count == 1)

        // A server that offers STARTTLS, its certificate trusted through smtp.ca_file: sent, the login inside TLS.
        let certificate = try TestSMTPServer.selfSignedCertificate(in: folder)
        let secure = try TestSMTPServer(certificate: certificate)
        defer { secure.stop() }
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "smtp: {url: \"smtp://127.0.0.1:\(plain.port)\"}",
            with: "smtp: {url: \"smtp://127.0.0.1:\(secure.port)\", ca_file: smtp-cert.pem}")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let sent = try await Briefd.run(
            ["send", "test", "--config", config, "--issue", "2026-12-02"], environment: login)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(secure.logins == ["AUTH tls=True"], "\(secure.logins)")
        #expect(secure.messages.count == 1)

        // allow_plaintext_login is for a relay on this machine only, and refused for any other host at load.
        text = text.replacingOccurrences(
            of: "ca_file: smtp-cert.pem}", with: "allow_plaintext_login: true}"
        ).replacingOccurrences(of: "smtp://127.0.0.1:\(secure.port)", with: "smtp://mail.example.org:25")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let check = try await Briefd.run(["config", "check", "--config", config])
        #expect(check.status == 2)
        #expect(check.stderr.contains("'allow_plaintext_login' is for a relay on this machine only"), "\(check.stderr)")
    }
}
