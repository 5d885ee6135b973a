import BriefdCore
import Foundation
import Testing

/// The link checker's pure parts: extraction, addresses, the safety policy, politeness, decisions.
@Suite struct LinkExtractionTests {
    func links(_ markdown: String, path: String = "d.md") -> [CitedLink] {
        LinkExtractor.links(path: path, bytes: Array(markdown.utf8))
    }

    @Test func everyKindOfLinkIsFoundWithItsPosition() {
        let text = """
            Intro [inline](https://a.org/1) and <https://b.org/2>, bare https://c.org/3 too.

            A [reference][ref] and ![image](https://d.org/i.png).

            <p>Raw <a href="https://e.org/5?x=1&amp;y=2">html</a> and <img src='https://f.org/6.jpg'></p>

            Inline html <a href=https://g.org/7>here</a>.

            [ref]: https://h.org/ref
            """
        let found = links(text)
        #expect(
            found.map(\.url) == [
                "https://a.org/1", "https://b.org/2", "https://c.org/3", "https://h.org/ref", "https://d.org/i.png",
                "https://e.org/5?x=1&y=2", "https://f.org/6.jpg", "https://g.org/7",
            ])
        let positions = Dictionary(uniqueKeysWithValues: found.map { ($0.url, $0.citations[0]) })
        #expect(positions["https://a.org/1"].map { [$0.line, $0.column] } == [1, 8])  // the link text
        #expect(positions["https://c.org/3"].map { [$0.line, $0.column] } == [1, 61])
        #expect(positions["https://e.org/5?x=1&y=2"].map { [$0.line, $0.column] } == [5, 17])  // the attribute value
        #expect(positions["https://g.org/7"].map { [$0.line, $0.column] } == [7, 21])
    }

    @Test func codeIsNotALink() {
        let text =
            "```\nhttps://in.code/block\n```\n\n`https://in.code/span` but https://real.org/x\n\n    https://indented.code/\n"
        #expect(links(text).map(\.url) == ["https://real.org/x"])
    }

    @Test func relativeLinksAndFragmentsAreLeftOut() {
        #expect(
            links("[a](../x.md) [b](#top) [c](/about) [d](mailto:ed@zgbriefs.org)").map(\.url) == [
                "mailto:ed@zgbriefs.org"
            ])
    }

    @Test func aDraftsFrontMatterURLIsCitedAtItsLine() {
        let draft = "---\ntitle: T\nurl: https://www.caixinglobal.com/story/\n---\nSee https://other.org/.\n"
        let found = links(draft)
        #expect(found.map(\.url) == ["https://www.caixinglobal.com/story/", "https://other.org/"])
        #expect(found[0].citations[0].line == 3)
        #expect(found[1].citations[0].line == 5)
    }

    @Test func aURLCitedTwiceKeepsBothPlaces() {
        let merged = CitedLink.merging([
            links("https://x.org/a", path: "1.md"), links("\n\nhttps://x.org/a", path: "2.md"),
        ])
        #expect(merged.count == 1)
        #expect(
            merged[0].citations == [
                LinkCitation(path: "1.md", line: 1, column: 1), LinkCitation(path: "2.md", line: 3, column: 1),
            ])
    }
}

