import Foundation

/// One item of an imported issue, as the page printed it and as briefd records it.
public struct ImportedItem: Sendable, Equatable, Encodable {
    /// A section's name, or "featured" / "sponsor" (the placements `briefd build` records).
    public var section: String
    public var title: String
    public var url: String
    /// The registry's name when the printed source (or the link's domain) is known; the printed one otherwise.
    public var source: String
    /// `YYYY-MM-DD`, or `YYYY-MM` when the page gives no day; nil when no date could be read.
    public var published: String?
    public var featured: Bool
    /// `video`, `podcast`, `audio` or `webinar-video` from a `Video:`-style prefix.
    public var format: String?
    public var via: String?
    public var paywall: Bool
    public var excerpt: String
    /// Where the item starts in the page.
    public var line: Int
    /// The source as printed, and whether the registry knows it.
    public var printedSource: String
    public var sourceKnown: Bool

    enum CodingKeys: String, CodingKey { case section, title, url, source, published, featured, format, via, paywall }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(section, forKey: .section)
        try container.encode(title, forKey: .title)
        try container.encode(url, forKey: .url)
        try container.encode(source, forKey: .source)
        try container.encode(published, forKey: .published)
        try container.encode(featured, forKey: .featured)
        try container.encode(format, forKey: .format)
        try container.encode(via, forKey: .via)
        try container.encode(paywall, forKey: .paywall)
    }
}

