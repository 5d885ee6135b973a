import BriefdIO
public import BriefdCore
import Foundation

/// The config and registry of one briefd workspace, loaded from disk.
public struct Workspace: Sendable {
    public var config: Config
    public var registry: Registry
    /// A hash of the config's and the registry's text: what a report was checked against.
    public var fingerprint: String

    public init(config: Config, registry: Registry, fingerprint: String = "") {
        self.config = config
        self.registry = registry
        self.fingerprint = fingerprint
    }

    /// The config path: the one given, else `$BRIEFD_CONFIG`, else `config/briefd.yml`.
    public static func configPath(_ given: String?) -> String {
        if let given, !given.isEmpty { return given }
        if let fromEnvironment = ProcessInfo.processInfo.environment["BRIEFD_CONFIG"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "config/briefd.yml"
    }

    /// Loads and validates the config and the registry it names.
    public static func load(configPath given: String?) throws(ConfigurationError) -> Workspace {
        let path = absolute(configPath(given))
        let configText: String
        do {
            configText = try TextFile.read(path, maxBytes: 4 * 1024 * 1024)
        } catch {
            throw ConfigurationError(path: path, position: nil, message: "cannot read the config: \(error.reason)")
        }
        let config = try ConfigParser.parse(configText, path: path)
        let registryText: String
        do {
            registryText = try TextFile.read(config.registryPath)
        } catch {
            throw ConfigurationError(
                path: config.registryPath, position: nil, message: "cannot read the registry: \(error.reason)")
        }
        let registry = try RegistryParser.parse(registryText, path: config.registryPath)
        let fingerprint = ContentHash.sha256Hex(Array(configText.utf8) + [0] + Array(registryText.utf8))
        return Workspace(config: config, registry: registry, fingerprint: fingerprint)
    }

    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : PathArithmetic.resolve(path, against: FileManager.default.currentDirectoryPath)
    }
}

/// Today's date on this machine's clock, in its time zone: what "in the future" means for a draft's date.
extension Workspace {
    /// Why `paths.drafts` cannot be the drafts folder (missing, or not a folder); nil when it can.
    public static func draftsFolderProblem(_ config: Config) -> String? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: config.paths.drafts, isDirectory: &isFolder) else {
            return
                "paths.drafts: the drafts folder \(config.paths.drafts) does not exist; create it or correct the path"
        }
        return isFolder.boolValue ? nil : "paths.drafts: \(config.paths.drafts) is not a folder"
    }
}

public enum LocalCalendar {
    public static func today() -> Day {
        let parts = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return Day(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)!
    }
}
