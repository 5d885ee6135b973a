import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the config.",
        subcommands: [ConfigCheckCommand.self]
    )
}

struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config and the registry, and print what was loaded.",
        discussion: "Exit status: 0 when both are valid, 2 with the file, line and reason when not."
    )

    @OptionGroup var options: ConfigOption

    func run() throws {
        let workspace = try options.loadWorkspace()
        let config = workspace.config
        let registry = workspace.registry
        if let problem = Workspace.draftsFolderProblem(config) {
            FileHandleOutput.write("briefd: \(config.path): \(problem)\n", to: .standardError)
            throw ExitCode(2)
        }
        var out = "config: \(config.path)\n"
        out += "newsletter: \(config.newsletter.name)\n"
        out += "sections (\(config.newsletter.sections.count)):\n"
        for section in config.newsletter.sections { out += "  - \(section)\n" }
        out += "registry: \(config.registryPath)\n"
        out += "  \(registry.publications.count) publications, \(registry.people.count) people\n"
        for warning in registry.warnings { out += "  warning: \(warning)\n" }
        out += "paths:\n"
        out += "  drafts:  \(config.paths.drafts)\n"
        out += "  reports: \(config.paths.reports)\n"
        out += "  digests: \(config.paths.digests)\n"
        out += "  state:   \(config.paths.state)\n"
        out += "checks:\n"
        out += "  max_draft_bytes: \(config.checks.maxDraftBytes)\n"
        out += "  excerpt_words: \(config.checks.excerptWords.lowerBound)...\(config.checks.excerptWords.upperBound)\n"
        FileHandleOutput.write(out)
    }
}
