import BriefdCore
import Foundation
import Testing

/// The email checks on an email that breaks each rule once, and on one that breaks none.
@Suite struct EmailChecksTests {
    static let good = """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>p{margin:0}</style></head><body>
        <table role="presentation"><tr><td><img src="https://example.org/logo.png" alt="ZGBriefs">
        <a href="https://example.org/a">Village schools close</a> <a href="mailto:editors@example.org">Write to us</a>
        </td></tr></table></body></html>
        """

    @Test func aGoodEmailHasNoFinding() {
        #expect(
            EmailChecks.check(
                html: Array(Self.good.utf8), text: "https://example.org/a", itemURLs: ["https://example.org/a"]
            ).isEmpty)
    }

    @Test func eachRuleFindsItsMistakeAtItsLine() {
        let bad = """
            <!DOCTYPE html><html><head><link rel="stylesheet" href="https://cdn.example.org/x.css">
            <script src="https://cdn.example.org/x.js"></script></head><body>
            <table><tr><td><img src="https://example.org/logo.png">
            <a href="/relative">Village schools close</a>
            <a href="https://example.org/b">click here</a>
            <a href="https://example.org/c">https://example.org/c</a>
            </td></tr></table></body></html>
            """
        let findings = EmailChecks.check(
            html: Array(bad.utf8), text: "only https://example.org/b",
            itemURLs: ["https://example.org/b", "https://example.org/c"])
        let rules = findings.map { "\($0.rule)@\($0.line.map(String.init) ?? "-")" }
        #expect(
            rules.sorted()
                == [
                    "email.img-alt@3", "email.lang@1", "email.layout-table@3", "email.link-text@5", "email.link-text@6",
                    "email.relative-link@4", "email.remote-resource@1", "email.remote-resource@2", "email.text-part@-",
                ].sorted(), "\(rules)")
    }

    @Test func anEmailOverGmailsClippingSizeIsFound() {
        let big = Self.good.replacingOccurrences(
            of: "</body>", with: "<p>" + String(repeating: "word ", count: 25_000) + "</p></body>")
        let findings = EmailChecks.check(html: Array(big.utf8), text: "https://example.org/a", itemURLs: [])
        #expect(findings.map(\.rule) == ["email.clipped"])
    }
}

/// The gate: each reason alone holds the issue back; links that could not be checked do not.
@Suite struct SendGateTests {
    static let clean = SendGate.Facts(
        notBuilt: nil, brokenLinks: [], alteredQuotes: [], emailFindings: [], uncheckedLinks: [])

    @Test func eachReasonAloneRefusesAndNothingElseDoes() {
        #expect(SendGate.reasons(Self.clean).isEmpty)
        var unchecked = Self.clean
        unchecked.uncheckedLinks = ["https://example.org/a"]
        #expect(SendGate.reasons(unchecked).isEmpty)
        var dead = Self.clean
        dead.brokenLinks = [("https://example.org/a", "404")]
        #expect(SendGate.reasons(dead) == ["the link https://example.org/a is broken now: 404"])
        var altered = Self.clean
        altered.alteredQuotes = ["a.md:3:1: the quote differs"]
        #expect(SendGate.reasons(altered) == ["an altered quote: a.md:3:1: the quote differs"])
        var email = Self.clean
        email.emailFindings = [EmailFinding(rule: "email.lang", message: "no lang", line: 1)]
        #expect(SendGate.reasons(email) == ["the email fails email.lang at line 1: no lang"])
        var notBuilt = dead
        notBuilt.notBuilt = "the issue of 2026-12-03 is not built; build it first"
        #expect(SendGate.reasons(notBuilt) == ["the issue of 2026-12-03 is not built; build it first"])
    }
}
