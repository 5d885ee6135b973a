import BriefdIO
public import BriefdCore
import Foundation

/// `briefd import`: issue pages as the newsletter published them (files, folders, addresses, or briefd's own
/// `digest.md`) read with `IssuePageReader` and recorded as published issues, so that the link-rot monitor
/// watches their links and the archive and feeds list them.
public enum ImportRun {

    /// One page's import.
    public struct PageResult: Sendable {
        public var page: String
        public var issue: ImportedIssue?
        public var problems: [ImportProblem]
        /// recorded, already imported, not overwritten …, dry run, before --since, unreadable.
        public var outcome: String
        public var recorded: Bool
    }

    public struct Outcome: Sendable {
        public var pages: [PageResult]
        /// Sources no registry entry knows: the printed name and the domain of the first link citing it.
        public var unknownSources: [(name: String, domain: String)]
        public var seconds: Double
    }

    /// The inputs as pages: addresses as they are, folders searched for `*.html`, `*.htm` and `digest.md`. An input
    /// that is not there stays in the list (its read says so); a folder that cannot be listed stops the import.
    public static func pages(_ inputs: [String]) throws -> [String] {
        var pages: [String] = []
        for input in inputs {
            if WebAddress(input)?.isHTTP == true {
                pages.append(input)
                continue
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder), isFolder.boolValue else {
                pages.append(input)
                continue
            }
            let found = try ImportRun.files(in: input, prefix: "", depth: 0).sorted()
            // A folder briefd built (a digests folder) holds each issue as index.html, email.html and digest.md:
            // the digest alone is read, so that one issue is not imported three times.
            let digestFolders = Set(
                found.filter { ($0 as NSString).lastPathComponent == "digest.md" }.map {
                    ($0 as NSString).deletingLastPathComponent
                })
            let chosen = found.filter { name in
                (name as NSString).lastPathComponent == "digest.md"
                    || !digestFolders.contains((name as NSString).deletingLastPathComponent)
            }
            pages.append(contentsOf: chosen.map { input + "/" + $0 })
        }
        return pages
    }

    /// Issue pages under `folder`, relative to it: hidden entries skipped, symlinked folders followed (briefd's
    /// digests folder links each issue's name to its current version), at most 8 levels down.
    static func files(in folder: String, prefix: String, depth: Int) throws -> [String] {
        guard depth < 8 else { return [] }
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder)
        var found: [String] = []
        for entry in entries where !entry.hasPrefix(".") {
            let path = folder + "/" + entry
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                found += try files(in: path, prefix: prefix + entry + "/", depth: depth + 1)
            } else if entry.hasSuffix(".html") || entry.hasSuffix(".htm") || entry == "digest.md" {
                found.append(prefix + entry)
            }
        }
        return found
    }

    /// The issue as its feed entry shows it: sections, linked titles, their meta and excerpts.
    static func entryHTML(_ issue: ImportedIssue) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var html = ""
        var section = ""
        for item in issue.items {
            if item.section != section {
                section = item.section
                let name =
                    section == "featured" ? "Featured Article" : section == "sponsor" ? "Sponsored Link" : section
                html += "<h2>\(escape(name))</h2>\n"
            }
            let href = WebAddress(item.url)?.isHTTP == true ? escape(item.url) : "#"
            html += "<h3><a href=\"\(href)\">\(escape(item.title))</a></h3>\n"
            let meta = [item.published, item.source.isEmpty ? nil : item.source].compactMap { $0 }.joined(
                separator: ", ")
            if !meta.isEmpty { html += "<p>(\(escape(meta)))</p>\n" }
            for paragraph in item.excerpt.components(separatedBy: "\n\n") where !paragraph.isEmpty {
                html += "<p>\(escape(paragraph))</p>\n"
            }
        }
        return html
    }

    struct ImportError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}

extension ImportRun.ImportError: CustomStringConvertible {
    var description: String { message }
}

