/// One issue of the digest as the templates see it: every value already in its final words (smart
/// punctuation, dates spelled out); templates escape them for the format they write.
///
/// Property names are the Mustache variable names; `templates/README.md` lists them.
public struct DigestIssue: Sendable, Equatable {
    public var date: String
    /// "ZGBriefs | December 3, 2026"
    public var title: String
    public var newsletter: String
    public var dateText: String
    public var disclaimer: String
    public var supportText: String
    public var supportURL: String
    public var featured: DigestItem?
    public var sponsor: DigestItem?
    public var sponsorLine: String
    public var donationAppeal: DonationAppeal?
    public var sections: [DigestSection]
    public var footer: DigestFooter
    /// The issue's address on the web site, for feeds and the archive.
    public var webURL: String

    /// Every item, the sponsored link included (`ItemCount`: one count for every surface).
    public var itemCount: Int { count.items }

    public var count: ItemCount {
        ItemCount(
            items: sections.reduce(0) { $0 + $1.items.count } + (featured == nil ? 0 : 1) + (sponsor == nil ? 0 : 1),
            sponsors: sponsor == nil ? 0 : 1)
    }
}

public struct DonationAppeal: Sendable, Equatable {
    public var text: String
    public var url: String
}

public struct DigestSection: Sendable, Equatable {
    public var name: String
    public var items: [DigestItem]
}

/// One linked item: headline, `(Month D, YYYY, Source)`, excerpt in each output form.
public struct DigestItem: Sendable, Equatable {
    /// `Video: `, `Podcast: `, `Webinar Video: ` or empty.
    public var prefix: String
    public var headline: String
    public var url: String
    /// "(November 20, 2026, ChinaFile, via YouTube)", plus " (subscription required)" when paywalled.
    public var meta: String
    /// The excerpt rendered by cmark-gfm: raw HTML omitted, smart punctuation.
    public var excerptHTML: String
    /// The excerpt as plain text, paragraphs separated by blank lines, wrapped at 72 columns.
    public var excerptText: String
    /// The excerpt as the editor wrote it.
    public var excerptMarkdown: String
    /// `[Headline](url)` with Markdown's special characters in the headline escaped.
    public var markdownLink: String
    /// Headline, meta and URL, wrapped at 72 columns for the text/plain part.
    public var textHeading: String
    /// The draft it came from.
    public var draftPath: String
    /// The publication, as the registry names it (the draft's `source` when the registry does not know it).
    public var source: String = ""
}

public struct DigestFooter: Sendable, Equatable {
    public var tagline: String
    public var subscribeURL: String
    public var unsubscribeURL: String
    public var archiveURL: String
}
