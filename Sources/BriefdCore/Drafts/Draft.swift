/// What a draft is for: one digest item, a blog post with quotes, or the issue's sponsored link.
public enum DraftKind: String, Sendable, Codable, CaseIterable {
    case brief, post, sponsor
}

/// How a brief's source is presented: a `Video: ` headline prefix and so on.
public enum MediaFormat: String, Sendable, Codable, CaseIterable {
    case video, podcast
    case webinarVideo = "webinar-video"
}

/// A draft that was read and whose front matter parsed: the input to every check and to the digest.
public struct Draft: Sendable {
    /// The path as given on the command line or relative to the drafts folder.
    public var path: String
    public var source: SourceText
    public var frontMatter: FrontMatter
    public var body: MarkdownDocument
    /// The first byte of the body, after the closing front matter line.
    public var bodyStart: Int

    public var kind: DraftKind { frontMatter.kind }

    public func position(ofByte offset: Int) -> SourcePosition { source.position(ofByte: offset) }

    /// Whether the byte at `offset` is in a block quote: the source's own words, which a safe fix never changes.
    public func isInsideBlockQuote(byte offset: Int) -> Bool {
        func inside(_ blocks: [MarkdownBlock]) -> Bool {
            blocks.contains { block in
                (block.kind == .blockQuote && block.start <= offset && offset < block.end) || inside(block.children)
            }
        }
        return inside(body.blocks)
    }

    /// Where the body starts, for findings about the body as a whole.
    public var bodyPosition: SourcePosition { source.position(ofByte: bodyStart) }
}

/// The typed front matter of a draft. Fields a kind does not use stay nil.
public struct FrontMatter: Sendable {
    public var kind: DraftKind = .brief
    public var title: String?
    public var url: String?
    public var source: String?
    public var published: Day?
    public var section: String?
    public var issue: Day?
    public var format: MediaFormat?
    public var via: String?
    public var paywall: Bool?
    public var featured: Bool = false
    public var order: Int?
    public var repeatAllowed: Bool = false
    public var author: String?
    public var date: Day?
    /// Where each key's value sits, for findings about a field.
    public var positions: [String: SourcePosition] = [:]
    /// Where the front matter starts (line 1).
    public var start = SourcePosition(line: 1, column: 1)

    public init() {}

    public func position(of key: String) -> SourcePosition { positions[key] ?? start }

    /// The date the draft's content belongs to: a brief's `published`, a post's `date`.
    public var contentDate: Day? { published ?? date }
}
