import ArgumentParser
import BriefdApp
import BriefdCore
import BriefdIO
import Foundation

/// `make bench-archive`: captures a list of pages into one WARC the way an issue's capture does (`CaptureRun`:
/// the link service's politeness, the wire copy, the judgement), for timing against `wget --warc-file`. Hidden: a
/// benchmark, not a tool for editors.
struct BenchCaptureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-capture", abstract: "Capture a list of pages into a WARC.", shouldDisplay: false)

    @OptionGroup var options: ConfigOption

    @Option(help: "A file with one URL a line.")
    var urls: String

    @Option(help: "The folder the issue's folder (and its archive.warc.gz) is made in.")
    var out: String

    func run() async throws {
        var config = try options.loadWorkspace().config
        config.paths.digests = Workspace.absolute(out)
        let issue = "2000-01-06"
        let folder = config.paths.digests + "/" + issue
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "<!DOCTYPE html><title>bench</title>".write(
            toFile: folder + "/index.html", atomically: true, encoding: .utf8)
        let list = try String(contentsOfFile: urls, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.isEmpty }
        let state = try openState(config)
        try await PreservationStore(state).enqueue(
            issue: issue, links: list.map { (url: $0, excerpt: "") }, savePageNow: false, now: 0)
        let links = LinkService(settings: config.links, registry: .empty, state: state, version: Briefd.version)
        let outcome = try await CaptureRun(config: config, state: state, links: links).work(
            now: Date().timeIntervalSince1970, issue: issue)
        await links.shutdown()
        print(
            "{\"captured\": \(outcome.captured), \"retrying\": \(outcome.retrying), \"failed\": \(outcome.failed), "
                + "\"warc\": \(JSONText.string(folder + "/" + IssueArchiveFile.warcName))}")
    }
}
