public import BriefdCore
public import BriefdIO
import Foundation

/// The preservation of an issue's cited pages as every surface shows it (`briefd archive`, the desk), read from
/// the one queue in the state database; and the foreground work of `briefd archive --wait` and `--capture`.
public struct PreservationReport: Sendable {
    let config: Config
    let state: StateDatabase

    public init(config: Config, state: StateDatabase) {
        self.config = config
        self.state = state
    }

    /// The newest published issue; nil when none is.
    public func latestIssue() async throws -> String? {
        try await IssueStore(state).issues(limit: 1).first?.date
    }

    public func preservation(of issue: String) async throws -> IssuePreservation {
        let store = PreservationStore(state)
        let warc = config.paths.digests + "/" + issue + "/" + IssueArchiveFile.warcName
        return IssuePreservation(
            issue: issue, warc: FileManager.default.fileExists(atPath: warc) ? warc : nil,
            captures: try await store.captures(of: issue), submissions: try await store.submissions(of: issue))
    }

    /// Queues a capture of each item of a published issue that has none (an imported one: no excerpt is known,
    /// so its excerpt check says so); returns how many were queued.
    public func queueCapture(of issue: String) async throws -> Int {
        let store = PreservationStore(state)
        let known = Set(try await store.captures(of: issue).map(\.url))
        let items = try await IssueStore(state).items(of: Day(iso: issue) ?? Day(daysSinceEpoch: 0))
        let links = items.map { (url: $0.url, excerpt: "") }
        try await store.enqueue(
            issue: issue, links: links, savePageNow: config.archive.savePageNow != nil,
            now: Date().timeIntervalSince1970)
        return Set(links.map(\.url)).subtracting(known).count
    }

    /// Every capture and submission of `issue` has reached its end (a Save Page Now success counts once made:
    /// its snapshot check a day later does not hold anyone up).
    public func isFinal(_ issue: String) async throws -> Bool {
        let store = PreservationStore(state)
        let captures = try await store.captures(of: issue)
        let submissions = try await store.submissions(of: issue)
        return captures.allSatisfy { $0.state != .pending }
            && submissions.allSatisfy { $0.state == .success || $0.state == .error }
    }

    /// When the next step for `issue` is due; nil when none waits.
    public func nextStep(of issue: String) async throws -> Double? {
        let store = PreservationStore(state)
        let captures = try await store.captures(of: issue).filter { $0.state == .pending }.map(\.nextTry)
        let submissions = try await store.submissions(of: issue)
            .filter { $0.state == .queued || $0.state == .pending }.map(\.nextTry)
        return (captures + submissions).min()
    }

    /// Works the queue of `issue` in the foreground (no daemon runs) until every step is final, or until the next
    /// one is further away than `patience` seconds; returns the steps still waiting, if any, as a sentence.
    public func work(
        _ issue: String, links: LinkService?, environment: [String: String], patience: Double,
        progress: @Sendable (String) -> Void
    ) async throws -> String? {
        while try await !isFinal(issue) {
            guard let next = try await nextStep(of: issue) else { return nil }
            let now = Date().timeIntervalSince1970
            if next - now > patience {
                return
                    "the next step is due at \(JSONText.timestamp(next)); the daemon (or a later 'briefd archive --wait') will take it"
            }
            if next > now {
                try await Task.sleep(for: .milliseconds(Int((next - now) * 1000) + 50))
                continue
            }
            if let links {
                let captured = try await CaptureRun(config: config, state: state, links: links).work(
                    now: Date().timeIntervalSince1970, issue: issue)
                if captured.captured + captured.retrying + captured.failed > 0 {
                    progress(
                        "captured \(captured.captured), to retry \(captured.retrying), given up \(captured.failed)")
                }
                if let reason = captured.unwritten[issue] { return reason }
                if let queue = SavePageNowRun(config: config, state: state, links: links, environment: environment) {
                    let outcome = try await queue.work(now: Date().timeIntervalSince1970)
                    if outcome.submitted + outcome.polled > 0 {
                        progress("Save Page Now: submitted \(outcome.submitted), polled \(outcome.polled)")
                    }
                } else if config.archive.savePageNow != nil {
                    let missing = SavePageNowRun.missingKeys(config, environment: environment)
                    return "Save Page Now's keys are not set (\(missing.joined(separator: ", ")))"
                }
            } else {
                try await Task.sleep(for: .seconds(1))  // The daemon works the queue; this only watches.
            }
        }
        return nil
    }
}
