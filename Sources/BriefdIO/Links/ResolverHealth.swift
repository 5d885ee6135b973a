import Foundation
@preconcurrency import Glibc
import Synchronization

/// Whether host names resolve here at all. A link whose host name does not resolve is broken only when other
/// names do; when none does (no network, a dead resolver), the link is `unverified`, and the daemon checks it
/// again once names resolve.
///
/// - Important: the answer is kept for `freshSeconds`, so that a thousand links failing at once ask the resolver
///   a handful of times, not a thousand.
public final class ResolverHealth: Sendable {
    private let probes: [String]
    private let last = Mutex<(at: Double, resolves: Bool)?>(nil)
    static let freshSeconds = 30.0

    /// - Parameter probes: host names that exist wherever DNS works (`links.resolver_probes`).
    public init(probes: [String]) { self.probes = probes }

    /// True when at least one probe name resolves. `fresh` asks the resolver now instead of using a recent answer.
    public func namesResolve(fresh: Bool = false) async -> Bool {
        let now = Date().timeIntervalSince1970
        if !fresh, let known = last.withLock({ $0 }), now - known.at < Self.freshSeconds { return known.resolves }
        let probes = self.probes
        // getaddrinfo blocks (for seconds when no resolver answers): never on the concurrency pool's threads.
        let resolves = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: probes.contains(where: ResolverHealth.resolves))
            }
        }
        last.withLock { $0 = (Date().timeIntervalSince1970, resolves) }
        return resolves
    }

    static func resolves(_ name: String) -> Bool {
        var hints = addrinfo()
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &found)
        if let found { freeaddrinfo(found) }
        return status == 0
    }
}
