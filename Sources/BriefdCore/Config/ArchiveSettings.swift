import Foundation

/// The `archive:` section of `briefd.yml`: the copy of every cited page kept when an issue is published, and the
/// optional submission of each page to Save Page Now. The keys come from environment variables named here,
/// never from the file.
public struct ArchiveSettings: Sendable, Equatable {
    /// Capture the cited pages of each published issue into `archive.warc.gz` beside it.
    public var capture = true
    /// A captured body is cut (and marked truncated) beyond this many bytes.
    public var maxPageBytes = 8 * 1024 * 1024
    /// A capture is tried this many times in all before it is given up.
    public var captureAttempts = 6
    /// The wait after a failed capture, doubling with each try (1, 2, 4, … hours by default).
    public var captureRetrySeconds = 3600
    /// Save Page Now; nil leaves it off.
    public var savePageNow: SavePageNowSettings?

    public init() {}
}

/// Save Page Now (SPN2): where to submit, the environment variables holding the keys, and the pace.
public struct SavePageNowSettings: Sendable, Equatable {
    /// The API's root; `POST <endpoint>/save`, `GET <endpoint>/save/status/<job_id>`.
    public var endpoint = "https://web.archive.org"
    public var accessKeyEnv = "BRIEFD_SPN_ACCESS_KEY"
    public var secretKeyEnv = "BRIEFD_SPN_SECRET_KEY"
    /// Submissions per minute at most, across restarts.
    public var perMinute = 6
    /// No new capture when the archive has one younger than this (`if_not_archived_within`), in seconds.
    public var ifNotArchivedWithinSeconds = 30 * 86_400
    /// The first wait after "later" (a session limit, a 429 without `Retry-After`), doubling with each try.
    public var retryBaseSeconds = 300
    /// How often a submitted job's status is asked.
    public var pollSeconds = 5

    public init() {}

    /// `30d`, `12h`, `45m`, `90s` or a bare number of seconds; nil for anything else.
    public static func seconds(of duration: String) -> Int? {
        let text = duration.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Int] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
        if let last = text.last, let unit = units[last] {
            return Int(text.dropLast()).flatMap { $0 >= 0 ? $0 * unit : nil }
        }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// The value sent as `if_not_archived_within`: the largest whole unit (`30d`, `12h`, `90s`).
    public var ifNotArchivedWithin: String {
        let seconds = ifNotArchivedWithinSeconds
        if seconds > 0 && seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds > 0 && seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        return "\(seconds)s"
    }
}
