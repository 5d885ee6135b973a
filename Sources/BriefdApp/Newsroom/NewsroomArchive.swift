public import BriefdCore
import BriefdIO
import Foundation

/// Preservation as the desk shows it: an issue's own copy of a cited page, and each issue's preservation table.
extension Newsroom {
    /// The good copy of item `number` (1-based) of the issue of `date`; nil when there is none.
    public func capture(of date: Day, item number: Int) async throws -> PageCapture? {
        guard number >= 1, number <= 100_000 else { return nil }
        return try await PreservationStore(state).captures(of: date.description).first {
            $0.position == number - 1 && $0.isGoodCopy
        }
    }

    /// The captured page itself, from the issue's WARC.
    public struct CapturedPage: Sendable {
        public var body: [UInt8]
        public var mediaType: String
        /// As the captured page declared it (outside input: the desk checks it looks like a charset's name).
        public var charset: String?
    }

    public func capturedPage(_ capture: PageCapture) throws -> CapturedPage? {
        try IssueArchiveFile.copy(
            of: capture.finalURL ?? capture.url, folder: config.paths.digests + "/" + capture.issueDate,
            maxBytes: config.archive.maxPageBytes
        ).map { CapturedPage(body: $0.body, mediaType: $0.mediaType, charset: $0.charset) }
    }

    /// The issue's preservation, as `briefd archive --format json` has it.
    public func preservation(of date: Day) async throws -> IssuePreservation {
        try await PreservationReport(config: config, state: state).preservation(of: date.description)
    }
}
