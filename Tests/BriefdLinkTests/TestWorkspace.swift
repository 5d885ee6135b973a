import BriefdCore
import BriefdIO
import BriefdApp
import Foundation

/// A workspace in a fresh temporary folder for the tests that run clip, import or a build in process: drafts,
/// digests, state and the repository's templates inside it; loopback allowed, no pacing, no retries.
struct TestWorkspace {
    let folder: String
    let config: Config
    let registry: Registry
    let state: StateDatabase
    /// The repository, for its templates and config.
    static let root = String(#filePath).components(separatedBy: "/Tests/")[0]

    /// - Parameter registry: the registry's YAML (default: the repository's `config/sources.yml`).
    init(name: String, registry: String? = nil) throws {
        folder =
            FileManager.default.temporaryDirectory.appendingPathComponent("briefd-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        var config = Config.defaults(at: folder + "/briefd.yml")
        config.paths.drafts = folder + "/drafts"
        config.paths.digests = folder + "/digests"
        config.paths.state = folder + "/briefd.sqlite"
        config.paths.templates = TestWorkspace.root + "/templates"
        config.links.allowNetworks = [IPNetwork("127.0.0.0/8")!]
        config.links.perHostIntervalMilliseconds = 0
        config.links.retries = 0
        self.config = config
        let text = try registry ?? String(contentsOfFile: TestWorkspace.root + "/config/sources.yml", encoding: .utf8)
        self.registry = try RegistryParser.parse(text, path: "sources.yml")
        state = try StateDatabase(path: config.paths.state)
    }

    func context(links: LinkService?) -> RunContext {
        RunContext(config: config, registry: registry, state: state, links: links)
    }

    func drafts() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: config.paths.drafts).filter { !$0.hasPrefix(".") }.sorted()
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
