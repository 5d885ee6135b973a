import ArgumentParser
import BriefdCore
import Dispatch

/// `make bench-quotes`: times locating a 120-word excerpt in a 20,000-word page (exact, and with three changed
/// words) and extracting the text of a 1 MiB page. Hidden: a benchmark, not a tool for editors.
struct BenchQuotesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-quotes", abstract: "Time the quote matcher and the article extractor.", shouldDisplay: false
    )

    @Option(help: "Repetitions of each measurement (the median is printed).")
    var rounds = 200

    func run() throws {
        var generator = SplitMix(seed: 42)
        let vocabulary = (0..<3000).map { "w\($0)x" }
        let pageWords = (0..<20_000).map { _ in vocabulary[Int(generator.next() % 3000)] }
        let page = stride(from: 0, to: pageWords.count, by: 60).map {
            pageWords[$0..<min($0 + 60, pageWords.count)].joined(separator: " ") + "."
        }
        .joined(separator: "\n\n")
        let start = 12_345
        let excerptWords = Array(pageWords[start..<(start + 120)])
        var altered = excerptWords
        for index in [17, 58, 101] { altered[index] = "changed\(index)" }

        let indexTimes = measure { _ = QuoteSource(text: page) }
        let source = QuoteSource(text: page)
        func locate(_ words: [String]) -> Double {
            let quote = words.joined(separator: " ")
            let fragments = QuoteFragments(quote)
            return measure {
                var cursor = 0
                _ = QuoteMatcher.match(fragments, quoteText: quote, in: source, cursor: &cursor)
            }
        }
        let exact = locate(excerptWords)
        let changed = locate(altered)

        var html = "<html><head><title>Bench</title></head><body><nav>menu</nav><article>"
        while html.utf8.count < 1 << 20 {
            html +=
                "<p>" + (0..<80).map { _ in vocabulary[Int(generator.next() % 3000)] }.joined(separator: " ")
                + ".</p>\n"
        }
        html += "</article><footer>footer</footer></body></html>"
        let bytes = Array(html.utf8)
        let extract = measure { _ = ArticleExtractor.extract(html: bytes, charset: "utf-8") }

        FileHandleOutput.write(
            """
            page: 20,000 words; excerpt: 120 words; \(rounds) rounds, medians
            index the page (once per page):        \(format(indexTimes)) ms
            locate the excerpt, exact:             \(format(exact)) ms   (goal < 1 ms)
            locate the excerpt, 3 words changed:   \(format(changed)) ms   (goal < 1 ms)
            extract the text of a \(bytes.count / 1024) KiB page:     \(format(extract)) ms   (goal < 20 ms)

            """)
    }

    func measure(_ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<rounds {
            let started = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    func format(_ milliseconds: Double) -> String {
        let text = String(Int((milliseconds * 1000).rounded()))
        return text.count > 3
            ? String(text.dropLast(3)) + "." + String(text.suffix(3))
            : "0." + String(repeating: "0", count: 3 - text.count) + text
    }
}

/// A small deterministic generator, so that every run times the same page.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
