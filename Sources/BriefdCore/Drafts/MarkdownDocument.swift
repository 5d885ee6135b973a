/// A draft body parsed by cmark-gfm, as plain Swift values positioned in the draft file.
///
/// The C tree is freed before `parse` returns; blocks and their inline text keep byte offsets into the
/// file, which `SourceText.position(ofByte:)` turns into line and column.
public struct MarkdownDocument: Sendable {
    public var blocks: [MarkdownBlock]

    /// Every link of the document in reading order (inline, reference, autolink, bare URL, image).
    public var links: [MarkdownLink] {
        var result: [MarkdownLink] = []
        func visit(_ block: MarkdownBlock) {
            result.append(contentsOf: block.inline.links)
            block.children.forEach(visit)
        }
        blocks.forEach(visit)
        return result
    }
}

/// One block of Markdown: a paragraph, heading, block quote, list, code block, …
public struct MarkdownBlock: Sendable {
    public enum Kind: Sendable, Equatable {
        case paragraph
        case heading(level: Int)
        case blockQuote, list, item, codeBlock, htmlBlock, thematicBreak, other
    }

    public var kind: Kind
    /// Byte offsets of the block in the file, `start..<end`.
    public var start: Int
    public var end: Int
    public var children: [MarkdownBlock]
    /// The block's own inline text (empty for containers such as block quotes and lists).
    public var inline: InlineText
    /// The literal content of a code or HTML block.
    public var literal: String?
}

/// The plain text of a paragraph or heading, with a map from text offsets back to the file.
public struct InlineText: Sendable {
    /// Plain text: markup removed, soft and hard line breaks as single spaces.
    public var text: String = ""
    /// Ascending pairs (UTF-8 offset in `text`, byte offset in the file) where a run of text starts.
    var anchors: [(text: Int, file: Int)] = []
    public var links: [MarkdownLink] = []
    /// Inline HTML tags (`<a href=…>`), which the plain text leaves out.
    public var rawHTML: [RawHTML] = []

    public var isEmpty: Bool { text.isEmpty }

    /// The file byte offset of a UTF-8 offset into `text`.
    public func fileOffset(ofTextOffset offset: Int) -> Int {
        guard !anchors.isEmpty else { return 0 }
        var low = 0
        var high = anchors.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if anchors[middle].text <= offset { low = middle } else { high = middle - 1 }
        }
        return anchors[low].file + max(0, offset - anchors[low].text)
    }
}

/// A piece of raw HTML in Markdown and the byte offset in the file where it starts.
public struct RawHTML: Sendable, Hashable {
    public var text: String
    public var fileOffset: Int
}

/// A link found in Markdown, with where it sits in the file.
public struct MarkdownLink: Sendable, Hashable {
    public enum Kind: String, Sendable { case inline, autolink, image }
    public var url: String
    public var kind: Kind
    /// Byte offset in the file where the link starts (its text, or the URL of a bare link).
    public var fileOffset: Int
    /// UTF-8 range of the link's text within its block's `InlineText.text`.
    public var textRange: Range<Int>
}
