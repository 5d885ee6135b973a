import BriefdCore
import Foundation

/// The parsers of outside input, each fed arbitrary bytes by libFuzzer (`make fuzz`). A target must never crash,
/// hang or read out of bounds (AddressSanitizer), whatever it is given; findings are not its business.
enum FuzzTargets {
    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "draft": draft, "registry": registry, "config": config, "links": links, "html": html, "quote": quote,
        "cron": cron, "clip": clip, "issue": issue,
    ]

    static let registryForDrafts: Registry = {
        let text = """
            publications:
              - name: The Wire China
                aliases: [Wire China]
                domains: [thewirechina.com]
              - name: Caixin
                domains: [caixinglobal.com]
            people:
              - name: Mara Feld
                roles: [{title: Editor, org: The Wire China, from: 2020-01-01}]
                writes_for: [The Wire China]
            """
        return (try? RegistryParser.parse(text, path: "sources.yml")) ?? .empty
    }()

    /// Front matter (YAML) and Markdown (cmark-gfm), then every offline check of the draft.
    static func draft(_ bytes: [UInt8]) {
        let checker = DraftChecker(
            config: Config.defaults(at: "/fuzz/briefd.yml"), registry: registryForDrafts,
            today: Day(year: 2026, month: 11, day: 27)!)
        let checked = checker.check(path: "fuzz.md", bytes: bytes)
        if let draft = checked.draft {
            _ = LinkExtractor.links(in: draft)
            _ = QuoteCheck.quotes(in: draft)
        }
    }

    static func registry(_ bytes: [UInt8]) {
        _ = try? RegistryParser.parse(String(decoding: bytes, as: UTF8.self), path: "sources.yml")
    }

    static func config(_ bytes: [UInt8]) {
        _ = try? ConfigParser.parse(String(decoding: bytes, as: UTF8.self), path: "/fuzz/briefd.yml")
    }

    static func links(_ bytes: [UInt8]) {
        _ = LinkExtractor.links(path: "fuzz.md", bytes: bytes)
    }

    /// libxml2's HTML parser and the article, title and date extraction.
    static func html(_ bytes: [UInt8]) {
        _ = ArticleExtractor.extract(html: bytes, charset: bytes.first.map { $0 % 2 == 0 ? "utf-8" : "windows-1252" })
    }

    /// `briefd clip`'s reading of a page: metadata (JSON-LD included), paragraphs, the excerpt and the draft file.
    static func clip(_ bytes: [UInt8]) {
        guard let page = ArticleExtractor.readPage(html: bytes, charset: nil) else { return }
        let request = ClipRequest(
            url: "https://www.thewirechina.com/a", finalURL: "https://www.thewirechina.com/a",
            today: Day(year: 2026, month: 11, day: 27)!)
        let result = Clipper.clip(
            page, request, registry: registryForDrafts, config: Config.defaults(at: "/fuzz/briefd.yml")
        ) { _ in [:] }
        // The draft it writes must read back with the same fields (YAML quoting), and pass every offline check.
        let markdown = Array(result.draft.markdown.utf8)
        if let parsed = DraftParser.parse(path: "clip.md", bytes: markdown).draft {
            precondition(parsed.frontMatter.title ?? "" == result.draft.title, "title did not round-trip")
            precondition(parsed.frontMatter.source == result.draft.source, "source did not round-trip")
        }
        draft(markdown)
    }

    /// `briefd import`'s reading of an issue page: the blocks (libxml2) and `IssuePageReader`.
    static func issue(_ bytes: [UInt8]) {
        guard let blocks = ArticleExtractor.readBlocks(html: bytes, charset: nil) else { return }
        let issue = IssuePageReader.read(
            blocks, pageDate: Day(year: 2019, month: 1, day: 17), registry: registryForDrafts,
            sections: Config.defaultSections)
        for item in issue.items {
            precondition(!item.title.isEmpty || !item.url.isEmpty, "an item with neither title nor address")
        }
    }

    /// A quote and a page, split at the first NUL byte.
    static func quote(_ bytes: [UInt8]) {
        let split = bytes.firstIndex(of: 0) ?? bytes.count / 2
        let quote = String(decoding: bytes[..<split], as: UTF8.self)
        let page = String(decoding: bytes[min(split + 1, bytes.count)...], as: UTF8.self)
        var cursor = 0
        _ = QuoteMatcher.match(QuoteFragments(quote), quoteText: quote, in: QuoteSource(text: page), cursor: &cursor)
    }

    static func cron(_ bytes: [UInt8]) {
        guard
            let schedule = try? CronSchedule(
                String(decoding: bytes, as: UTF8.self), timeZone: TimeZone(identifier: "UTC")!)
        else { return }
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        _ = schedule.next(after: start)
        _ = schedule.previous(atOrBefore: start)
    }
}