/// Something the reader could not read as it expected, with its line in the page.
public struct ImportProblem: Sendable, Equatable, Encodable {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

/// An issue read from a published page.
public struct ImportedIssue: Sendable, Equatable {
    public var date: Day?
    /// The heading as printed ("ZGBriefs | January 17, 2019").
    public var title: String
    public var items: [ImportedItem]
    public var problems: [ImportProblem]
    /// The page lists several issues (an archive page, briefd's own `index.html` of the digests): not an issue.
    public var isListing = false
}

/// Reads a newsletter's published issue page (ZGBriefs' layouts since the early issues, and briefd's own
/// `digest.md` rendered to HTML) into its date, sections and items. Pure: blocks in, issue out.
public enum IssuePageReader {
    static let months: [String: Int] = [
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
        "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
        "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    ]

    /// Headings that open the sponsor block, under any of the names the newsletter has used.
    static let sponsorHeadings = [
        "sponsored link", "sponsored links", "sponsored post", "spotlight", "sponsor", "sponsored",
    ]
    /// Headings and lines of a donation appeal, which replaces the sponsor in some issues.
    static let appealMarks = ["matching grant", "donation", "donate", "give now", "support zgbriefs", "year-end gift"]
    /// The newsletter's standing text: never an item, never an excerpt.
    static let standingMarks = [
        "is a compilation of links", "is a condensation of news items", "the items below are links",
        "clicking a link will direct you", "inclusion in zgbriefs does not", "does not equal endorsement",
        "does not necessarily endorse", "please go here to support", "to make a contribution", "sponsor a link",
        "sponsoring a link", "interested in sponsoring", "sponsoring zgbriefs",
        "get daily updates from zgbriefs", "scanning the internet so you don't have to", "unsubscribe",
        "subscribe to zgbriefs", "all rights reserved", "copyright ©", "their inclusion does not mean",
    ]

    public static func read(_ page: [PageBlock], pageDate: Day?, registry: Registry, sections: [String])
        -> ImportedIssue
    {
        // The issue is the article: a "Subscribe" box beside it, a footer's headings, are the site's chrome, neither
        // sections nor items, and raise nothing.
        let blocks = page.filter { !$0.outsideArticle }
        var problems: [ImportProblem] = []
        // The issue's date, from its heading.
        var date: Day?
        var title = ""
        var start = 0
        var datesSeen: Set<Day> = []
        var linkedDates = 0
        for (index, block) in blocks.enumerated().prefix(400) {
            if let (found, printed) = issueDate(block.text) {
                // "ZGBriefs | May 2, 2024" as a link is an entry of a list of issues, not this page's heading.
                if block.links.contains(where: { $0.text.lowercased().contains("zgbriefs") }) {
                    linkedDates += 1
                    continue
                }
                datesSeen.insert(found)
                if date == nil {
                    date = found
                    title = printed
                    start = index + 1
                }
            }
        }
        if datesSeen.count > 2 || (datesSeen.isEmpty && linkedDates > 0) {
            return ImportedIssue(date: nil, title: "", items: [], problems: [], isListing: true)
        }
        if date == nil {
            problems.append(
                ImportProblem(
                    line: blocks.first?.line ?? 1,
                    message: "no issue heading with a date (\"ZGBriefs | January 17, 2019\") was found"))
        } else if let heading = date, let pageDate, heading != pageDate, heading.month == pageDate.month,
            heading.day == pageDate.day, heading.year != pageDate.year
        {
            problems.append(
                ImportProblem(
                    line: blocks[start - 1].line,
                    message:
                        "the heading says \(heading.year) but the page was published on \(pageDate); the page's date \(pageDate) is used"
                ))
            date = pageDate
        }

        var items: [ImportedItem] = []
        var placement = ""
        var featured = false
        var inSponsor = false
        var index = start
        while index < blocks.count {
            let block = blocks[index]
            if let (item, consumed) = readItem(
                blocks, at: index, placement: placement, featured: featured, sponsor: inSponsor,
                issueDate: date, registry: registry, problems: &problems)
            {
                var item = item
                index += consumed
                // The excerpt: the paragraphs up to the next item or heading.
                var excerpt = item.excerpt.isEmpty ? [] : [item.excerpt]
                while index < blocks.count, !isHeading(blocks[index], sections: sections),
                    !startsItem(blocks, at: index),
                    !isStanding(blocks[index].text)
                {
                    excerpt.append(blocks[index].text)
                    index += 1
                }
                item.excerpt = excerpt.joined(separator: "\n\n")
                if item.section.isEmpty {
                    problems.append(
                        ImportProblem(
                            line: item.line, message: "the item '\(item.title)' comes before any section heading"))
                }
                items.append(item)
                continue
            }
            if isHeading(block, sections: sections) {
                let name = block.text.trimmingCharacters(in: CharacterSet(charactersIn: " :"))
                let folded = name.lowercased()
                featured = false
                inSponsor = false
                if folded == "featured article" || folded == "featured" {
                    placement = "featured"
                    featured = true
                } else if sponsorHeadings.contains(folded) || folded.hasPrefix("sponsored ") {
                    placement = "sponsor"
                    inSponsor = true
                } else if appealMarks.contains(where: { folded.contains($0) }) {
                    placement = "appeal"
                } else if let section = section(named: name, in: sections) {
                    placement = section
                } else if folded.hasPrefix("special section") {
                    placement = name
                } else if index > start || !folded.hasPrefix("zgbriefs") {
                    placement = name
                    problems.append(
                        ImportProblem(
                            line: block.line,
                            message: "the heading '\(name)' is not a section of the config; its items are kept under it"
                        ))
                }
            }
            index += 1
        }
        // In the order `briefd build` records an issue: the featured article, the sections, the sponsor.
        let kept = items.filter { $0.section != "appeal" }
        let ordered =
            kept.filter { $0.section == "featured" }
            + kept.filter { $0.section != "featured" && $0.section != "sponsor" }
            + kept.filter { $0.section == "sponsor" }
        return ImportedIssue(date: date, title: title, items: ordered, problems: problems)
    }

    /// "ZGBriefs | January 17, 2019" (also "–", "—", "-" or "Newsletter for" in place of "|", a missing comma).
    static func issueDate(_ text: String) -> (Day, String)? {
        let lower = text.lowercased()
        guard let name = lower.range(of: "zgbriefs") else { return nil }
        var rest = Substring(lower[name.upperBound...])
        rest = rest.drop { $0 == " " }
        if rest.hasPrefix("newsletter for") {
            rest = rest.dropFirst("newsletter for".count)
        } else if let first = rest.first, "|–—-:".contains(first) {
            rest = rest.dropFirst()
        } else {
            return nil
        }
        guard let (date, _) = leadingDate(String(rest.drop { $0 == " " })), let day = date.day,
            let parsed = Day(year: date.year, month: date.month, day: day)
        else { return nil }
        return (parsed, text.trimmingCharacters(in: .whitespaces))
    }

    /// A date at the start of `text`: "January 17, 2019", "Jan. 17 2019" (no comma), "January 17" (no year: 0),
    /// "January 2019" (no day). Returns (year, month, day?) and how many characters it took.
    static func leadingDate(_ text: String) -> (date: (year: Int, month: Int, day: Int?), length: Int)? {
        let characters = Array(text)
        var index = 0
        var word = ""
        while index < characters.count, characters[index].isLetter {
            word.append(characters[index])
            index += 1
        }
        guard let month = months[word.lowercased()] else { return nil }
        if index < characters.count, characters[index] == "." { index += 1 }
        func number() -> Int? {
            while index < characters.count, characters[index] == " " { index += 1 }
            var digits = ""
            while index < characters.count, characters[index].isNumber, digits.count < 4 {
                digits.append(characters[index])
                index += 1
            }
            return Int(digits)
        }
        guard let first = number() else { return nil }
        if first > 31 { return ((first, month, nil), index) }  // "January 2019"
        let afterDay = index
        if index < characters.count, characters[index] == "," { index += 1 }
        if let year = number(), year > 1900 { return ((year, month, first), index) }
        return ((0, month, first), afterDay)
    }

    static let mediaPrefixes: [(String, String)] = [
        ("webinar video", "webinar-video"), ("video", "video"), ("podcast", "podcast"), ("audio", "audio"),
    ]

    /// A media prefix at the start ("Video: ", "Podcast - ", "Video – "): its format and its length.
    static func mediaPrefix(_ text: String) -> (format: String, length: Int)? {
        let lower = text.lowercased()
        for (word, format) in mediaPrefixes where lower.hasPrefix(word) {
            var rest = lower.dropFirst(word.count)
            rest = rest.drop { $0 == " " }
            guard let mark = rest.first, ":–—-".contains(mark) else { continue }
            rest = rest.dropFirst().drop { $0 == " " }
            return (format, text.count - rest.count)
        }
        return nil
    }

    /// The block starts an item: a link at its start (after a media prefix), with the `(date, source)` meta after
    /// it in the block or at the start of the next one.
    /// In the sponsor block a linked title needs no meta: sponsored links carry none.
    static func startsItem(_ blocks: [PageBlock], at index: Int, sponsor: Bool = false) -> Bool {
        guard let (link, rest) = leadingLink(blocks[index]) else { return false }
        if sponsor, blocks[index].headingLevel > 0 || link.text.count * 2 >= blocks[index].text.count { return true }
        if rest.trimmingCharacters(in: .whitespaces).hasPrefix("(") { return true }
        // A linked title of a few words that fills its paragraph, with no meta: an item whose meta is missing (kept,
        // with a problem), not a "Read more" link.
        if rest.trimmingCharacters(in: .whitespaces).isEmpty, link.text.split(separator: " ").count >= 3,
            index + 1 >= blocks.count || !blocks[index + 1].text.hasPrefix("(")
        {
            return true
        }
        return rest.trimmingCharacters(in: .whitespaces).isEmpty && index + 1 < blocks.count
            && blocks[index + 1].text.hasPrefix("(") && blocks[index + 1].headingLevel == 0
    }

    /// The block's first link when it starts the block (after a media prefix), and the text after it.
    static func leadingLink(_ block: PageBlock) -> (PageBlock.Link, String)? {
        guard let link = block.links.first, !link.text.isEmpty, !link.href.trimmingCharacters(in: .whitespaces).isEmpty,
            link.text.contains(where: { $0.isLetter || $0.isNumber }), mediaPrefix(link.text)?.length != link.text.count
        else { return nil }
        let prefix = mediaPrefix(block.text)?.length ?? 0
        guard link.offset <= prefix + 1 else { return nil }
        let end = link.offset + link.text.count
        guard end <= block.text.count else { return nil }
        return (link, String(block.text.dropFirst(end)))
    }

    static func readItem(
        _ blocks: [PageBlock], at index: Int, placement: String, featured: Bool, sponsor: Bool, issueDate: Day?,
        registry: Registry, problems: inout [ImportProblem]
    ) -> (ImportedItem, Int)? {
        guard startsItem(blocks, at: index, sponsor: sponsor), let (link, after) = leadingLink(blocks[index]) else {
            return nil
        }
        let block = blocks[index]
        var consumed = 1
        var metaText = after.trimmingCharacters(in: .whitespaces)
        if metaText.isEmpty, index + 1 < blocks.count, blocks[index + 1].text.hasPrefix("(") {
            metaText = blocks[index + 1].text
            consumed = 2
        }
        var title = link.text
        var format: String?
        if let prefix = mediaPrefix(block.text) {
            format = prefix.format
            if let inTitle = mediaPrefix(title) { title = String(title.dropFirst(inTitle.length)) }
        }
        var item = ImportedItem(
            section: placement, title: title.trimmingCharacters(in: .whitespaces), url: link.href, source: "",
            published: nil,
            featured: featured, format: format, via: nil, paywall: false, excerpt: "", line: block.line,
            printedSource: "",
            sourceKnown: false)
        guard let meta = parseMeta(metaText) else {
            if sponsor {
                item.excerpt = metaText  // a sponsored link names no source, as briefd records it
                item.sourceKnown = true
            } else {
                problems.append(
                    ImportProblem(
                        line: block.line, message: "the item '\(item.title)' has no readable (date, source) after it"))
            }
            return (item, consumed)
        }
        item.paywall = meta.paywall
        item.via = meta.via
        item.excerpt = meta.rest
        item.printedSource = meta.source
        if let date = meta.date {
            var year = date.0
            if year == 0, let issueDate {  // no year: the issue's, or the one before for a December item in January
                year = issueDate.year - ((date.1 ?? 1) > issueDate.month ? 1 : 0)
            }
            if let month = date.1, year > 0 {
                item.published =
                    date.2.map { String(format: "%04d-%02d-%02d", year, month, $0) }
                    ?? String(format: "%04d-%02d", year, month)
            }
            if date.0 == 0 || date.2 == nil {
                problems.append(
                    ImportProblem(
                        line: block.line,
                        message:
                            "the item '\(item.title)' gives its date without the \(date.0 == 0 ? "year" : "day"): read as \(item.published ?? "?")"
                    ))
            }
        } else {
            problems.append(
                ImportProblem(
                    line: block.line,
                    message: "the date of the item '\(item.title)' cannot be read in '(\(meta.inner))'"))
        }
        if meta.source.isEmpty {
            problems.append(
                ImportProblem(
                    line: block.line,
                    message: "the source of the item '\(item.title)' cannot be read in '(\(meta.inner))'"))
        }
        // Printed with typographic apostrophes ("What’s on Weibo"), as briefd's own issues print them.
        if case .exact(let found) = registry.publicationNames.match(
            meta.source.replacingOccurrences(of: "’", with: "'"))
        {
            item.source = registry.publications[found].name
            item.sourceKnown = true
        } else if let host = WebAddress(link.href)?.host, let owner = registry.publication(forHost: host),
            meta.via == nil
        {
            item.source = owner.name
            item.sourceKnown = true
        } else {
            item.source = meta.source
        }
        return (item, consumed)
    }

    struct Meta {
        var date: (Int, Int?, Int?)?
        var source: String
        var via: String?
        var paywall: Bool
        var inner: String
        /// Text after the meta in the same block (the excerpt's start).
        var rest: String
    }

    /// "(January 17, 2019, ABC News (Australia), via YouTube) (subscription required) Excerpt…"
    static func parseMeta(_ text: String) -> Meta? {
        let characters = Array(text.trimmingCharacters(in: .whitespaces))
        guard characters.first == "(" else { return nil }
        var depth = 0
        var close: Int?
        for (offset, character) in characters.enumerated() {
            if character == "(" { depth += 1 }
            if character == ")" {
                depth -= 1
                if depth == 0 {
                    close = offset
                    break
                }
            }
        }
        guard let close else { return nil }
        let inner = String(characters[1..<close]).trimmingCharacters(in: .whitespaces)
        var rest = String(characters[(close + 1)...]).trimmingCharacters(in: .whitespaces)
        var paywall = false
        if rest.lowercased().hasPrefix("(subscription required)") {
            paywall = true
            rest = String(rest.dropFirst("(subscription required)".count)).trimmingCharacters(in: .whitespaces)
        }
        var meta = Meta(date: nil, source: "", via: nil, paywall: paywall, inner: inner, rest: rest)
        var remainder = inner
        if let (date, length) = leadingDate(inner) {
            meta.date = date
            remainder = String(inner.dropFirst(length)).trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
        }
        // "(May 16, 2012, Forbes, by Kenneth Rapoza)": the author is not the source.
        if let author = remainder.range(of: ", by ", options: .backwards) {
            remainder = String(remainder[..<author.lowerBound])
        }
        if let via = remainder.range(of: ", via ", options: .backwards) {
            meta.via = String(remainder[via.upperBound...]).trimmingCharacters(in: .whitespaces)
            remainder = String(remainder[..<via.lowerBound])
        }
        meta.source = remainder.trimmingCharacters(in: .whitespaces)
        return meta
    }

    static func isHeading(_ block: PageBlock, sections: [String]) -> Bool {
        let text = block.text
        guard text.count <= 100, !text.hasPrefix("(") else { return false }
        if block.headingLevel > 0 { return block.links.isEmpty || block.links.first?.offset ?? 0 > 0 }
        if section(named: text, in: sections) != nil { return true }
        let letters = text.filter(\.isLetter)
        if block.links.isEmpty, letters.count >= 4, letters.allSatisfy({ $0.isUppercase || !$0.isCased }) {
            return true
        }
        return block.isBold && block.links.isEmpty && !text.hasSuffix(".")
    }

    static func isStanding(_ text: String) -> Bool {
        let lower = text.lowercased()
        return standingMarks.contains { lower.contains($0) }
            || appealMarks.contains { lower.contains($0) } && text.count < 300
    }

    /// The config's section a heading names, compared without case and with spaces around "/" and "&" ignored.
    static func section(named name: String, in sections: [String]) -> String? {
        func squeeze(_ text: String) -> String {
            text.lowercased().replacingOccurrences(of: "&", with: "/").replacingOccurrences(of: " and ", with: "/")
                .filter { $0.isLetter || $0 == "/" }
        }
        let wanted = squeeze(name.trimmingCharacters(in: CharacterSet(charactersIn: " :")))
        return sections.first { squeeze($0) == wanted }
    }
}
