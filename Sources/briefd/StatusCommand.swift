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
        let running: Bool
        do {
            _ = try InstanceLock(statePath: config.paths.state)
            running = false
        } catch {
            running = true
        }
        let store = DaemonStore(try openState(config))
        let drafts = (try? store.drafts()) ?? [:]
        let ready = drafts.values.count { $0.status == .ready }
        let unreadable = drafts.values.count { $0.status == .unreadable }
        let checking = drafts.values.count { $0.status == .checking }
        var out = "daemon: \(running ? "running" : "not running")\n"
        out += "drafts: \(drafts.count) (\(ready) ready, \(drafts.count - ready - unreadable - checking) need work, "
        out += "\(checking) checking, \(unreadable) unreadable)"
        out += " in \(config.paths.drafts); reports in \(config.paths.reports)\n"
        out += "schedule: \(config.daemon.build)\n"
        if let next = BuildScheduler.nextDue(config, store: store) { out += "next build: \(next)\n" }
        if let last = try? store.lastBuild() {
            out += "last build: issue \(last.issueDate), \(last.outcome), finished \(Date(timeIntervalSince1970: last.finishedAt))\n"
        } else {
            out += "last build: none yet\n"
        }
        FileHandleOutput.write(out)
    }
}
