public import BriefdCore
public import BriefdIO
import Foundation

/// Works the Save Page Now queue: submits each cited page once per issue, at most `per_minute` a minute (counted
/// across restarts: the last submission's time is in the state database), polls each job until it is final,
/// holds the whole queue when the service says "later" (a session or daily limit, a 429), and a day after a
/// snapshot was made fetches it once to see whether the excerpt is there too.
public struct SavePageNowRun: Sendable {
    let settings: SavePageNowSettings
    let store: PreservationStore
    let client: SavePageNowClient
    let pages: PageFetcher
    /// How long after a snapshot is made it is checked (a day; the tests shorten it).
    let snapshotCheckDelay: Double

    /// nil when Save Page Now is not configured or its keys are missing (`missingKeys` says which).
    public init?(
        config: Config, state: StateDatabase, links: LinkService, environment: [String: String],
        snapshotCheckDelay: Double = 86_400
    ) {
        guard let settings = config.archive.savePageNow,
            let client = SavePageNowClient(client: links.client, settings: settings, environment: environment)
        else { return nil }
        self.settings = settings
        self.client = client
        store = PreservationStore(state)
        pages = links.pages
        self.snapshotCheckDelay = snapshotCheckDelay
    }

    /// The environment variables Save Page Now needs that are unset: for the log line that says why it is off.
    public static func missingKeys(_ config: Config, environment: [String: String]) -> [String] {
        guard let settings = config.archive.savePageNow else { return [] }
        return [settings.accessKeyEnv, settings.secretKeyEnv].filter { (environment[$0] ?? "").isEmpty }
    }

    public struct Outcome: Sendable, Equatable {
        public var submitted = 0
        public var polled = 0
        public var snapshotsChecked = 0
        /// Why the queue waits, when the service asked it to (`error:user-session-limit` until …).
        public var held: String?
    }

    /// The earliest moment a queued page may be submitted: after the pace's spacing and any hold.
    public func nextSubmissionAllowed() async throws -> Double {
        let pace = try await store.pace()
        return max((pace.lastSubmission ?? 0) + 60 / Double(settings.perMinute), pace.holdUntil ?? 0)
    }

    /// One pass over what is due at `now`.
    public func work(now: Double) async throws -> Outcome {
        var outcome = Outcome()
        var pace = try await store.pace()
        let spacing = 60 / Double(settings.perMinute)
        for var submission in try await store.dueSubmissions(now: now) {
            let clock = Date().timeIntervalSince1970
            switch submission.state {
            case .queued:
                if let until = pace.holdUntil, until > clock {
                    outcome.held = "\(pace.holdReason ?? "held") until \(JSONText.timestamp(until))"
                    continue
                }
                if let last = pace.lastSubmission, clock < last + spacing { continue }  // Its turn comes next pass.
                // Recorded before sending: a crash right after cannot make the next start submit at once again.
                try await store.recordSubmission(at: clock)
                pace.lastSubmission = clock
                submission.attempts += 1
                outcome.submitted += 1
                let answer = await client.submit(submission.url)
                // Then the spacing counts from when the answer came, which is after the request went out: counted from
                // the recorded intent, a first request that left late (a loaded machine, a slow write) and a second on
                // time reached the service less than the spacing apart.
                let answered = Date().timeIntervalSince1970
                try await store.recordSubmission(at: answered)
                pace.lastSubmission = answered
                try await apply(answer, to: &submission, pace: &pace, now: clock)
            case .pending:
                outcome.polled += 1
                let answer = await client.status(of: submission.jobID ?? "")
                try await apply(answer, to: &submission, pace: &pace, now: clock)
            case .success:
                outcome.snapshotsChecked += 1
                await checkSnapshot(&submission, now: clock)
            case .error:
                continue
            }
            try await store.save(submission)
        }
        return outcome
    }