@Suite struct AddressTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.0/8"), ("10.1.2.3", "10.0.0.0/8"), ("172.20.0.1", "172.16.0.0/12"),
        ("192.168.1.1", "192.168.0.0/16"), ("169.254.169.254", "169.254.0.0/16"), ("100.64.0.1", "100.64.0.0/10"),
        ("0.0.0.0", "0.0.0.0/8"), ("224.0.0.1", "224.0.0.0/4"), ("::1", "::1/128"), ("::", "::/128"),
        ("fd12::1", "fc00::/7"), ("fe80::1", "fe80::/10"), ("ff02::1", "ff00::/8"), ("::ffff:10.0.0.1", "10.0.0.0/8"),
        // IPv6 addresses that reach an internal IPv4 one: NAT64's well-known prefix, IPv4-compatible, 6to4; and the
        // deprecated site-local block.
        ("64:ff9b::10.0.0.1", "10.0.0.0/8"), ("64:ff9b::c0a8:101", "192.168.0.0/16"), ("::127.0.0.1", "127.0.0.0/8"),
        ("2002:a9fe:a9fe::1", "169.254.0.0/16"), ("fec0::1", "fec0::/10"),
    ])
    func privateAndSpecialAddressesAreRefused(address: String, network: String) throws {
        let ip = try #require(IPAddress(address))
        #expect(AddressPolicy().refusal(for: ip)?.description == IPNetwork(network)?.description)
    }

    @Test(arguments: [
        "93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "100.128.0.1", "64:ff9b::808:808",
        "2002:5db8:d822::1",
    ])
    func publicAddressesAreAllowed(address: String) throws {
        #expect(AddressPolicy().refusal(for: try #require(IPAddress(address))) == nil)
    }

    @Test func allowedNetworksOpenOnlyThemselves() throws {
        let policy = AddressPolicy(allowed: [try #require(IPNetwork("127.0.0.0/8"))])
        #expect(policy.refusal(for: try #require(IPAddress("127.0.0.9"))) == nil)
        #expect(policy.refusal(for: try #require(IPAddress("::1"))) != nil)
        #expect(policy.refusal(for: try #require(IPAddress("10.0.0.1"))) != nil)
    }

    @Test func malformedAddressesAndNetworksAreRejected() {
        for text in ["256.0.0.1", "1.2.3", "1.2.3.4.5", "::1::2", "12345::", "a.b.c.d", ""] {
            #expect(IPAddress(text) == nil)
        }
        for text in ["10.0.0.0/33", "::/129", "10.0.0.0/-1", "10/8"] { #expect(IPNetwork(text) == nil) }
        #expect(IPAddress("::ffff:7f00:1")?.description == "::ffff:127.0.0.1")
        #expect(IPAddress("2001:db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
    }

    @Test(arguments: [
        ("https://a.org/x/y?q#f", "/z", "https://a.org/z"), ("https://a.org/x/y", "z", "https://a.org/x/z"),
        ("https://a.org/x/y", "../z", "https://a.org/z"), ("https://a.org/x/y", "//b.org/p", "https://b.org/p"),
        ("https://a.org/x/y", "?page=2", "https://a.org/x/y?page=2"),
        ("http://a.org:8080/x", "/y", "http://a.org:8080/y"),
        ("https://a.org/x", "HTTPS://B.ORG/", "HTTPS://B.ORG/"),
        ("https://a.org/a/b/", "./c/../d", "https://a.org/a/b/d"),
    ])
    func redirectTargetsResolveAgainstTheRequest(base: String, location: String, expected: String) {
        #expect(WebAddress.resolve(location, against: base) == expected)
    }
}

@Suite struct HostScheduleTests {
    @Test func hostsTakeTurnsWithinTheLimits() {
        var schedule = HostSchedule<Int>(maxActive: 3, perHostActive: 2, interval: 0)
        for item in 0..<4 { schedule.enqueue(item, host: "a", now: 0) }
        for item in 10..<12 { schedule.enqueue(item, host: "b", now: 0) }
        let first = schedule.takeReady(now: 0)
        #expect(first.map(\.item) == [0, 10, 1])
        #expect(schedule.takeReady(now: 0).isEmpty)
        schedule.finished(host: "a", serverError: false)
        #expect(schedule.takeReady(now: 0).map(\.item) == [11])
    }

    @Test func anIntervalSpacesStartsToOneHostButNotOthers() {
        var schedule = HostSchedule<Int>(maxActive: 10, perHostActive: 10, interval: 0.1)
        for item in 0..<3 { schedule.enqueue(item, host: "a", now: 0) }
        schedule.enqueue(9, host: "b", now: 0)
        #expect(schedule.takeReady(now: 0).map(\.item) == [0, 9])
        schedule.sent(host: "a", at: 0)
        schedule.sent(host: "b", at: 0)
        #expect(schedule.nextWakeup(now: 0) == 0.1)
        #expect(schedule.takeReady(now: 0.05).isEmpty)
        #expect(schedule.takeReady(now: 0.1).map(\.item) == [1])
    }

    @Test func theBusiestHostSetsTheLowerBound() {
        // 20 items on one host and 20 spread over 10 others, 100 ms apart per host: done at 1.9 s.
        var schedule = HostSchedule<Int>(maxActive: 128, perHostActive: 10, interval: 0.1)
        for item in 0..<20 { schedule.enqueue(item, host: "busy", now: 0) }
        for item in 0..<20 { schedule.enqueue(100 + item, host: "h\(item % 10)", now: 0) }
        var now = 0.0
        var last = 0.0
        while !schedule.isIdle {
            for (host, _) in schedule.takeReady(now: now) {
                last = now
                schedule.sent(host: host, at: now)
                schedule.finished(host: host, serverError: false)
            }
            guard let wake = schedule.nextWakeup(now: now) else { break }
            now = wake
        }
        #expect(abs(last - 1.9) < 0.001)
    }

    @Test func aPauseHoldsTheHostAndRepeated5xxSlowItDown() {
        var schedule = HostSchedule<Int>(maxActive: 10, perHostActive: 10, interval: 0)
        schedule.pause(host: "a", until: 5)
        schedule.enqueue(1, host: "a", now: 0)
        #expect(schedule.takeReady(now: 1).isEmpty)
        #expect(schedule.nextWakeup(now: 1) == 5)
        #expect(schedule.takeReady(now: 5).count == 1)
        schedule.finished(host: "a", serverError: true)
        schedule.enqueue(2, host: "a", now: 5)
        schedule.enqueue(3, host: "a", now: 5)
        #expect(schedule.takeReady(now: 5).count == 2)
        schedule.finished(host: "a", serverError: true)
        schedule.finished(host: "a", serverError: true)
        #expect(schedule.nextWakeup(now: 5) == nil)  // nothing waiting
        schedule.enqueue(4, host: "a", now: 5)
        schedule.enqueue(5, host: "a", now: 5)
        #expect(schedule.takeReady(now: 5).map(\.item) == [4])
        // Three 5xx in a row: the next start waits 200 ms instead of none.
        #expect(abs((schedule.nextWakeup(now: 5) ?? 0) - 5.2) < 1e-9)
        schedule.finished(host: "a", serverError: false)
        #expect(schedule.takeReady(now: 5.2).map(\.item) == [5])
        schedule.enqueue(6, host: "a", now: 5.2)
        #expect(schedule.takeReady(now: 5.2).map(\.item) == [6])  // one success restores the pace
    }

    @Test func delayedItemsWaitTheirTurn() {
        var schedule = HostSchedule<Int>(maxActive: 10, perHostActive: 10, interval: 0)
        schedule.enqueue(1, host: "a", notBefore: 2, now: 0)
        #expect(schedule.takeReady(now: 1).isEmpty)
        #expect(schedule.nextWakeup(now: 1) == 2)
        #expect(schedule.takeReady(now: 2).map(\.item) == [1])
    }

    @Test func followUpsGoFirstButArePacedLikeEveryRequest() {
        var schedule = HostSchedule<Int>(maxActive: 10, perHostActive: 2, interval: 1)
        schedule.enqueue(1, host: "a", now: 0)
        schedule.enqueue(2, host: "a", now: 0)
        #expect(schedule.takeReady(now: 0).map(\.item) == [1])
        schedule.sent(host: "a", at: 0)
        schedule.finished(host: "a", serverError: false)
        schedule.enqueue(11, host: "a", now: 0.1, followUp: true)  // 1 redirected
        #expect(schedule.nextWakeup(now: 0.1) == 1)
        #expect(schedule.takeReady(now: 0.5).isEmpty)
        #expect(schedule.takeReady(now: 1).map(\.item) == [11])  // before 2, one interval after 1
        schedule.sent(host: "a", at: 1)
        #expect(schedule.takeReady(now: 1.5).isEmpty)
        #expect(schedule.takeReady(now: 2).map(\.item) == [2])
    }

    @Test func theIntervalCountsFromWhenARequestWentOnTheWire() {
        var schedule = HostSchedule<Int>(maxActive: 10, perHostActive: 4, interval: 0.1)
        for item in 1...3 { schedule.enqueue(item, host: "a", now: 0) }
        #expect(schedule.takeReady(now: 0).map(\.item) == [1])
        // The connection takes 0.5 s: nothing else is handed out until the first request is sent.
        #expect(schedule.takeReady(now: 0.3).isEmpty)
        #expect(schedule.nextWakeup(now: 0.3) == nil)
        schedule.sent(host: "a", at: 0.5)
        #expect(schedule.takeReady(now: 0.55).isEmpty)
        #expect(schedule.nextWakeup(now: 0.55).map { abs($0 - 0.6) < 1e-9 } == true)
        #expect(schedule.takeReady(now: 0.6).map(\.item) == [2])
        // A request that never reached the wire (refused) frees the host at once, after the interval.
        schedule.finished(host: "a", serverError: false, neverSent: true)
        #expect(schedule.takeReady(now: 0.7).map(\.item) == [3])
    }

    @Test func removeAllHandsOverEveryItemWhateverTheLimits() {
        var schedule = HostSchedule<Int>(maxActive: 1, perHostActive: 1, interval: 1)
        for item in 1...3 { schedule.enqueue(item, host: "a", now: 0) }
        schedule.enqueue(4, host: "b", notBefore: 5, now: 0)
        schedule.enqueue(5, host: "a", now: 0, followUp: true)
        #expect(schedule.takeReady(now: 0).map(\.item) == [5])
        #expect(schedule.removeAll().sorted() == [1, 2, 3, 4])
        #expect(schedule.isIdle)
    }

    @Test func aRetryGoesToTheFrontOfItsHostsQueue() {
        var schedule = HostSchedule<Int>(maxActive: 1, perHostActive: 1, interval: 0)
        for item in 1...3 { schedule.enqueue(item, host: "a", now: 0) }
        #expect(schedule.takeReady(now: 0).map(\.item) == [1])
        schedule.finished(host: "a", serverError: true)
        schedule.enqueue(1, host: "a", notBefore: 1, now: 0)
        #expect(schedule.takeReady(now: 0).map(\.item) == [2])
        schedule.finished(host: "a", serverError: false)
        #expect(schedule.takeReady(now: 1).map(\.item) == [1])
    }
}

@Suite struct LinkDecisionTests {
    @Test func retryAfterDatesAreRead() {
        var probe = LinkProbe(url: "https://a.org/x", settings: LinkSettings())
        _ = probe.start()
        let now = 1_445_412_470.0  // 2015-10-21 07:27:50 UTC
        let step = probe.next(
            after: .success(HTTPResponse(status: 503, headers: ["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"])),
            now: now)
        guard case .send(_, let delay, let pauseHost) = step else {
            Issue.record("expected a retry, got \(step)")
            return
        }
        #expect(abs(delay - 10) < 0.001)
        #expect(pauseHost)
    }

    @Test(arguments: [
        (LinkVerdict.broken, Rule.linkBroken), (.redirected, .linkRedirected), (.soft404, .linkSoft404),
        (.blocked, .linkBlocked), (.timeout, .linkTimeout), (.blockedAddress, .linkBlockedAddress),
    ])
    func eachProblemVerdictHasItsRule(verdict: LinkVerdict, rule: Rule) throws {
        let result = LinkResult(
            url: "https://a.org/x", verdict: verdict, status: 404, finalURL: "https://a.org/y", error: "why")
        let finding = try #require(LinkFindings.finding(for: result, at: SourcePosition(line: 4, column: 2)))
        #expect(finding.rule == rule)
        #expect(finding.position == SourcePosition(line: 4, column: 2))
        #expect(finding.message.contains("https://a.org/x"))
    }

    @Test(arguments: [LinkVerdict.ok, .paywalled, .skipped])
    func workingAndSkippedLinksHaveNoFinding(verdict: LinkVerdict) {
        let result = LinkResult(url: "https://a.org/x", verdict: verdict)
        #expect(LinkFindings.finding(for: result, at: SourcePosition(line: 1, column: 1)) == nil)
    }

    @Test func findingsAreMadeAtEveryCitationOfTheDraft() {
        let link = CitedLink(
            url: "https://a.org/old",
            citations: [
                LinkCitation(path: "d.md", line: 3, column: 5), LinkCitation(path: "other.md", line: 1, column: 1),
                LinkCitation(path: "d.md", line: 9, column: 2),
            ])
        let result = LinkResult(
            url: link.url, verdict: .redirected, status: 200, finalURL: "https://a.org/new",
            redirects: [LinkRedirect(status: 301, url: "https://a.org/new")])
        let findings = LinkFindings.findings(path: "d.md", links: [link], results: [link.url: result])
        #expect(findings.map(\.position.line) == [3, 9])
        #expect(findings.allSatisfy { $0.rule == .linkRedirected && $0.suggestion == "https://a.org/new" })
    }

    @Test func theJSONReportHasTheDocumentedShape() throws {
        let link = CitedLink(url: "https://a.org/\"q\"", citations: [LinkCitation(path: "d.md", line: 2, column: 3)])
        let result = LinkResult(
            url: link.url, verdict: .broken, status: 404, error: "404", checkedAt: 1_795_800_000,
            durationMilliseconds: 12)
        let text = LinkReportFormatter.json([LinkReportFormatter.Entry(link: link, result: result)])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let entry = try #require((document["links"] as? [[String: Any]])?.first)
        #expect(entry["url"] as? String == "https://a.org/\"q\"")
        #expect(entry["ok"] as? Bool == false)
        #expect(entry["verdict"] as? String == "broken")
        #expect(entry["status"] as? Int == 404)
        #expect(entry["final_url"] is NSNull)
        #expect(entry["checked_at"] as? String == "2026-11-27T17:20:00Z")
        #expect(entry["duration_ms"] as? Int == 12)
        #expect(entry["cached"] as? Bool == false)
        #expect((entry["sources"] as? [[String: Any]])?.first?["line"] as? Int == 2)
        #expect((document["summary"] as? [String: Any])?["problems"] as? Int == 1)
    }

    @Test func theLinksConfigSectionIsReadStrictly() throws {
        let config = try ConfigParser.parse(
            "links:\n  per_host_concurrency: 10\n  allow_networks: [127.0.0.0/8]\n  exclude: ['^https://x\\.org/']\n",
            path: "/c/briefd.yml")
        #expect(config.links.perHostConcurrency == 10)
        #expect(config.links.allowNetworks.map(\.description) == ["127.0.0.0/8"])
        #expect(config.links.exclude == ["^https://x\\.org/"])
        let badNetwork = #expect(throws: ConfigurationError.self) {
            try ConfigParser.parse("links:\n  allow_networks: [10.0.0.0/40]\n", path: "c.yml")
        }
        #expect(badNetwork?.description.hasPrefix("c.yml:2:20:") == true)
        let badPattern = #expect(throws: ConfigurationError.self) {
            try ConfigParser.parse("links:\n  exclude: ['([']\n", path: "c.yml")
        }
        #expect(badPattern?.description.contains("invalid regular expression") == true)
        let unknown = #expect(throws: ConfigurationError.self) {
            try ConfigParser.parse("links:\n  per_host_interval: 5\n", path: "c.yml")
        }
        #expect(unknown?.description.contains("did you mean 'per_host_interval_ms'") == true)
    }
}

