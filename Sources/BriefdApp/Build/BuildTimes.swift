public import BriefdCore
public import BriefdIO
import Foundation

/// The build times an upgrade lacks: issues built by a version of briefd that did not record when they were built
/// get the time from their build's record or their folder (`build.json`'s modification time), once, so that
/// `status`, `briefd issues` and the desk know them as built rather than as imported or never built.
public enum BuildTimes {
    /// Fills in what is missing; a failure is the caller's to say (the surfaces still work without it).
    @discardableResult
    public static func recordMissing(config: Config, state: StateDatabase) async throws -> Int {
        let digests = config.paths.digests
        return try await IssueStore(state).recordMissingBuildTimes { date in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: "\(digests)/\(date)/build.json"),
                let modified = attributes[.modificationDate] as? Date
            else { return nil }  // no folder either: the issue stays without a time, as before
            return modified.timeIntervalSince1970
        }
    }
}
