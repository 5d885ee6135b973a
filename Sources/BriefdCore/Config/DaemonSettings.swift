public import Foundation

/// The `schedule:` and `watch:` sections of `briefd.yml`: when `briefd run` builds issues, and how it watches
/// the drafts folder.
public struct DaemonSettings: Sendable {
    /// When issues are built: Wednesday 18:00 for a Thursday issue, in `timeZone`.
    public var build: CronSchedule
    /// How long a draft must be quiet after a write before it is checked (editors save in bursts).
    public var settleMilliseconds = 30
    /// How often the whole folder is compared with the state database, in case a change was missed.
    public var rescanMinutes = 10
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel = "info"

    public static let defaultBuild = "0 18 * * WED"

    public init(timeZone: TimeZone = .current) {
        // The default expression is known to parse.
        build = try! CronSchedule(DaemonSettings.defaultBuild, timeZone: timeZone)
    }
}
