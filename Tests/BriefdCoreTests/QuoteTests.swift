import BriefdCore
import Foundation
import Testing

/// The quote check's pure parts: normalising, cutting quotes into fragments, locating and aligning them, and
/// reading an article out of a page.
@Suite struct QuoteMatchingTests {
    static let page = """
        The campaign against China’s largest technology companies did not begin with a single decision. It grew \
        out of years of unease inside the Party about private firms that had come to hold more data on ordinary \
        citizens than any ministry.

        What changed in the past year is the tone. Regulators who once spoke of “guiding” the platform economy \
        now speak of “rectifying” it, and the fines, delayed listings and forced restructurings have followed.
        """
    static let source = QuoteSource(text: page)

    func outcomes(_ quote: String) -> [QuoteMatcher.Outcome] {
        var cursor = 0
        return QuoteMatcher.match(QuoteFragments(quote), quoteText: quote, in: Self.source, cursor: &cursor).map(
            \.outcome)
    }

    @Test func wordsAreComparedAsReadersReadThem() {
        let words = QuoteText.words("“Didn’t” the ﬁrst ＡＢＣ co\u{AD}operate, Yes.")
        #expect(words.map(\.normalized) == ["didn't", "the", "first", "abc", "cooperate", "yes"])
        #expect(words[0].range == 3..<11)  // After the curly quote (3 bytes), "Didn’t" is 8 bytes.
    }

    @Test func chineseAndJapaneseAreComparedCharacterByCharacter() {
        let words = QuoteText.words("习近平说：“共同富裕”")
        #expect(words.map(\.normalized) == ["习", "近", "平", "说", "共", "同", "富", "裕"])
        #expect(words[1].range == 3..<6)
        // A quote that starts inside a run of characters (no spaces in Chinese) is still found word for word.
        let page = QuoteSource(text: "国务院前总理朱镕基说，改革必须继续推进。他还说，开放不会停止。")
        var cursor = 0
        let quote = "必须继续推进。他还说"
        let result = QuoteMatcher.match(QuoteFragments(quote), quoteText: quote, in: page, cursor: &cursor).map(
            \.outcome)
        guard case .exact = result.first else {
            Issue.record("\(result)")
            return
        }
        // English around a Chinese term keeps its words.
        #expect(
            QuoteText.words("the slogan 共同富裕 (common prosperity)").map(\.normalized)
                == ["the", "slogan", "共", "同", "富", "裕", "common", "prosperity"])
    }

    @Test func omissionMarksCutFragmentsAndInsertionsAreWildcards() {
        for mark in ["[…]", "[...]", "…", "...", ". . ."] {
            #expect(QuoteFragments("one two \(mark) three four").fragments.count == 2, "\(mark)")
        }
        let fragments = QuoteFragments("They [the regulators] now speak").fragments
        #expect(fragments.count == 1)
        #expect(fragments[0].count == 4)
        if case .insertion = fragments[0][1] {} else { Issue.record("expected an insertion, got \(fragments[0][1])") }
    }

    @Test func aVerbatimQuoteIsFoundExactly() {
        let result = outcomes("It grew out of years of unease inside the Party about private firms")
        guard case .exact = result.first else {
            Issue.record("\(result)")
            return
        }
    }

    @Test func fragmentsAroundOmissionsAreFoundInOrder() {
        let result = outcomes(
            "The campaign against China's largest technology companies […] What changed in the past year is the tone.")
        #expect(result.count == 2)
        #expect(result.allSatisfy { if case .exact = $0 { true } else { false } }, "\(result)")
    }

    @Test func anInsertionMatchesTheWordsItReplaces() {
        let result = outcomes("Regulators [who] once spoke of \"guiding\" the platform economy")
        guard case .exact = result.first else {
            Issue.record("\(result)")
            return
        }
        let replaced = outcomes("[Officials] who once spoke of \"guiding\" the platform economy")
        guard case .exact = replaced.first else {
            Issue.record("\(replaced)")
            return
        }
    }

    @Test func swappedFragmentsAreOutOfOrder() {
        let result = outcomes(
            "What changed in the past year is the tone. [...] It grew out of years of unease inside the Party")
        #expect(result.count == 2)
        guard case .exact = result[0], case .outOfOrder = result[1] else {
            Issue.record("\(result)")
            return
        }
    }

    @Test func aChangedWordIsAlteredWithTheDifference() throws {
        let quote = "Regulators who once spoke of guiding the platform economy now speak of crushing it, and the fines"
        let result = outcomes(quote)
        guard case .altered(_, let similarity, let differences) = result.first else {
            Issue.record("\(result)")
            return
        }
        #expect(similarity > 0.9 && similarity < 1)
        #expect(differences.map(\.quote) == ["crushing"])
        #expect(differences.map(\.source) == ["rectifying"])
        let range = try #require(differences.first?.quoteRange)
        #expect(String(decoding: Array(quote.utf8)[range], as: UTF8.self) == "crushing")
    }

    @Test func aFabricatedSentenceIsNotFound() {
        #expect(
            outcomes("Beijing announced a sweeping new tax on cryptocurrency miners in Sichuan province today.") == [
                .notFound
            ])
    }

    @Test func workIsBoundedForHugeQuotesAndPages() {
        let big = String(repeating: "word another thing ", count: 10_000)
        let source = QuoteSource(text: big)
        var cursor = 0
        let quote = String(repeating: "different text here ", count: 1_700)
        let seconds = cpuSeconds {
            _ = QuoteMatcher.match(QuoteFragments(quote), quoteText: quote, in: source, cursor: &cursor)
        }
        #expect(seconds < 5)
    }
}

