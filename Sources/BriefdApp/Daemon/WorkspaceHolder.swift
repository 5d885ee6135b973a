import BriefdIO
import BriefdCore
public import Foundation
import Synchronization

/// The current workspace (config and registry), replaced as a whole on SIGHUP, and how the last reload went.
public final class WorkspaceHolder: Sendable {
    private let current: Mutex<Workspace>
    private let lastReload = Mutex<(at: Date, outcome: ReloadOutcome)?>(nil)

    /// How a reload ended: applied whole, refused (naming the settings only a restart applies), or failed.
    public enum ReloadOutcome: Sendable, Equatable {
        case applied
        case refused(settings: [String])
        case failed(reason: String)
    }

    public init(_ workspace: Workspace) { current = Mutex(workspace) }
    public var workspace: Workspace { current.withLock { $0 } }
    public func replace(_ workspace: Workspace) { current.withLock { $0 = workspace } }

    /// The last reload's time and outcome, for `/healthz` and the desk; nil when none happened.
    public var reload: (at: Date, outcome: ReloadOutcome)? { lastReload.withLock { $0 } }
    func noteReload(_ outcome: ReloadOutcome) { lastReload.withLock { $0 = (Date(), outcome) } }
}
