import ArgumentParser
import BriefdCore
import BriefdIO
import Dispatch
@preconcurrency import Glibc
import Synchronization

/// Exits 2 naming the first path that does not exist, before anything is read.
func requireExisting(_ paths: [String]) throws {
    for path in paths where access(path, F_OK) != 0 {
        FileHandleOutput.write("briefd: \(path): no such file or folder\n", to: .standardError)
        throw ExitCode(2)
    }
}

/// Checks `links` for `briefd links` and `briefd check`: exits 2 when the state database cannot be opened,
/// and warns (the results stand) when the link history could not be written in full.
func checkLinks(_ links: [CitedLink], in workspace: Workspace, useCache: Bool, progress: ProgressBar?) throws
    -> [LinkReportFormatter.Entry]
{
    let run = LinkRun(config: workspace.config, registry: workspace.registry)
    let state = workspace.config.paths.state
    let outcome: LinkRun.Outcome
    do {
        outcome = try blocking {
            try await run.check(links, useCache: useCache, version: Briefd.version, progress: progress?.update)
        }
    } catch {
        FileHandleOutput.write("briefd: \(state): \(error)\n", to: .standardError)
        throw ExitCode(2)
    }
    progress?.finish()
    if let problem = outcome.historyProblem {
        FileHandleOutput.write("briefd: warning: link history not fully recorded in \(state): \(problem)\n", to: .standardError)
    }
    return outcome.entries
}

/// Runs async work from the synchronous command on the main thread, which is not one of the
/// concurrency pool's threads, so blocking it here starves nothing.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            let value = try await body()
            outcome.withLock { $0 = .success(value) }
        } catch {
            outcome.withLock { $0 = .failure(error) }
        }
        done.signal()
    }
    done.wait()
    return try outcome.withLock { $0! }.get()
}

