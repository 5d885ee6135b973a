public import BriefdIO
public import BriefdCore
import Dispatch
import Synchronization

/// Finds the links cited by Markdown files and checks them, for `briefd links` and `briefd check`.
public struct LinkRun: Sendable {
    public let config: Config
    public let registry: Registry

    public init(config: Config, registry: Registry) {
        self.config = config
        self.registry = registry
    }

    /// The links of every Markdown file under `paths` (drafts or not), merged by URL in path order;
    /// files that cannot be read are returned as refusals.
    public func extract(paths: [String]) -> (links: [CitedLink], refused: [(path: String, reason: String)]) {
        let files = DraftFiles.find(paths)
        let results = Mutex<[Result<[CitedLink], Refusal>?]>(Array(repeating: nil, count: files.count))
        let maxBytes = config.checks.maxDraftBytes
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let (path, root) = files[index]
            let outcome: Result<[CitedLink], Refusal>
            switch DraftFiles.read(path, root: root, maxBytes: maxBytes) {
            case .refused(_, let reason): outcome = .failure(Refusal(path: path, reason: reason.description))
            case .read(_, let bytes): outcome = .success(LinkExtractor.links(path: path, bytes: bytes))
            }
            results.withLock { $0[index] = outcome }
        }
        var lists: [[CitedLink]] = []
        var refused: [(String, String)] = []
        for result in results.withLock({ $0 }) {
            switch result {
            case .success(let links): lists.append(links)
            case .failure(let refusal): refused.append((refusal.path, refusal.reason))
            case nil: break
            }
        }
        return (CitedLink.merging(lists), refused)
    }

    /// The results of a check run, and a problem with the link history if there was one (the results
    /// are good either way; only the record of them is incomplete).
    public struct Outcome: Sendable {
        public var entries: [LinkReportFormatter.Entry]
        public var historyProblem: String?
    }

    /// Checks `links` through the process's link service; `reuse: .inFlight` checks everything again.
    public func check(
        _ links: [CitedLink], service: LinkService, reuse: LinkChecker.Reuse,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async -> Outcome {
        let results = await service.checker.check(links, reuse: reuse, progress: progress)
        let entries = links.compactMap { link in
            results[link.url].map { LinkReportFormatter.Entry(link: link, result: $0) }
        }
        return Outcome(entries: entries, historyProblem: service.checker.storeError.map { "\($0)" })
    }

    struct Refusal: Error {
        var path: String
        var reason: String
    }
}
