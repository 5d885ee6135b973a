import BriefdApp
import BriefdCore
@testable import BriefdIO
import BriefdTestSupport
import Foundation
import Testing

/// The capture of an issue's cited pages against a real local site, read back by warcio (PyPI): digests checked,
/// a response record per answer (redirect hops too), a 404 and challenge pages kept but not good copies, a gzip
/// body and a chunked one decoded for the excerpt check, a 20 MB page cut at the bound, a page in GBK; failures
/// retried, then given up.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PreservationTests {
    static let excerpt =
        "Across the countryside, village schools are closing as families follow work to the cities and birth rates fall in every province of the west."
    static let article =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Village schools</title></head><body><article><h1>Village schools</h1><p>\(excerpt)</p><p>In one county the number of primary schools has dropped from more than two hundred to fewer than forty in a decade.</p></article></body></html>"
    static let chineseExcerpt = "农村的学校正在一所接一所地关闭，因为家庭随着工作迁往城市。"

    /// A published issue's folder and queued captures, with the state in a temporary folder.
    final class Issue {
        let folder: String
        var config: Config
        let date = "2026-12-03"

        init(links: [(String, String)], change: (inout Config) -> Void = { _ in }) async throws {
            folder =
                FileManager.default.temporaryDirectory.appendingPathComponent("briefd-wa-\(UUID().uuidString)").path
            config = Config.defaults(at: folder + "/briefd.yml")
            config.paths.digests = folder + "/digests"
            config.paths.state = folder + "/state/briefd.sqlite"
            config.links.allowNetworks = [IPNetwork("127.0.0.0/8")!]
            config.links.perHostIntervalMilliseconds = 0
            config.links.retries = 0
            config.archive.maxPageBytes = 1024 * 1024
            change(&config)
            try FileManager.default.createDirectory(
                atPath: config.paths.digests + "/" + date, withIntermediateDirectories: true)
            try "<!DOCTYPE html><title>Issue</title>".write(
                toFile: config.paths.digests + "/\(date)/index.html", atomically: true, encoding: .utf8)
            try await PreservationStore(try StateDatabase(path: config.paths.state)).enqueue(
                issue: date, links: links.map { (url: $0.0, excerpt: $0.1) }, savePageNow: false, now: 0)
        }

        func capture(now: Double = Date().timeIntervalSince1970) async throws -> CaptureRun.Outcome {
            let state = try StateDatabase(path: config.paths.state)
            let links = LinkService(settings: config.links, registry: .empty, state: state, version: "test")
            let outcome = try await CaptureRun(config: config, state: state, links: links).work(now: now)
            await links.shutdown()
            return outcome
        }

        func captures() async throws -> [String: PageCapture] {
            let list = try await PreservationStore(try StateDatabase(path: config.paths.state)).captures(of: date)
            return Dictionary(uniqueKeysWithValues: list.map { ($0.url, $0) })
        }

        var warc: String { config.paths.digests + "/\(date)/archive.warc.gz" }

        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    static func site() throws -> TestHTTPServer {
        let gbkText: [UInt8] = [
            197, 169, 180, 229, 181, 196, 209, 167, 208, 163, 213, 253, 212, 218, 210, 187, 203, 249, 189, 211,
            210, 187, 203, 249, 181, 216, 185, 216, 177, 213, 163, 172, 210, 242, 206, 170, 188, 210, 205, 165,
            203, 230, 215, 197, 185, 164, 215, 247, 199, 168, 205, 249, 179, 199, 202, 208, 161, 163,
        ]
        let gbkPage =
            Array("<html><head><meta charset=\"gbk\"><title>x</title></head><body><article><p>".utf8) + gbkText
            + Array("</p></article></body></html>".utf8)
        let gzipped = Gzip.member(Array(article.utf8))!
        let chunked = Array(article.utf8)
        let half = chunked.count / 2
        let crlf: [UInt8] = [13, 10]
        var chunkedAnswer = Array(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                .utf8)
        chunkedAnswer += Array(String(half, radix: 16).utf8) + crlf
        chunkedAnswer += Array(chunked[0..<half]) + crlf
        chunkedAnswer += Array(String(chunked.count - half, radix: 16).utf8) + crlf
        chunkedAnswer += Array(chunked[half...]) + crlf
        chunkedAnswer += Array("0\r\n\r\n".utf8)
        let finalAnswer = chunkedAnswer
        return try TestHTTPServer { request in
            switch request.path {
            case "/plain", "/target": return .respond(status: 200, body: article)
            case "/moved": return .respond(status: 301, headers: ["Location": "/target"])
            case "/gone": return .respond(status: 404, body: "<title>Not here</title>")
            case "/gzip":
                return .respondBytes(
                    headers: ["Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"], body: gzipped)
            case "/chunked": return .raw(finalAnswer)
            case "/huge": return .hugeBody(bytes: 20 * 1024 * 1024)
            case "/gbk": return .respondBytes(headers: ["Content-Type": "text/html; charset=gbk"], body: gbkPage)
            case "/challenge":
                return .respond(
                    status: 200, body: "<title>Just a moment...</title><div id=\"challenge-platform\"></div>")
            case "/soft404": return .respond(status: 200, body: "<title>Page not found</title><p>Sorry.</p>")
            case "/paywall":
                return .respond(
                    status: 200,
                    body:
                        "<html><head><title>Story</title><script type=\"application/ld+json\">{\"isAccessibleForFree\": false}</script></head><body><article><p>Village schools are a subject of great interest to many readers who subscribe.</p></article></body></html>"
                )
            default: return .respond(status: 404)
            }
        }
    }

    func warcio(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys; from warcio.cli import main; sys.exit(main())"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func everyCitedPageIsCapturedReadableByWarcioAndJudged() async throws {
        let site = try Self.site()
        defer { site.stop() }
        let paths = [
            "/plain", "/moved", "/gone", "/gzip", "/chunked", "/huge", "/gbk", "/challenge", "/soft404", "/paywall",
        ]
        var links = paths.map { (site.url + $0, Self.excerpt) }
        links[6].1 = Self.chineseExcerpt
        let issue = try await Issue(links: links)
        let outcome = try await issue.capture()
        #expect(outcome.captured == paths.count)
        #expect(outcome.unwritten.isEmpty)

        let check = try warcio(["check", "-v", issue.warc])
        #expect(check.status == 0, "\(check.output)")
        #expect(!check.output.contains("digest failed"))
        let index = try warcio(["index", "-f", "warc-type,warc-target-uri,http:status,warc-truncated", issue.warc])
        #expect(index.status == 0, "\(index.output)")
        let records = index.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        #expect(records.first?["warc-type"] == "warcinfo")
        let responses = records.filter { $0["warc-type"] == "response" }
        // One response per answer: every page, plus the redirect's hop.
        #expect(
            Set(responses.compactMap { $0["warc-target-uri"] })
                == Set(paths.map { site.url + $0 } + [site.url + "/target"]))
        #expect(records.filter { $0["warc-type"] == "request" }.count == responses.count)
        #expect(responses.first { $0["warc-target-uri"] == site.url + "/moved" }?["http:status"] == "301")
        #expect(responses.first { $0["warc-target-uri"] == site.url + "/huge" }?["warc-truncated"] == "length")
        let cdxj = try String(
            contentsOfFile: issue.config.paths.digests + "/\(issue.date)/archive.cdxj", encoding: .utf8)
        #expect(cdxj.split(separator: "\n").count == responses.count)

        let captures = try await issue.captures()
        func verdict(_ path: String) -> CaptureVerdict? { captures[site.url + path]?.verdict }
        for path in ["/plain", "/moved", "/gzip", "/chunked", "/gbk"] {
            #expect(verdict(path) == CaptureVerdict(good: true, excerptFound: true, reason: nil), "\(path)")
        }
        #expect(captures[site.url + "/moved"]?.finalURL == site.url + "/target")
        #expect(verdict("/gone") == CaptureVerdict(good: false, excerptFound: nil, reason: "the page answered 404"))
        #expect(verdict("/challenge")?.good == false)
        #expect(verdict("/challenge")?.reason?.contains("challenge") == true)
        #expect(verdict("/soft404")?.good == false)
        #expect(verdict("/soft404")?.reason?.contains("soft 404") == true)
        #expect(verdict("/paywall")?.excerptFound == nil)
        #expect(verdict("/paywall")?.reason?.contains("paywall") == true)
        #expect(verdict("/huge")?.excerptFound != true)
        #expect(verdict("/huge")?.reason?.contains("cut at the archive's size bound") == true)

        // Read back for the desk: the copy decoded from the WARC.
        let copy = try #require(
            try IssueArchiveFile.copy(
                of: site.url + "/gzip", folder: issue.config.paths.digests + "/\(issue.date)", maxBytes: 1 << 20))
        #expect(String(decoding: copy.body, as: UTF8.self) == Self.article)
        let chunkedCopy = try #require(
            try IssueArchiveFile.copy(
                of: site.url + "/chunked", folder: issue.config.paths.digests + "/\(issue.date)", maxBytes: 1 << 20))
        #expect(String(decoding: chunkedCopy.body, as: UTF8.self) == Self.article)

        // Each page once: nothing is due again, and the site saw one request per page (two for the redirect).
        let requests = site.requests.count
        #expect(try await issue.capture() == CaptureRun.Outcome())
        #expect(site.requests.count == requests)
        #expect(requests == paths.count + 1)
    }

    @Test func aFailedCaptureIsRetriedThenGivenUpAndTheBuildIsNotHeldUp() async throws {
        let closed = try ClosedPort()
        defer { closed.release() }
        let site = try Self.site()
        defer { site.stop() }
        let issue = try await Issue(links: [
            ("http://127.0.0.1:\(closed.port)/story", Self.excerpt), (site.url + "/plain", Self.excerpt),
        ]) {
            $0.archive.captureAttempts = 2
            $0.archive.captureRetrySeconds = 60
        }
        let start = Date().timeIntervalSince1970
        let first = try await issue.capture(now: start)
        #expect(first.captured == 1)
        #expect(first.retrying == 1)
        let pending = try #require(try await issue.captures()["http://127.0.0.1:\(closed.port)/story"])
        #expect(pending.state == .pending)
        #expect(pending.verdict?.reason?.isEmpty == false)
        #expect(pending.nextTry == start + 60)
        #expect(try await issue.capture(now: start + 30) == CaptureRun.Outcome())  // Not due yet.
        let second = try await issue.capture(now: start + 61)
        #expect(second.failed == 1)
        #expect(try await issue.captures()["http://127.0.0.1:\(closed.port)/story"]?.state == .failed)
        // The good capture is still in the file, whole.
        #expect(try warcio(["check", issue.warc]).status == 0)

        // Files lost under the database (a folder replaced while a capture was written): the captures it lists as
        // done are taken again, so that what `briefd archive` calls captured is in the WARC.
        try FileManager.default.removeItem(atPath: issue.warc)
        try FileManager.default.removeItem(atPath: issue.config.paths.digests + "/\(issue.date)/archive.cdxj")
        let state = try StateDatabase(path: issue.config.paths.state)
        let links = LinkService(settings: issue.config.links, registry: .empty, state: state, version: "test")
        let run = CaptureRun(config: issue.config, state: state, links: links)
        #expect(try await run.reconcile(now: start + 62) == 1)
        #expect(try await run.reconcile(now: start + 62) == 0)  // queued once
        #expect(try await run.work(now: start + 62).captured == 1)
        await links.shutdown()
        #expect(try await issue.captures()[site.url + "/plain"]?.state == .captured)
        #expect(try warcio(["check", issue.warc]).status == 0)
    }

    /// The Save Page Now queue in process: a session limit holds the whole queue, and the hold is in the state
    /// database (a new run, as after a restart, waits too); a snapshot is fetched once, a day later (here at
    /// once), and the excerpt looked for in it.
    @Test func theSavePageNowHoldOutlivesTheRunAndTheSnapshotIsChecked() async throws {
        let service = try SavePageNowStandIn(
            accessKey: "a", secretKey: "s",
            snapshotBody: "<html><body><article><p>\(Self.excerpt)</p></article></body></html>")
        defer { service.stop() }
        let site = try Self.site()
        defer { site.stop() }
        let urls = [site.url + "/plain?a-session-limit", site.url + "/plain?b-other"]
        let issue = try await Issue(links: urls.map { ($0, Self.excerpt) }) {
            var spn = SavePageNowSettings()
            spn.endpoint = service.url
            spn.perMinute = 60
            spn.retryBaseSeconds = 3
            spn.pollSeconds = 1
            $0.archive.savePageNow = spn
        }
        let state = try StateDatabase(path: issue.config.paths.state)
        try await PreservationStore(state).enqueue(
            issue: issue.date, links: urls.map { (url: $0, excerpt: Self.excerpt) }, savePageNow: true, now: 0)
        let links = LinkService(settings: issue.config.links, registry: .empty, state: state, version: "test")
        defer { Task { await links.shutdown() } }
        func run() throws -> SavePageNowRun {
            try #require(
                SavePageNowRun(
                    config: issue.config, state: state, links: links,
                    environment: ["BRIEFD_SPN_ACCESS_KEY": "a", "BRIEFD_SPN_SECRET_KEY": "s"],
                    snapshotCheckDelay: 0))
        }
        let first = try await run().work(now: Date().timeIntervalSince1970)
        #expect(first.submitted == 1)  // The session limit: the queue holds.
        #expect(first.held?.contains("error:user-session-limit") == true)  // The second page waits.
        let afterRestart = try await run().work(now: Date().timeIntervalSince1970)
        #expect(afterRestart.submitted == 0)
        #expect(afterRestart.held?.contains("error:user-session-limit") == true)
        #expect(try await PreservationStore(state).pace().holdReason == "error:user-session-limit")
        // Later, every page goes, is polled to success, and its snapshot is checked once.
        let deadline = Date().addingTimeInterval(30)
        var submissions: [SavePageNowSubmission] = []
        repeat {
            try await Task.sleep(for: .milliseconds(300))
            _ = try await run().work(now: Date().timeIntervalSince1970)
            submissions = try await PreservationStore(state).submissions(of: issue.date)
        } while Date() < deadline && !submissions.allSatisfy(\.isFinal)
        #expect(submissions.allSatisfy { $0.state == .success && $0.snapshotExcerptFound == true }, "\(submissions)")
        #expect(service.submissions.filter(\.accepted).count == 2)
        let accepted = service.submissions.filter(\.accepted).map(\.at)
        #expect(accepted.count == 2 && accepted[1] - accepted[0] >= 0.95)  // 60 a minute.
    }
}

