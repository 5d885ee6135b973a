/// How a published link is doing, from its check history: the discipline of Wikipedia's InternetArchiveBot —
/// a link is declared dead only after several failed checks spread over time, and one live answer resets it.
public enum LinkState: String, Sendable, Codable {
    /// Answering (or never failed).
    case alive
    /// Failing, but not yet for long enough or often enough to be called dead.
    case suspect
    case dead
}

/// The thresholds of `rot:` in the config.
public struct RotPolicy: Sendable, Equatable {
    /// How often each published link is checked again, spread over the interval.
    public var recheckHours = 72
    public var deadAfterFailures = 3
    /// The failures must span at least this long.
    public var deadAfterHours = 72
    /// The Wayback Machine (or a stand-in for tests).
    public var archiveBaseURL = "https://web.archive.org"

    public init() {}
}

/// One check in a link's history, as the rot monitor weighs it.
public struct HealthCheck: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A live answer (ok, redirected, paywalled).
        case live
        /// broken, soft-404 or timeout.
        case failure
        /// The whole host failed in that pass (the site is down): not held against the link alone.
        case hostOutage
        /// blocked, skipped, blocked-address: says nothing either way.
        case neutral
    }

    public var at: Double
    public var kind: Kind
    public var status: Int?
    public var verdict: LinkVerdict

    public init(at: Double, kind: Kind, status: Int?, verdict: LinkVerdict) {
        self.at = at
        self.kind = kind
        self.status = status
        self.verdict = verdict
    }

    /// The verdicts of a live answer: a link's health is weighed from its last one on (`evaluate` starts again there).
    public static let liveVerdicts = LinkVerdict.allCases.filter { kind(of: $0) == .live }

    public static func kind(of verdict: LinkVerdict) -> Kind {
        switch verdict {
        case .ok, .redirected, .paywalled: return .live
        case .broken, .soft404, .timeout: return .failure
        case .blocked, .skipped, .blockedAddress, .unverified: return .neutral
        }
    }
}

/// A link's state and the facts behind it.
public struct LinkHealth: Sendable, Equatable {
    public var state: LinkState
    /// Failures since the last live answer (host outages included once they count).
    public var failures: Int
    public var firstFailure: Double?
    public var lastCheck: Double?
    public var lastStatus: Int?
    public var lastVerdict: LinkVerdict?

    /// The state that `history` (oldest first) leads to under `policy`.
    ///
    /// Failures during a host outage count only once the outage itself has lasted the thresholds: a site that is
    /// down for an afternoon does not kill all its links, a site that stays down does.
    public static func evaluate(_ history: [HealthCheck], policy: RotPolicy) -> LinkHealth {
        var health = LinkHealth(
            state: .alive, failures: 0, firstFailure: nil, lastCheck: nil, lastStatus: nil, lastVerdict: nil)
        var outageFailures: [Double] = []
        for check in history {
            health.lastCheck = check.at
            health.lastStatus = check.status
            health.lastVerdict = check.verdict
            switch check.kind {
            case .live:
                health.failures = 0
                health.firstFailure = nil
                outageFailures = []
            case .failure:
                health.failures += 1
                if health.firstFailure == nil { health.firstFailure = outageFailures.first ?? check.at }
                health.failures += outageFailures.count
                outageFailures = []
            case .hostOutage:
                outageFailures.append(check.at)
                if let first = outageFailures.first, outageFailures.count >= policy.deadAfterFailures,
                    check.at - first >= Double(policy.deadAfterHours) * 3600
                {
                    // The outage has lasted long enough to count for every link of the host.
                    if health.firstFailure == nil { health.firstFailure = first }
                    health.failures += outageFailures.count
                    outageFailures = []
                }
            case .neutral:
                continue
            }
        }
        if health.failures == 0 {
            health.state = outageFailures.isEmpty ? .alive : .suspect
        } else if let first = health.firstFailure, let last = health.lastCheck,
            health.failures >= policy.deadAfterFailures,
            last - first >= Double(policy.deadAfterHours) * 3600
        {
            health.state = .dead
        } else {
            health.state = .suspect
        }
        return health
    }
}