extension RunContext {
    /// Reads every page of `inputs` and records its issue (unless `dryRun`); `links` is needed for addresses.
    public func importPages(_ inputs: [String], dryRun: Bool, since: Day?) async throws -> ImportRun.Outcome {
        let started = Date()
        var results: [ImportRun.PageResult] = []
        let store = IssueStore(state)
        for page in try ImportRun.pages(inputs) {
            var result = ImportRun.PageResult(page: page, issue: nil, problems: [], outcome: "", recorded: false)
            let read = await self.read(page)
            switch read {
            case .failure(let problem):
                result.outcome = "unreadable"
                result.problems = [ImportProblem(line: 0, message: problem.message)]
            case .success(let (issue, webURL)):
                result.issue = issue
                result.problems = issue.problems
                if issue.isListing {
                    result.outcome = "a list of issues, not an issue; skipped"
                } else if issue.date == nil {
                    result.outcome = "no issue date"
                } else if issue.items.isEmpty {
                    result.outcome = "no item found; not recorded"
                    result.problems.append(
                        ImportProblem(line: 1, message: "no item (a linked title with its (date, source)) was found"))
                } else if let since, let date = issue.date, date < since {
                    result.outcome = "before --since"
                } else if dryRun {
                    result.outcome = "dry run"
                } else if let date = issue.date {
                    let record = IssueStore.Record(
                        date: date.description,
                        title: issue.title.isEmpty
                            ? "\(config.newsletter.name) | \(DigestText.longDate(date))" : issue.title,
                        itemCount: issue.items.count, webURL: webURL, contentHTML: ImportRun.entryHTML(issue))
                    let items = issue.items.map { item in
                        IssueStore.Item(
                            url: item.url, identity: WebAddress(item.url)?.identity ?? item.url, title: item.title,
                            placement: item.section, path: page, source: item.source)
                    }
                    switch try await store.recordImported(record, items: items, from: page) {
                    case .recorded:
                        result.outcome = "recorded"
                        result.recorded = true
                    case .alreadyImported:
                        result.outcome = "already imported from this page; unchanged"
                    case .kept(let from):
                        result.outcome =
                            from.map { "already imported from \($0); not overwritten" }
                            ?? "built by briefd; not overwritten"
                    }
                }
            }
            results.append(result)
        }
        if results.contains(where: \.recorded) {
            try await DigestBuild(config: config, registry: registry, state: state).refreshArchive(
                root: config.paths.digests)
        }
        var unknown: [(String, String)] = []
        var seen: Set<String> = []
        for item in results.compactMap(\.issue).flatMap(\.items) where !item.sourceKnown && !item.source.isEmpty {
            guard seen.insert(item.source).inserted else { continue }
            // A video on YouTube says nothing of its publisher's own domain.
            var host = item.via == nil ? WebAddress(item.url)?.host.lowercased() ?? "" : ""
            if host.hasPrefix("www.") { host.removeFirst(4) }
            unknown.append((item.source, host))
        }
        return ImportRun.Outcome(pages: results, unknownSources: unknown, seconds: Date().timeIntervalSince(started))
    }

    /// The page read into an issue, and the address the archive links it at.
    private func read(_ page: String) async -> Result<(ImportedIssue, String), ImportRun.ImportError> {
        let limit = config.links.maxPageBytes
        var bytes: [UInt8]
        var charset: String?
        var address = ""
        if WebAddress(page)?.isHTTP == true {
            guard let links else { return .failure(ImportRun.ImportError("addresses need the link service")) }
            switch await links.pages.fetchAnswer(page) {
            case .shutDown:
                return .failure(ImportRun.ImportError("briefd was stopped before the page came"))
            case .unavailable(let problem, let status, _):
                // In the editor's words, not libcurl's.
                return .failure(ImportRun.ImportError(LinkProblem.sentence(status: status, error: problem) ?? problem))
            case .answer(let finalURL, let response):
                guard (200..<300).contains(response.status) else {
                    return .failure(ImportRun.ImportError("the page answered \(response.status)"))
                }
                let (mediaType, declared) = PageFetcher.contentType(of: response)
                guard ["text/html", "application/xhtml+xml", ""].contains(mediaType) else {
                    return .failure(ImportRun.ImportError("the page is \(mediaType), not HTML"))
                }
                bytes = response.body
                charset = declared
                address = finalURL
            }
        } else {
            do {
                bytes = try TextFile.readBytes(page, maxBytes: limit, limitName: "links.max_page_bytes")
            } catch {
                return .failure(ImportRun.ImportError("\(error.reason)"))
            }
            if page.hasSuffix(".md") {
                // briefd's own digest.md: its Markdown rendered by cmark-gfm reads like an issue page.
                bytes = Array(MarkdownParser.renderHTML(String(decoding: bytes, as: UTF8.self)).utf8)
                charset = "utf-8"
            }
        }
        // One parse for the page's own date and address and for its blocks.
        guard let reading = ArticleExtractor.readPage(html: bytes, charset: charset, withBlocks: true) else {
            return .failure(ImportRun.ImportError("no HTML in it"))
        }
        let metadata = PageMetadata.choose(from: reading, pageURL: address.isEmpty ? "https://localhost/" : address)
        if let canonical = metadata.canonicalURL, !address.isEmpty { address = canonical }
        let issue = IssuePageReader.read(
            reading.blocks, pageDate: metadata.published, registry: registry, sections: config.newsletter.sections)
        return .success((issue, address))
    }
}
