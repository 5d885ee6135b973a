import Foundation

/// Runs blocking work (a process run to its end, a poll with `usleep`) on a dispatch thread and waits for it without
/// holding a thread of the concurrency pool: on two cores the pool has two threads, and suites that block both for
/// tens of seconds starve every async test of the run (a doorbell's ring took 25 s to be heard).
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

extension Briefd {
    /// `Briefd.python`, waited for off the concurrency pool.
    static func pythonAsync(_ program: String) async throws -> Int32 {
        try await offThePool { try Briefd.python(program) }
    }
}
