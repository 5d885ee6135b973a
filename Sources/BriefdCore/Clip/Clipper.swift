import Foundation

/// A brief made from a page: the fields of the house format (README, "Drafts") and the excerpt's paragraphs.
public struct ClippedDraft: Sendable, Equatable, Encodable {
    public var title: String
    public var url: String
    public var source: String
    public var published: Day?
    public var section: String
    public var issue: Day?
    public var featured: Bool
    public var paywall: Bool
    public var format: String?
    public var via: String?
    public var excerpt: [String]

    enum CodingKeys: String, CodingKey {
        case title, url, source, published, section, issue, featured, paywall, format, via, excerpt
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(title, forKey: .title)
        try container.encode(url, forKey: .url)
        try container.encode(source, forKey: .source)
        try container.encode(published?.description, forKey: .published)
        try container.encode(section, forKey: .section)
        try container.encode(issue?.description, forKey: .issue)
        try container.encode(featured, forKey: .featured)
        try container.encode(paywall, forKey: .paywall)
        try container.encode(format, forKey: .format)
        try container.encode(via, forKey: .via)
        try container.encode(excerpt.joined(separator: "\n\n"), forKey: .excerpt)
    }

    /// The draft file: YAML front matter with every string quoted, then the excerpt with Markdown's special
    /// characters escaped, so that the excerpt reads back as exactly the page's words.
    public var markdown: String {
        var lines = ["---"]
        lines.append("title: \(YAMLText.quoted(title))")
        lines.append("url: \(YAMLText.quoted(url))")
        lines.append("source: \(YAMLText.quoted(source))")
        lines.append("published: \(published?.description ?? "")")
        lines.append("section: \(YAMLText.quoted(section))")
        if let issue { lines.append("issue: \(issue)") }
        if let format { lines.append("format: \(format)") }
        if let via { lines.append("via: \(YAMLText.quoted(via))") }
        if paywall { lines.append("paywall: true") }
        if featured { lines.append("featured: true") }
        lines.append("---")
        return lines.joined(separator: "\n") + "\n" + excerpt.map(MarkdownText.escaped).joined(separator: "\n\n") + "\n"
    }

    /// `<published>-<slug>` (the file is that with `.md`): the slug from the title, folded to ASCII, at most 60
    /// characters, cut at a dash; today's date when the page gives none.
    public func fileStem(today: Day) -> String {
        "\(published ?? today)-\(Self.slug(title))"
    }

