import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
@preconcurrency import Glibc

/// Exits 2 naming the first path that does not exist, before anything is read.
func requireExisting(_ paths: [String]) throws {
    for path in paths where access(path, F_OK) != 0 {
        FileHandleOutput.write("briefd: \(path): no such file or folder\n", to: .standardError)
        throw ExitCode(2)
    }
}

/// Opens the state database once for the command (one pool per process), or exits 2 naming it.
func openState(_ config: Config) throws -> StateDatabase {
    do {
        return try StateDatabase(path: config.paths.state)
    } catch {
        FileHandleOutput.write("briefd: \(config.paths.state): \(error)\n", to: .standardError)
        throw ExitCode(2)
    }
}

/// Fills in the build times an upgraded workspace lacks (`BuildTimes`); a failure is a warning, not the command's.
func recordMissingBuildTimes(_ config: Config, state: StateDatabase) async {
    do {
        try await BuildTimes.recordMissing(config: config, state: state)
    } catch {
        FileHandleOutput.write(
            "briefd: warning: the build times of older issues could not be recorded: \(error)\n", to: .standardError)
    }
}

/// The command's one link service, shut down when `body` is done.
func withLinkService<T: Sendable>(
    _ workspace: Workspace, state: StateDatabase, _ body: (LinkService) async throws -> T
) async throws -> T {
    let service = LinkService(
        settings: workspace.config.links, registry: workspace.registry, state: state, version: Briefd.version)
    do {
        let value = try await body(service)
        await service.shutdown()
        return value
    } catch {
        await service.shutdown()
        throw error
    }
}

/// Warns (the results stand) when the link history could not be written in full.
func warnAboutHistory(_ problem: String?, state: String) {
    guard let problem else { return }
    FileHandleOutput.write(
        "briefd: warning: link history not fully recorded in \(state): \(problem)\n", to: .standardError)
}

/// `--format`: text for people, JSON for tools.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// Whether a daemon holds the state database now (its account is then the one to read), asked without taking the
/// daemon's lock. When the system cannot say, that is said, and the command goes on as if no daemon ran (it computes
/// the account from the files, which is slower but not wrong).
func daemonRuns(_ config: Config) -> Bool {
    do {
        return try InstanceLock.isHeld(statePath: config.paths.state)
    } catch {
        FileHandleOutput.write(
            "briefd: warning: cannot tell whether the daemon runs: \(error); going on without its account\n",
            to: .standardError)
        return false
    }
}
