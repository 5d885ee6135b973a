import BriefdCore
import Foundation
import Testing

/// The test email's wire form: quoted-printable's limits, encoded words that never split a character, the date,
/// and header values that cannot smuggle a header in.
@Suite struct MailComposerTests {
    @Test func quotedPrintableKeepsLinesShortAndEncodesWhatItMust() {
        let long = String(repeating: "abcdefghij", count: 20)
        let encoded = MailComposer.quotedPrintable(long + "\n.starts with a dot\ntrailing space \na=b é")
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.first?.hasSuffix("=") == true)  // a soft break
        #expect(lines.contains("=2Estarts with a dot"))
        #expect(lines.contains("trailing space=20"))
        #expect(lines.contains("a=3Db =C3=A9"))
        // Decoding gives the text back.
        var decoded = encoded.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "\r\n", with: "\n")
        for (code, text) in [("=2E", "."), ("=20", " "), ("=3D", "=")] {
            decoded = decoded.replacingOccurrences(of: code, with: text)
        }
        #expect(
            decoded.replacingOccurrences(of: "=C3=A9", with: "é") == long
                + "\n.starts with a dot\ntrailing space \na=b é")
    }

    @Test func anEncodedSubjectNeverSplitsACharacterAndStaysShort() {
        let subject = "[TEST] 中国简报周刊 | " + String(repeating: "简报", count: 20)
        let header = MailComposer.encodedHeader(subject)
        let words = header.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var bytes: [UInt8] = []
        for word in words {
            #expect(word.count <= 75 && word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = String(word.dropFirst(10).dropLast(2))
            let data = Data(base64Encoded: payload)
            #expect(data.map { String(data: $0, encoding: .utf8) != nil } == true)  // each word is whole UTF-8
            bytes += data.map { [UInt8]($0) } ?? []
        }
        #expect(String(decoding: bytes, as: UTF8.self) == subject)
        #expect(MailComposer.encodedHeader("Plain ASCII") == "Plain ASCII")
    }

    @Test func theDateIsRFC5322sAndALineBreakIsRefused() throws {
        #expect(MailComposer.date(1_796_300_102) == "Thu, 03 Dec 2026 12:15:02 +0000")
        #expect(MailComposer.date(0) == "Thu, 01 Jan 1970 00:00:00 +0000")
        var mail = MailComposer.Mail(
            from: "a@example.org", to: ["b@example.org"], subject: "Issue", date: MailComposer.date(0),
            messageID: "1@example.org", text: "text", html: "<p>html</p>")
        let bytes = try MailComposer.compose(mail, boundary: "=_b")
        #expect(String(decoding: bytes, as: UTF8.self).contains("\r\n--=_b--\r\n"))
        for forged in ["Issue\r\nBcc: x@example.org", "Issue\nBcc: x@example.org", "Issue\u{0}"] {
            mail.subject = forged
            #expect(throws: MailComposer.MailError.self) { try MailComposer.compose(mail, boundary: "=_b") }
        }
        mail.subject = "Issue"
        mail.to = ["b@example.org>\r\nBcc: x"]
        #expect(throws: MailComposer.MailError.self) { try MailComposer.compose(mail, boundary: "=_b") }
        #expect(!MailComposer.isAddress("Editors <e@example.org>"))
        #expect(MailComposer.isAddress("e.d+tag@example.org"))
    }
}

/// The `delivery:` section: what it takes and what it refuses, with the key named.
@Suite struct DeliveryConfigTests {
    func parse(_ yaml: String) throws -> Config { try ConfigParser.parse(yaml, path: "/srv/briefd.yml") }

    @Test func listmonkIsReadWithItsListsAndKeysNames() throws {
        let config = try parse(
            """
            delivery:
              from: newsletter@example.org
              test_to: [editors@example.org]
              smtp: {url: "smtp://mail.example.org:587"}
              service: listmonk
              listmonk: {url: "https://lists.example.org/", lists: [3, 7], token_env: LM_TOKEN, template_id: 2}
            """)
        #expect(config.delivery.from == Mailbox(name: nil, address: "newsletter@example.org"))
        #expect(config.delivery.listmonk?.url == "https://lists.example.org")
        #expect(config.delivery.listmonk?.lists == [3, 7])
        #expect(config.delivery.listmonk?.tokenEnv == "LM_TOKEN")
        #expect(config.delivery.listmonk?.userEnv == "BRIEFD_LISTMONK_USER")
        #expect(config.delivery.listmonk?.templateID == 2)
    }

    @Test func badDeliverySettingsAreRefusedByName() {
        for (yaml, said) in [
            ("delivery: {service: mailchimp}", "'service' must be none, listmonk or buttondown"),
            (
                "delivery: {service: buttondown, buttondown: {endpoint: \"ftp://x\"}}",
                "'endpoint' must be an http(s) URL"
            ),
            ("delivery: {service: listmonk}", "needs a 'listmonk:' section"),
            ("delivery: {service: listmonk, listmonk: {url: \"https://l.example.org\", lists: []}}", "'lists'"),
            ("delivery: {from: \"Editors <e@example>\"}", "'from' must be an email address"),
            ("delivery: {from: \"Editors e@example.org\"}", "or with a name: ZGBriefs <newsletter@example.org>"),
            ("delivery: {smtp: {url: \"http://mail.example.org\"}}", "smtp://host:port"),
        ] {
            #expect(throws: ConfigurationError.self, "\(yaml)") { try parse(yaml) }
            do {
                _ = try parse(yaml)
            } catch {
                #expect("\(error)".contains(said), "\(yaml): \(error)")
            }
        }
    }

    /// `from` takes a name (RFC 5322), encoded as RFC 2047 words when it is not ASCII; a bare address is shown with the
    /// newsletter's name.
    @Test func theSenderHasANameReadersSee() throws {
        let named = try parse("delivery: {from: \"ZGBriefs <briefs@example.org>\"}").delivery.from
        #expect(named == Mailbox(name: "ZGBriefs", address: "briefs@example.org"))
        #expect(named?.header == "\"ZGBriefs\" <briefs@example.org>")
        #expect(Mailbox("\"Briefs, \\\"Weekly\\\"\" <b@example.org>")?.name == "Briefs, \"Weekly\"")
        let chinese = Mailbox(name: "ZG简报", address: "b@example.org")
        #expect(chinese.header.hasPrefix("=?UTF-8?B?") && chinese.header.hasSuffix(" <b@example.org>"))
        #expect(Mailbox("b@example.org")?.named("ZGBriefs").header == "\"ZGBriefs\" <b@example.org>")
        #expect(Mailbox("Evil\r\nBcc: x@example.org <b@example.org>") == nil)
        let mail = MailComposer.Mail(
            from: "b@example.org", fromName: "ZG简报", to: ["e@example.org"], subject: "S", date: MailComposer.date(0),
            messageID: "1@example.org", text: "t", html: "<p>h</p>")
        let text = String(decoding: try MailComposer.compose(mail, boundary: "=_b"), as: UTF8.self)
        #expect(text.contains("From: =?UTF-8?B?"))
        #expect(text.contains(" <b@example.org>\r\n"))
    }
}
