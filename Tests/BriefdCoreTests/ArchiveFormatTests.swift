import BriefdCore
import Foundation
import Testing

/// The pure parts of preservation: the WARC's spelling (base 32, dates, SURT keys, CDXJ lines, header values that
/// cannot forge a field), what each Save Page Now answer means, and how a captured page is judged.
@Suite struct ArchiveFormatTests {
    @Test func base32AndDatesAreSpelledAsWARCReadersExpect() {
        #expect(WARCFormat.base32(Array("foobar".utf8)) == "MZXW6YTBOI======")  // RFC 4648's test vector
        #expect(WARCFormat.base32([]) == "")
        #expect(WARCFormat.date(1_796_300_102) == "2026-12-03T12:15:02Z")
        #expect(WARCFormat.timestamp(1_796_300_102) == "20261203121502")
    }

    @Test func surtKeysReverseNamesButNotAddresses() {
        #expect(WARCFormat.surt("https://www.Example.org/News/1?id=2#top") == "org,example)/news/1?id=2")
        #expect(WARCFormat.surt("http://example.org") == "org,example)/")
        #expect(WARCFormat.surt("http://news.example.org:8080/a") == "org,example,news:8080)/a")
        #expect(WARCFormat.surt("http://127.0.0.1:8765/story") == "127.0.0.1:8765)/story")
    }

    @Test func aRecordHeaderValueCannotForgeAField() {
        let header = String(
            decoding: WARCFormat.recordHeader([("WARC-Target-URI", "http://x/\r\nWARC-Type: revisit")], length: 3),
            as: UTF8.self)
        #expect(header == "WARC/1.1\r\nWARC-Target-URI: http://x/WARC-Type: revisit\r\nContent-Length: 3\r\n\r\n")
    }

    @Test func aCDXJLineIsSortableAndItsJSONIsQuoted() throws {
        let line = WARCFormat.cdxjLine(
            url: "https://example.org/a\"b", seconds: 1_796_300_102, mime: "text/html", status: 200, digest: "sha1:X",
            length: 10, offset: 20, filename: "archive.warc.gz")
        #expect(line.hasPrefix("org,example)/a\"b 20261203121502 {"))
        let json =
            try JSONSerialization.jsonObject(
                with: Data(line.dropFirst(line.firstIndex(of: "{")!.utf16Offset(in: line)).utf8)) as? [String: String]
        #expect(json?["url"] == "https://example.org/a\"b")
        #expect(json?["offset"] == "20")
    }

    @Test func everySavePageNowAnswerIsReadFromItsBody() {
        func read(_ status: Int, _ body: String, retryAfter: Double? = nil) -> SavePageNowAnswer {
            SavePageNowAnswer.read(status: status, body: Array(body.utf8), retryAfter: retryAfter)
        }
        #expect(read(200, #"{"url": "https://a/", "job_id": "spn2-abc_1"}"#) == .accepted(jobID: "spn2-abc_1"))
        #expect(read(200, #"{"status": "pending", "job_id": "spn2-1"}"#) == .pending)
        #expect(
            read(200, #"{"status": "success", "timestamp": "20261203101500", "original_url": "https://a/"}"#)
                == .success(timestamp: "20261203101500", originalURL: "https://a/"))
        // Errors come as HTTP 200: the body decides.
        #expect(
            read(200, #"{"status": "error", "status_ext": "error:user-session-limit", "message": "wait"}"#)
                == .later(statusExt: "error:user-session-limit", message: "wait", retryAfter: nil))
        #expect(
            read(200, #"{"status": "error", "status_ext": "error:not-found", "message": "gone"}"#)
                == .failed(statusExt: "error:not-found", message: "gone"))
        #expect(
            read(429, "<html>slow down</html>", retryAfter: 30)
                == .later(statusExt: "error:too-many-requests", message: nil, retryAfter: 30))
        #expect(read(502, "Bad gateway") == .later(statusExt: "error:http-502", message: nil, retryAfter: nil))
        #expect(
            read(401, #"{"message": "log in"}"#)
                == .later(statusExt: "error:unauthorized", message: "log in", retryAfter: nil))
        // Hostile or odd answers: a job id that could go into a path, a success without a timestamp, not JSON.
        if case .accepted = read(200, #"{"job_id": "../../etc"}"#) { Issue.record("a job id with slashes was taken") }
        if case .success = read(200, #"{"status": "success", "timestamp": "x"}"#) {
            Issue.record("a success without a timestamp was taken")
        }
        #expect(
            read(200, "<html>Save Page Now</html>")
                == .later(statusExt: "error:invalid-answer", message: "HTTP 200 without a JSON body", retryAfter: nil))
    }

    @Test func holdsFollowTheServiceThenDoubleFromTheBase() {
        #expect(SavePageNowAnswer.hold(for: "error:too-many-requests", retryAfter: 30, attempts: 5, base: 300) == 30)
        #expect(
            SavePageNowAnswer.hold(for: "error:too-many-daily-captures", retryAfter: nil, attempts: 1, base: 300)
                == 86_400)
        #expect(SavePageNowAnswer.hold(for: "error:user-session-limit", retryAfter: nil, attempts: 1, base: 300) == 300)
        #expect(
            SavePageNowAnswer.hold(for: "error:user-session-limit", retryAfter: nil, attempts: 3, base: 300) == 1200)
        #expect(
            SavePageNowAnswer.hold(for: "error:user-session-limit", retryAfter: nil, attempts: 30, base: 300) == 21_600)
        #expect(SavePageNowAnswer.holdsQueue("error:user-session-limit"))
        #expect(!SavePageNowAnswer.holdsQueue("error:no-browsers-available"))
    }

    @Test func aCapturedPageIsJudgedAsACopyAndForItsExcerpt() {
        let excerpt = "Village schools are closing as families follow work to the cities and birth rates fall."
        func judge(_ status: Int, _ html: String, type: String = "text/html", excerpt text: String = excerpt)
            -> CaptureVerdict
        {
            CaptureVerdict.judge(
                status: status, mediaType: type, charset: "utf-8", body: Array(html.utf8), truncated: false,
                excerpt: text)
        }
        let article =
            "<html><head><title>Schools</title></head><body><article><p>\(excerpt)</p></article></body></html>"
        #expect(judge(200, article) == CaptureVerdict(good: true, excerptFound: true, reason: nil))
        // Altered by a word: still found (the quote check would call it altered, not absent).
        #expect(judge(200, article.replacingOccurrences(of: "families", with: "parents")).excerptFound == true)
        #expect(
            judge(200, article, excerpt: "A sentence the page never had, about something else entirely today.")
                .excerptFound == false)
        #expect(judge(404, article).good == false)
        #expect(judge(200, "<title>Page Not Found</title><p>Sorry</p>").good == false)
        #expect(judge(200, "<title>Just a moment...</title>").reason?.contains("challenge") == true)
        #expect(
            judge(200, "%PDF-1.7", type: "application/pdf")
                == CaptureVerdict(good: true, excerptFound: nil, reason: "not HTML (application/pdf)"))
        let paywalled =
            "<html><head><script type=\"application/ld+json\">{\"isAccessibleForFree\": false}</script></head><body><article><p>Only the first lines of the story are shown here to readers.</p></article></body></html>"
        #expect(judge(200, paywalled).excerptFound == nil)
        #expect(judge(200, paywalled).reason?.contains("paywall") == true)
    }
}