/// A link's failure is said in the editor's words; the raw text stays in the result for the JSON.
@Suite struct LinkProblemTests {
    @Test(arguments: [
        (404, "404", "not found (404)"),
        (410, "410", "gone: the site has removed the page (410)"),
        (503, "503 Service Unavailable after 3 tries", "the site is unavailable for now (503) after 3 tries"),
        (418, "418", "the site refused the request (418)"),
    ])
    func anHTTPStatusIsSaidAsWhatItMeans(status: Int, error: String, sentence: String) {
        #expect(LinkProblem.sentence(status: status, error: error) == sentence)
    }

    @Test(arguments: [
        (
            "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number",
            "the server does not speak HTTPS at this address"
        ),
        (
            "Could not resolve host: www.sixthtone.invalid",
            "the site's name does not resolve: no such site, or the name's records are missing"
        ),
        (
            "Failed to connect to 127.0.0.1 port 9: Connection refused (3 tries, 2 s)",
            "nothing answers at that address: the connection was refused (3 tries, 2 s)"
        ),
        ("SSL certificate problem: certificate has expired", "the site's security certificate has expired"),
        (
            "SSL certificate problem: self-signed certificate",
            "the site's security certificate is self-signed, so it cannot be trusted"
        ),
        ("Operation timed out after 10001 milliseconds with 0 bytes received", "no answer within the time limit"),
        ("Empty reply from server", "the server closed the connection without answering"),
    ])
    func aTransportFailureIsSaidWithoutTheLibrarysWords(raw: String, sentence: String) {
        let said = LinkProblem.sentence(status: nil, error: raw)
        #expect(said == sentence)
        #expect(said?.contains("OpenSSL") == false && said?.contains("error:") == false)
    }

    /// briefd's own sentences pass through as they are, and a finding never says the status twice.
    @Test func briefdsOwnWordsStayAndTheStatusIsSaidOnce() {
        #expect(LinkProblem.sentence(status: 200, error: nil) == nil)
        #expect(LinkProblem.sentence(status: 404, error: nil) == "not found (404)")
        #expect(
            LinkProblem.sentence(status: nil, error: "redirect loop back to https://a.org/")
                == "redirect loop back to https://a.org/")
        let finding = LinkFindings.finding(
            for: LinkResult(url: "https://a.org/x", verdict: .broken, status: 404, error: "404"),
            at: SourcePosition(line: 3, column: 1))
        #expect(finding?.message == "https://a.org/x is broken: not found (404)")
    }
}
