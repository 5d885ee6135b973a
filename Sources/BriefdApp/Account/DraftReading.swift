import BriefdCore
import BriefdIO
import Dispatch
import Metrics
import Synchronization

/// Threads of the ledger's own for blocking work its actor need not wait for: a review's reading and parsing of its
/// draft (the concurrency pool's threads stay free for the desk and the services meanwhile). A scan's and an event's
/// checks stay on the actor: off it, every burst measured slower on two cores (see `DraftLedger.scanAll`).
final class BlockingWorkers: Sendable {
    private let queues: [DispatchQueue]
    private let next = Atomic<Int>(0)

    /// How many pieces of work run at once.
    var count: Int { queues.count }

    init(label: String, count: Int) {
        queues = (0..<max(1, count)).map { DispatchQueue(label: "\(label).\($0)") }
    }

    /// `work` on one of the threads (in turn), awaited without holding a thread of the concurrency pool.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        let queue = queues[next.wrappingAdd(1, ordering: .relaxed).oldValue % queues.count]
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}

/// A draft read and checked: the one way the ledger does it, on its actor or (for a review) on a worker.
enum DraftReading: Sendable {
    /// Not read (too large, not a regular file, …), with the reason.
    case refused(String)
    /// The content is `knownHash`, the one already checked (touched, or copied back).
    case unchanged
    case checked(hash: String, draft: Draft?, findings: [Finding])

    static func read(_ path: String, root: String, maxBytes: Int, checker: DraftChecker, knownHash: String?)
        -> DraftReading
    {
        switch DraftFiles.read(path, root: root, maxBytes: maxBytes) {
        case .refused(_, let reason): return .refused(reason.description)
        case .read(_, let bytes):
            let hash = ContentHash.sha256Hex(bytes)
            if hash == knownHash { return .unchanged }
            let began = DispatchTime.now()
            let (draft, report) = checker.check(path: path, bytes: bytes)
            Timer(label: "briefd_draft_check_seconds").recordInterval(since: began)
            Counter(label: "briefd_drafts_checked_total").increment()
            return .checked(hash: hash, draft: draft, findings: report.findings)
        }
    }

    /// The draft for a review, when the file still holds `hash` (else a newer review follows).
    static func draft(_ path: String, root: String, maxBytes: Int, checker: DraftChecker, hash: String) -> Draft? {
        guard case .read(_, let bytes) = DraftFiles.read(path, root: root, maxBytes: maxBytes),
            ContentHash.sha256Hex(bytes) == hash
        else { return nil }
        return checker.check(path: path, bytes: bytes).draft
    }
}
