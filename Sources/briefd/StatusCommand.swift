import ArgumentParser
import BriefdCore
import BriefdIO
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What the daemon is doing: whether it runs, drafts by status, the next and the last build."
    )

    @OptionGroup var options: ConfigOption

    func run() throws {
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        guard FileManager.default.fileExists(atPath: config.paths.state) else {
            FileHandleOutput.write("briefd is not running and has not run here yet (no \(config.paths.state))\n")
            return
        }
        // The lock says whether a daemon runs; a lock file this user cannot open (an editor asking about the
        // service's state) says nothing either way, and is said so rather than guessed.
        let daemon: String
        do {
            _ = try InstanceLock(statePath: config.paths.state)
            daemon = "not running"
        } catch .held {
            daemon = "running"
        } catch {
            daemon = "unknown (\(error))"
        }
        let store = DaemonStore(try openState(config))
        var out = "daemon: \(daemon)\n"
        do {
            let drafts = try store.drafts()
            let ready = drafts.values.count { $0.status == .ready }
            let unreadable = drafts.values.count { $0.status == .unreadable }
            let checking = drafts.values.count { $0.status == .checking }
            out += "drafts: \(drafts.count) (\(ready) ready, \(drafts.count - ready - unreadable - checking) need work, "
            out += "\(checking) checking, \(unreadable) unreadable)"
        } catch {
            out += "drafts: cannot be read from \(config.paths.state) (\(error))"
        }
        out += " in \(config.paths.drafts); reports in \(config.paths.reports)\n"
        out += "schedule: \(config.daemon.build)\n"
        if let next = BuildScheduler.nextDue(config, store: store) { out += "next build: \(next)\n" }
        do {
            if let last = try store.lastBuild() {
                out += "last build: issue \(last.issueDate), \(last.outcome), finished \(Date(timeIntervalSince1970: last.finishedAt))\n"
            } else {
                out += "last build: none yet\n"
            }
        } catch {
            out += "last build: cannot be read (\(error))\n"
        }
        FileHandleOutput.write(out)
    }
}