    private func apply(
        _ answer: SavePageNowAnswer, to submission: inout SavePageNowSubmission, pace: inout PreservationStore.Pace,
        now: Double
    ) async throws {
        switch answer {
        case .accepted(let jobID):
            submission.state = .pending
            submission.jobID = jobID
            submission.submittedAt = now
            submission.statusExt = nil
            submission.message = nil
            submission.nextTry = now + Double(settings.pollSeconds)
        case .pending:
            // A job that never ends is given up after an hour; the service's own jobs end within minutes.
            if let submitted = submission.submittedAt, now - submitted > 3600 {
                submission.state = .error
                submission.statusExt = "error:job-never-finished"
                submission.message = "the job stayed pending for over an hour"
            } else {
                submission.nextTry = now + Double(settings.pollSeconds)
            }
        case .success(let timestamp, let originalURL):
            submission.state = .success
            // The service's `original_url` is outside input: taken only when it is a web address on one line (it
            // may differ from ours after a redirect), else the address submitted.
            let captured = originalURL.flatMap { url in
                WebAddress(url)?.isHTTP == true && !url.contains(where: \.isWhitespace) ? url : nil
            }
            submission.snapshot =
                client.snapshotAddresses(timestamp: timestamp, originalURL: captured ?? submission.url).replay
            submission.statusExt = nil
            submission.nextTry = now + snapshotCheckDelay
        case .later(let statusExt, let message, let retryAfter):
            let wait = SavePageNowAnswer.hold(
                for: statusExt, retryAfter: retryAfter, attempts: submission.attempts,
                base: Double(settings.retryBaseSeconds))
            // A job that failed for a transient reason is submitted again; a limit on submitting holds the queue.
            submission.state = .queued
            submission.jobID = nil
            submission.statusExt = statusExt
            submission.message = message
            submission.nextTry = now + wait
            if SavePageNowAnswer.holdsQueue(statusExt) {
                try await store.hold(until: now + wait, reason: statusExt)
                pace.holdUntil = now + wait
                pace.holdReason = statusExt
            }
        case .failed(let statusExt, let message):
            submission.state = .error
            submission.statusExt = statusExt
            submission.message = message
        }
    }

    /// Fetches the snapshot as captured (`id_`, without the archive's banner) and looks for the excerpt.
    private func checkSnapshot(_ submission: inout SavePageNowSubmission, now: Double) async {
        submission.snapshotCheckedAt = now
        guard let replay = submission.snapshot,
            let parts = SavePageNowRun.timestampAndURL(ofReplay: replay, endpoint: settings.endpoint)
        else {
            submission.snapshotReason = "the snapshot's address is not one briefd can read"
            return
        }
        let original = client.snapshotAddresses(timestamp: parts.timestamp, originalURL: parts.url).original
        guard let snapshot = await pages.fetch(original) else {
            submission.snapshotCheckedAt = nil  // Shutting down: checked next time.
            return
        }
        guard let text = snapshot.text else {
            submission.snapshotReason = snapshot.problem ?? "the snapshot has no readable text"
            return
        }
        if submission.excerpt.isEmpty {
            submission.snapshotReason = "the issue's record has no excerpt to look for"
            return
        }
        submission.snapshotExcerptFound = CaptureVerdict.contains(excerpt: submission.excerpt, in: text)
        if submission.snapshotExcerptFound == false { submission.snapshotReason = "the excerpt is not in the snapshot" }
    }

    /// `<endpoint>/web/<timestamp>/<url>` taken apart.
    static func timestampAndURL(ofReplay replay: String, endpoint: String) -> (timestamp: String, url: String)? {
        let prefix = endpoint + "/web/"
        guard replay.hasPrefix(prefix) else { return nil }
        let rest = replay.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let timestamp = String(rest[..<slash])
        guard timestamp.count == 14, timestamp.allSatisfy(\.isNumber) else { return nil }
        return (timestamp, String(rest[rest.index(after: slash)...]))
    }
}
