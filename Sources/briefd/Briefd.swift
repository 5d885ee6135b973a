import ArgumentParser
@preconcurrency import Glibc
import SystemPackage

/// `briefd`: the editorial workflow daemon for a weekly news digest, and its one-shot commands.
@main
struct Briefd: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "briefd",
        abstract: "Checks news-digest drafts, builds the digest, and watches its links: briefd, the editorial daemon.",
        version: version,
        subcommands: [
            CheckCommand.self, LinksCommand.self, BuildCommand.self, RunCommand.self, StatusCommand.self,
            IssuesCommand.self, SnapshotCommand.self, ClipCommand.self, ImportCommand.self, RotCommand.self,
            ConfigCommand.self, ArchiveCommand.self, SendCommand.self, BenchQuotesCommand.self,
            BenchCaptureCommand.self, LSPCommand.self,
        ]
    )

    /// Exit codes are part of the interface: 0 clean, 1 findings or failures, 2 usage or config problems.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            let exitCode = self.exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                FileHandleOutput.write(message + "\n", to: exitCode == .success ? .standardOutput : .standardError)
            }
            Glibc.exit(exitCode == .success ? 0 : 2)
        }
    }
}

/// Writes to stdout or stderr without Foundation's buffering surprises.
enum FileHandleOutput {
    enum Stream { case standardOutput, standardError }

    static func write(_ text: String, to stream: Stream = .standardOutput) {
        let descriptor: FileDescriptor = stream == .standardOutput ? .standardOutput : .standardError
        // A closed pipe (`briefd check | head`) is not an error worth reporting anywhere.
        _ = try? descriptor.writeAll(Array(text.utf8))
    }
}
