/// A place where a draft cites a link.
public struct LinkCitation: Sendable, Hashable, Codable {
    public var path: String
    public var line: Int
    public var column: Int

    public init(path: String, line: Int, column: Int) {
        self.path = path
        self.line = line
        self.column = column
    }
}

/// One URL as cited, with every place that cites it, in reading order.
public struct CitedLink: Sendable, Hashable {
    public var url: String
    public var citations: [LinkCitation]

    public init(url: String, citations: [LinkCitation]) {
        self.url = url
        self.citations = citations
    }

    /// Merges links cited in many files: one entry per URL, ordered by first citation.
    public static func merging(_ lists: [[CitedLink]]) -> [CitedLink] {
        var order: [String] = []
        var byURL: [String: [LinkCitation]] = [:]
        for list in lists {
            for link in list {
                if byURL[link.url] == nil { order.append(link.url) }
                byURL[link.url, default: []] += link.citations
            }
        }
        return order.map { CitedLink(url: $0, citations: byURL[$0] ?? []) }
    }
}
