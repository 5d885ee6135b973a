import ArgumentParser
import BriefdCore
import BriefdIO
import BriefdApp
import Foundation

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Keep a saved copy of a page as the source of the quotes that link to URL.",
        discussion: """
            For pages briefd cannot fetch itself (behind a login or a paywall, or offline): save the page from a \
            browser and hand it over. The quote check then compares quotes linking to URL with this copy \
            (briefd check --cached uses only kept copies). Exit status: 0 when kept, 1 when the file has no \
            readable text, 2 for usage or config problems.
            """
    )

    @OptionGroup var options: ConfigOption

    @Argument(help: "The page's address, as drafts link to it.")
    var url: String

    @Argument(help: "The saved HTML file.")
    var file: String

    func validate() throws {
        guard WebAddress(url)?.isHTTP == true else { throw ValidationError("'\(url)' is not an http(s) address") }
    }

    func run() async throws {
        let workspace = try options.loadWorkspace()
        let limit = workspace.config.links.maxPageBytes
        try requireExisting([file])
        let bytes: [UInt8]
        do {
            bytes = try TextFile.readBytes(file, maxBytes: limit, limitName: "links.max_page_bytes")
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(1)
        }
        guard let article = ArticleExtractor.extract(html: bytes, charset: nil), !article.text.isEmpty else {
            FileHandleOutput.write("briefd: \(file): no readable article text in it\n", to: .standardError)
            throw ExitCode(1)
        }
        do {
            let store = PageStore(try openState(workspace.config))
            try await store.record(
                PageSnapshot(
                    url: url, fetchedAt: Date().timeIntervalSince1970, status: nil, text: article.text,
                    published: article.published, problem: nil))
        } catch {
            FileHandleOutput.write("briefd: \(error)\n", to: .standardError)
            throw ExitCode(2)
        }
        let words = article.text.split(whereSeparator: \.isWhitespace).count
        FileHandleOutput.write(
            "kept a copy of \(url): \(words) words\(article.published.map { ", published \($0)" } ?? "")\n")
    }
}
