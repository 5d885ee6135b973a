public import BriefdCore
public import BriefdIO
import Foundation

/// Captures the cited pages of published issues whose turn has come: each page fetched once through the link
/// service (its politeness, address rule and user agent), every answer on the way kept in the issue's
/// `archive.warc.gz`, and the final one judged (is it a good copy, is the excerpt in it). A page that could not be
/// fetched is tried again later, hours apart; the build never waits or fails for it.
public struct CaptureRun: Sendable {
    let config: Config
    let store: PreservationStore
    let pages: PageFetcher
    let software: String

    public init(config: Config, state: StateDatabase, links: LinkService) {
        self.config = config
        store = PreservationStore(state)
        pages = links.pages
        software = links.client.userAgent
    }

    public struct Outcome: Sendable, Equatable {
        public var captured = 0
        /// Tried and to be tried again later.
        public var retrying = 0
        /// Given up after every attempt.
        public var failed = 0
        /// Issues whose archive could not be written, with the reason (their pages stay pending).
        public var unwritten: [String: String] = [:]

        public init() {}
    }

    /// Works the captures due at `now` (of `issue` only, when given).
    public func work(now: Double, issue: String? = nil) async throws -> Outcome {
        var due = try await store.dueCaptures(now: now)
        if let issue { due = due.filter { $0.issueDate == issue } }
        var outcome = Outcome()
        for (date, captures) in Dictionary(grouping: due, by: \.issueDate).sorted(by: { $0.key < $1.key }) {
            let folder = config.paths.digests + "/" + date
            guard FileManager.default.fileExists(atPath: folder + "/index.html") else {
                outcome.unwritten[date] = "the issue's folder \(folder) is missing"
                continue
            }
            var members: [WARCWriter.Member] = []
            var results: [PageCapture] = []
            await withTaskGroup(of: (PageCapture, [WARCWriter.Member])?.self) { group in
                var next = captures.makeIterator()
                func startNext() {
                    guard let capture = next.next() else { return }
                    group.addTask { await self.capture(capture, now: now) }
                }
                // At most 16 pages at once: each may hold up to archive.max_page_bytes until the WARC is written
                // (the client's per-host limits still apply within that).
                for _ in 0..<min(max(1, config.links.maxConcurrency), 16) { startNext() }
                while let result = await group.next() {
                    if let (capture, kept) = result {
                        results.append(capture)
                        members += kept
                    }
                    startNext()
                }
            }
            do {
                try IssueArchiveFile.append(
                    members, folder: folder, issue: date, newsletter: config.newsletter.name, software: software,
                    now: now)
            } catch {
                // Nothing recorded as captured that is not in the file: the pages stay pending.
                outcome.unwritten[date] = "\(folder)/\(IssueArchiveFile.warcName): \(error)"
                continue
            }
            try await store.save(results)
            for result in results {
                switch result.state {
                case .captured: outcome.captured += 1
                case .pending: outcome.retrying += 1
                case .failed: outcome.failed += 1
                }
            }
        }
        return outcome
    }

    /// Captures the database calls done but whose records are not in their issue's index (the folder was replaced
    /// while they were written, or the files were removed) are queued again: what `briefd archive` says captured is
    /// always in the WARC. Returns how many were queued again.
    public func reconcile(now: Double) async throws -> Int {
        var queued: [PageCapture] = []
        for issue in try await store.issuesWithCaptures() {
            let folder = config.paths.digests + "/" + issue
            guard FileManager.default.fileExists(atPath: folder + "/index.html") else { continue }
            let indexed = try IssueArchiveFile.indexedURLs(folder: folder)
            for capture in try await store.captures(of: issue) where capture.state == .captured {
                guard !indexed.contains(capture.finalURL ?? capture.url) else { continue }
                var again = capture
                again.state = .pending
                again.attempts = 0
                again.nextTry = now
                again.verdict = CaptureVerdict(
                    good: false, excerptFound: nil,
                    reason: "the capture is missing from the issue's WARC; capturing again")
                queued.append(again)
            }
        }
        if !queued.isEmpty { try await store.save(queued) }
        return queued.count
    }

    /// One page: its records and its new state; nil when the process is shutting down (it stays pending).
    private func capture(_ capture: PageCapture, now: Double) async -> (PageCapture, [WARCWriter.Member])? {
        let settings = config.archive
        var result = capture
        result.attempts += 1
        let lastAttempt = result.attempts >= settings.captureAttempts
        let (hops, answer) = await pages.capture(capture.url, maxBodyBytes: settings.maxPageBytes)
        func retryOrGiveUp(_ reason: String) -> (PageCapture, [WARCWriter.Member]) {
            result.verdict = CaptureVerdict(good: false, excerptFound: nil, reason: reason)
            result.state = lastAttempt ? .failed : .pending
            result.nextTry =
                now + Double(settings.captureRetrySeconds) * pow(2, Double(result.attempts - 1))
            return (result, [])
        }
        if case .shutDown = answer { return nil }
        // A server in trouble (429, 5xx) or no answer at all: tried again later; the last attempt keeps what came.
        if case .answer(_, let response) = answer, response.status == 429 || response.status >= 500, !lastAttempt {
            return retryOrGiveUp("the page answered \(response.status); trying again later")
        }
        if hops.isEmpty, case .unavailable(let problem, _, _) = answer { return retryOrGiveUp(problem) }
        var members: [WARCWriter.Member] = []
        do {
            for hop in hops {
                members += try WARCWriter.exchange(url: hop.url, response: hop.response, at: now, warcinfoID: nil)
            }
        } catch {
            return retryOrGiveUp(error.description)
        }
        result.state = .captured
        result.capturedAt = now
        switch answer {
        case .answer(let finalURL, let response):
            result.finalURL = finalURL
            result.status = response.status
            result.verdict = judge(response, excerpt: capture.excerpt)
        case .unavailable(let problem, let status, _):
            result.status = status
            result.verdict = CaptureVerdict(good: false, excerptFound: nil, reason: problem)
        case .shutDown:
            return nil
        }
        return (result, members)
    }

    private func judge(_ response: HTTPResponse, excerpt: String) -> CaptureVerdict {
        let header = response.wire?.responseHeader ?? []
        let body = CapturedBody.decode(response.body, header: header, limit: config.archive.maxPageBytes)
        let (mediaType, charset) = PageFetcher.contentType(of: response)
        var verdict = CaptureVerdict.judge(
            status: response.status, mediaType: mediaType, charset: charset, body: body,
            truncated: response.wire?.truncated ?? false, excerpt: excerpt,
            challenged: response.headers["cf-mitigated"] != nil)
        if excerpt.isEmpty && verdict.excerptFound == false {
            verdict.excerptFound = nil
            verdict.reason = "the issue's record has no excerpt to look for (an imported issue)"
        }
        return verdict
    }
}

/// The cited pages of an issue as captures queue them: each item's address with its excerpt as plain text.
public enum CitedPages {
    public static func of(_ issue: DigestIssue) -> [(url: String, excerpt: String)] {
        var links: [(url: String, excerpt: String)] = []
        var seen = Set<String>()
        func add(_ item: DigestItem) {
            guard seen.insert(item.url).inserted else { return }
            links.append((item.url, item.excerptText))
        }
        if let featured = issue.featured { add(featured) }
        for section in issue.sections { section.items.forEach(add) }
        if let sponsor = issue.sponsor { add(sponsor) }
        return links
    }
}