/// The WARC is appended to, never rewritten from what was read: a file that cannot be read, or is shorter than its
/// recorded length, is left byte for byte and the capture refused; an append torn by a crash is cut back first.
@Suite("The issue's WARC is never lost")
struct IssueArchiveFileTests {
    func members(_ url: String, at seconds: Double) throws -> [WARCWriter.Member] {
        let wire = WireExchange(
            requestHeader: Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8),
            responseHeader: Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n".utf8),
            truncated: false)
        let response = HTTPResponse(
            status: 200, headers: ["content-type": "text/html"], body: Array("hello".utf8), wire: wire)
        return try WARCWriter.exchange(url: url, response: response, at: seconds, warcinfoID: nil)
    }

    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-warc-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func append(_ url: String, to folder: String) throws {
        try IssueArchiveFile.append(
            try members(url, at: 1_800_000_000), folder: folder, issue: "2026-12-10", newsletter: "ZGBriefs",
            software: "briefd test", now: 1_800_000_000)
    }

    @Test func appendsKeepEveryEarlierByteAndATornAppendIsCutBack() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append("http://127.0.0.1/a", to: folder)
        let first = try Data(contentsOf: URL(fileURLWithPath: folder + "/archive.warc.gz"))
        try append("http://127.0.0.1/b", to: folder)
        let second = try Data(contentsOf: URL(fileURLWithPath: folder + "/archive.warc.gz"))
        #expect(second.prefix(first.count) == first)
        // A crash half-way through an append: bytes after the recorded length.
        let handle = try #require(FileHandle(forWritingAtPath: folder + "/archive.warc.gz"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x1f, 0x8b, 0x08, 0x00, 0x42]))
        try handle.close()
        try append("http://127.0.0.1/c", to: folder)
        let third = try Data(contentsOf: URL(fileURLWithPath: folder + "/archive.warc.gz"))
        #expect(third.prefix(second.count) == second)
        #expect(third[second.count] == 0x1f && third[second.count + 4] != 0x42)
        #expect(
            try IssueArchiveFile.indexedURLs(folder: folder) == [
                "http://127.0.0.1/a", "http://127.0.0.1/b", "http://127.0.0.1/c",
            ])
    }

    @Test func aWARCShorterThanRecordedOrUnreadableIsLeftAsItIsAndTheCaptureRefused() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append("http://127.0.0.1/a", to: folder)
        let whole = try Data(contentsOf: URL(fileURLWithPath: folder + "/archive.warc.gz"))
        let cut = whole.prefix(whole.count - 10)
        try cut.write(to: URL(fileURLWithPath: folder + "/archive.warc.gz"))
        #expect(throws: IssueArchiveFile.ArchiveError.self) { try append("http://127.0.0.1/b", to: folder) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/archive.warc.gz")) == cut)
        // Not a file that can be opened for reading and writing: never taken for "no WARC yet".
        try FileManager.default.removeItem(atPath: folder + "/archive.warc.gz")
        try FileManager.default.createDirectory(atPath: folder + "/archive.warc.gz", withIntermediateDirectories: false)
        #expect(throws: IssueArchiveFile.ArchiveError.self) { try append("http://127.0.0.1/b", to: folder) }
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder + "/archive.warc.gz", isDirectory: &isFolder))
        #expect(isFolder.boolValue)
        #expect(throws: IssueArchiveFile.ArchiveError.self) { try IssueArchiveFile.carried(from: folder) }
    }
}