@Suite struct ArticleExtractionTests {
    static let html = """
        <!DOCTYPE html><html><head><title>Inside the Credit Database | Caixin</title>
        <meta property="article:published_time" content="2026-11-21T08:30:00+08:00">
        <script>var tracking = "not article text";</script><style>p { color: red }</style></head>
        <body><header><nav><a href="/">Home</a> <a href="/economy">Economy</a></nav></header>
        <aside class="related"><p>Related: Ten things about credit</p></aside>
        <article><h1>Inside the Credit Database</h1><p class="byline">By Li Wen</p>
        <p>A new national database will pull together tax records, court judgments and social insurance
        payments for every registered company in China, officials said on Thursday.</p>
        <!-- an editor's comment -->
        <p>The database is expected to go live in the second&nbsp;half of next year.</p></article>
        <footer><p>© Caixin Global. All rights reserved.</p></footer></body></html>
        """

    @Test func theArticleIsReadWithoutTheChrome() throws {
        let article = try #require(ArticleExtractor.extract(html: Array(Self.html.utf8), charset: nil))
        #expect(article.published == Day(iso: "2026-11-21"))
        #expect(article.title == "Inside the Credit Database | Caixin")
        #expect(article.text.contains("officials said on Thursday."))
        #expect(article.text.contains("second half of next year"))
        for chrome in ["Home", "Related", "tracking", "rights reserved", "color", "editor's comment"] {
            #expect(!article.text.contains(chrome), "\(chrome)")
        }
        #expect(article.text.components(separatedBy: "\n\n").count == 4)  // heading, byline, two paragraphs
    }

    @Test func datesComeFromJSONLDOrTimeAndTheDensestBlockWithoutArticle() throws {
        let html = """
            <html><body><div class="menu"><p>Menu</p></div>
            <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2026-11-19T10:00:00Z"}</script>
            <div class="story"><p>First long paragraph of the story, with many words in it.</p>
            <p>Second long paragraph of the story, with many more words in it.</p></div></body></html>
            """
        let article = try #require(ArticleExtractor.extract(html: Array(html.utf8), charset: nil))
        #expect(article.published == Day(iso: "2026-11-19"))
        #expect(!article.text.contains("Menu"))
        let timed = try #require(
            ArticleExtractor.extract(
                html: Array("<p><time datetime=\"2026-10-01\">Oct 1</time> text</p>".utf8), charset: nil))
        #expect(timed.published == Day(iso: "2026-10-01"))
    }

    @Test func theDeclaredCharsetIsConverted() throws {
        let latin1: [UInt8] =
            Array("<html><body><article><p>Caf".utf8) + [0xE9] + Array(" au lait</p></article></body></html>".utf8)
        let article = try #require(ArticleExtractor.extract(html: latin1, charset: "ISO-8859-1"))
        #expect(article.text == "Café au lait")
    }

    @Test func malformedAndHostilePagesAreReadBounded() throws {
        let broken = "<html><body><article><p>Unclosed <b>bold <i>and<p>next</article></div></span>"
        #expect(ArticleExtractor.extract(html: Array(broken.utf8), charset: nil)?.text.contains("next") == true)
        let line = "<p>" + String(repeating: "word ", count: 1_000_000) + "</p>"
        var extracted: String?
        let seconds = cpuSeconds { extracted = ArticleExtractor.extract(html: Array(line.utf8), charset: nil)?.text }
        #expect(extracted?.isEmpty == false)
        #expect(seconds < 5)
        // Bytes that are not UTF-8 although the page says so: read past, the good words kept.
        let invalid: [UInt8] =
            Array("<article><p>good words ".utf8) + [0xC3, 0x28, 0xFF] + Array(" more good words</p></article>".utf8)
        let text = ArticleExtractor.extract(html: invalid, charset: "UTF-8")?.text ?? ""
        #expect(text.hasPrefix("good words"), "\(text)")
    }
}

/// The processor time this thread spends on `work`, in seconds: the bound of a "work is bounded" test is on the work
/// itself, not on how busy the rest of a parallel test run keeps the machine.
func cpuSeconds(_ work: () -> Void) -> Double {
    func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    let started = now()
    work()
    return now() - started
}