    public static func slug(_ title: String) -> String {
        var slug = ""
        for character in NameFolding.fold(title) {
            if character.isASCII, character.isLetter || character.isNumber {
                slug.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        if slug.count > 60 {
            let cut = slug.prefix(61)
            slug = cut.lastIndex(of: "-").map { String(cut[..<$0]) } ?? String(slug.prefix(60))
        }
        return slug.isEmpty ? "clip" : slug
    }
}

/// What a clip asks for beyond the page.
public struct ClipRequest: Sendable {
    /// The address as given (before redirects).
    public var url: String
    /// Where the page was read from, after redirects (the address itself for `--from`).
    public var finalURL: String
    public var section: String?
    public var issue: Day?
    public var featured: Bool
    public var today: Day

    public init(
        url: String, finalURL: String, section: String? = nil, issue: Day? = nil, featured: Bool = false, today: Day
    ) {
        self.url = url
        self.finalURL = finalURL
        self.section = section
        self.issue = issue
        self.featured = featured
        self.today = today
    }
}

/// A clipped draft and what the editor should know about it.
public struct ClipResult: Sendable {
    public var draft: ClippedDraft
    /// Plain sentences: the source is not in the registry (with an entry to paste), the page shows only a lede, …
    public var notes: [String]
    /// The publication is not in the registry; the draft will carry `brief.unknown-source` until it is added.
    public var unknownSource: Bool
}

/// Turns a page into a brief (pure: the page, the registry and the config in, the draft out).
public enum Clipper {
    /// Hosts that carry other publishers' videos and podcasts: the source is the channel, the host goes in `via`.
    static let platforms: [(host: String, name: String, format: String)] = [
        ("youtube.com", "YouTube", "video"), ("youtu.be", "YouTube", "video"), ("vimeo.com", "Vimeo", "video"),
        ("podcasts.apple.com", "Apple Podcasts", "podcast"), ("open.spotify.com", "Spotify", "podcast"),
        ("soundcloud.com", "SoundCloud", "podcast"), ("podbean.com", "Podbean", "podcast"),
        ("buzzsprout.com", "Buzzsprout", "podcast"), ("simplecast.com", "Simplecast", "podcast"),
    ]

    /// Query parameters that track a click rather than name the page.
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga", "_gl",
        "ocid", "cmpid", "cmp", "smid", "sr_share", "ito", "at_medium", "at_campaign", "at_custom1", "at_custom2",
        "at_custom3", "at_custom4", "twclid", "li_fat_id", "mkt_tok", "vero_id", "oly_anon_id", "oly_enc_id",
        "rb_clickid",
        "s_cid", "share", "ref_src", "ref_url", "guccounter", "guce_referrer", "guce_referrer_sig", "spm", "from",
    ]

    /// `url` without its fragment and tracking parameters (`utm_*` and the list above); other parameters kept
    /// in order (some sites need `?id=`).
    public static func withoutTracking(_ url: String) -> String {
        var text = url
        if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
        guard let question = text.firstIndex(of: "?") else { return text }
        let kept = text[text.index(after: question)...].split(separator: "&").filter { parameter in
            let name = parameter.split(separator: "=", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            return !name.isEmpty && !name.hasPrefix("utm_") && !trackingParameters.contains(name)
        }
        return String(text[..<question]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    /// - Parameter sectionsUsed: how often each section was used for a publication (by its registry name), in
    ///   earlier drafts and published issues.
    public static func clip(
        _ page: PageReading, _ request: ClipRequest, registry: Registry, config: Config,
        sectionsUsed: (String) -> [String: Int]
    ) -> ClipResult {
        let metadata = PageMetadata.choose(from: page, pageURL: request.finalURL)
        var notes: [String] = []
        let url = withoutTracking(metadata.canonicalURL ?? request.finalURL)
        let host = WebAddress(url)?.host.lowercased() ?? ""
        // A video or podcast platform, by its host or, on a host briefd does not list, by the page's own word for
        // itself (`og:site_name` "YouTube" on a video page).
        let platform =
            platforms.first { Registry.host(host, isWithin: $0.host) }
            ?? platforms.first { platform in
                metadata.siteName.map { PageMetadata.squeezed($0) == PageMetadata.squeezed(platform.name) } == true
                    && (metadata.type?.hasPrefix("video") == true || metadata.type?.hasPrefix("music") == true
                        || metadata.schemaType == "VideoObject" || metadata.schemaType == "PodcastEpisode")
            }

        // The source: the registry publication that owns the address; on a video or podcast platform, the channel.
        var source: String
        var via: String?
        var unknown = false
        let owner = registry.publication(forHost: host)
        if let platform {
            via = owner?.name ?? platform.name
            let channel = metadata.channel ?? metadata.siteName ?? platform.name
            if let known = publication(named: channel, in: registry) {
                source = known.name
            } else {
                source = channel
                unknown = channel != via
            }
            if source == via { via = nil }
        } else if let owner {
            source = owner.name
        } else {
            let bareHost = host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
            source =
                metadata.siteName.flatMap { publication(named: $0, in: registry)?.name } ?? metadata.siteName
                ?? bareHost
            unknown = publication(named: source, in: registry) == nil
        }
        if unknown {
            let domain = host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
            notes.append(
                "'\(source)' is not in the registry: the draft carries brief.unknown-source until you add it to "
                    + "\(config.registryPath):\n  - name: \(source)\n    domains: [\(domain)]")
        }
        let registered = Clipper.publication(named: source, in: registry)

        // The section: asked for, else the one this publication's items have used most, else the first.
        let section: String
        if let asked = request.section {
            section = asked
        } else if let used = sectionsUsed(registered?.name ?? source)
            .filter({ config.newsletter.sections.contains($0.key) })
            .max(by: { ($0.value, $1.key) < ($1.value, $0.key) })
        {
            section = used.key
        } else {
            section = config.newsletter.sections.first ?? ""
        }

        var format = platform?.format
        if format == nil, let type = metadata.type, type.hasPrefix("video") { format = "video" }
        if format == nil, metadata.schemaType == "PodcastEpisode" || metadata.type?.contains("podcast") == true {
            format = "podcast"
        }
        if format == nil, metadata.schemaType == "VideoObject" { format = "video" }

        let excerpt = ExcerptCutter.excerpt(
            from: Clipper.excerptSource(page, metadata), words: config.checks.excerptWords)
        let words = excerpt.reduce(0) { $0 + ExcerptCutter.wordCount($1) }
        let paywall = registered?.paywall == true || metadata.isPaywalled
        if excerpt.isEmpty {
            notes.append(
                "the page has no article text to excerpt\(paywall ? " (it is behind a paywall)" : ""): save it from a "
                    + "browser and run briefd clip \(request.url) --from FILE, or paste the opening paragraph yourself")
        } else if words < config.checks.excerptWords.lowerBound {
            notes.append(
                "the page shows only \(words) words of the article\(paywall ? " (it is behind a paywall)" : ""); save "
                    + "it from a browser and run briefd clip \(request.url) --from FILE for a longer excerpt")
        }
        if metadata.published == nil {
            notes.append("the page states no publication date: fill in `published` from the article")
        }
        let title = metadata.title ?? ""
        if title.isEmpty { notes.append("the page has no title: fill in `title`") }

        let draft = ClippedDraft(
            title: title, url: url, source: source, published: metadata.published, section: section,
            issue: request.issue ?? config.digest.issueWeekday.next(onOrAfter: request.today),
            featured: request.featured,
            paywall: paywall, format: format, via: via, excerpt: excerpt)
        return ClipResult(draft: draft, notes: notes, unknownSource: unknown)
    }

    /// Where the excerpt comes from: the article's `<p>` paragraphs; on a page that sets its text in other elements
    /// (Reuters' `<div>`s), the article text's paragraphs; on a video or podcast page without either, its
    /// description (`og:description`, `description`), which is the text such pages show.
    public static func excerptSource(_ page: PageReading, _ metadata: PageMetadata) -> [String] {
        if page.paragraphs.contains(where: ExcerptCutter.isArticleProse) { return page.paragraphs }
        // The article text holds the headline and subheadings too, which are not the excerpt's.
        let headings = Set([page.h1, metadata.title].compactMap { $0 } + page.headings)
        let textParagraphs = page.article.text.components(separatedBy: "\n\n").filter { !headings.contains($0) }
        if textParagraphs.contains(where: ExcerptCutter.isArticleProse), metadata.schemaType != "VideoObject",
            metadata.type?.hasPrefix("video") != true
        {
            return textParagraphs
        }
        let description = [page.meta["og:description"], page.meta["description"], page.meta["twitter:description"]]
            .lazy.compactMap { PageMetadata.clean($0) }.first
        return description.map { $0.components(separatedBy: "\n").filter { !$0.isEmpty } } ?? []
    }

    /// The registry's name for a publication written `name` (exactly, or by an alias); `name` itself otherwise.
    public static func registryName(of name: String, in registry: Registry) -> String {
        publication(named: name, in: registry)?.name ?? name
    }

    static func publication(named name: String, in registry: Registry) -> Publication? {
        if case .exact(let index) = registry.publicationNames.match(name) { return registry.publications[index] }
        return nil
    }
}

/// YAML scalars written by briefd: double-quoted. A JSON string is a YAML double-quoted scalar, so JSON's escaping
/// serves, plus the three characters YAML 1.1 (libyaml) reads as line breaks and would fold: NEL, LS and PS.
enum YAMLText {
    static func quoted(_ text: String) -> String {
        JSONText.string(text).replacingOccurrences(of: "\u{85}", with: "\\u0085")
            .replacingOccurrences(of: "\u{2028}", with: "\\u2028").replacingOccurrences(of: "\u{2029}", with: "\\u2029")
    }
}

/// Text set into Markdown so that it reads back as the same words: the characters Markdown would take for
/// markup are escaped with a backslash.
enum MarkdownText {
    static func escaped(_ paragraph: String) -> String {
        var out = ""
        for character in paragraph {
            if "\\`*_[]<>|~".contains(character) { out.append("\\") }
            out.append(character)
        }
        // What opens a block at the start of a line: a heading, a quote, a list item, a thematic break.
        if let first = out.first, "#>+-=".contains(first) { out = "\\" + out }
        if let match = out.firstMatch(of: /^(\d{1,9})([.)])(\s|$)/) {
            out = String(match.1) + "\\" + String(out.dropFirst(match.1.count))
        }
        return out
    }
}
