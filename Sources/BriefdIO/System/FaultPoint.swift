import Foundation
@preconcurrency import Glibc

/// The named steps between the effects of publishing and handing off, where the fault tests stop a real process to
/// kill it (`BRIEFD_STOP_AT=after-rename` makes the process stop itself there with SIGSTOP; the test then sends
/// SIGKILL, as a power cut or the OOM killer would). Unset, as in every deployment, it does nothing.
public enum FaultPoint: String, Sendable {
    /// Every output of the issue rendered, nothing written.
    case afterRender = "after-render"
    /// The folder in place, not yet recorded in the state database.
    case afterRename = "after-rename"
    /// The issue recorded, the archive page and feeds not yet rewritten.
    case afterRecord = "after-record"
    /// The mailing service made the campaign; briefd has not recorded it.
    case afterCreate = "after-create"
    /// Asking whether the daemon runs, its lock file open.
    case whileAsking = "while-asking"

    private static let chosen = ProcessInfo.processInfo.environment["BRIEFD_STOP_AT"].flatMap(FaultPoint.init)

    /// Stops the process here when the tests asked for this step.
    public func reached() {
        guard FaultPoint.chosen == self else { return }
        FileHandle.standardError.write(Data("briefd: stopped at \(rawValue)\n".utf8))
        raise(SIGSTOP)
    }
}
