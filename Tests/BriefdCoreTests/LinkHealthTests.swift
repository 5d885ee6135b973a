import BriefdCore
import Testing

/// The link-rot state machine, on histories written out by hand.
@Suite struct LinkHealthTests {
    let policy = RotPolicy()  // 3 failures spanning 72 h
    let hour = 3600.0

    func check(_ at: Double, _ verdict: LinkVerdict, outage: Bool = false) -> HealthCheck {
        let kind = HealthCheck.kind(of: verdict)
        return HealthCheck(
            at: at * hour, kind: outage && kind == .failure ? .hostOutage : kind, status: nil, verdict: verdict)
    }

    @Test func failuresMustBeManyAndSpreadOut() {
        #expect(LinkHealth.evaluate([check(0, .ok)], policy: policy).state == .alive)
        #expect(LinkHealth.evaluate([check(0, .broken)], policy: policy).state == .suspect)
        let quick = [check(0, .broken), check(1, .timeout), check(2, .soft404), check(3, .broken)]
        #expect(LinkHealth.evaluate(quick, policy: policy).state == .suspect)  // many, but within 3 hours
        let slow = [check(0, .broken), check(80, .broken)]
        #expect(LinkHealth.evaluate(slow, policy: policy).state == .suspect)  // spread, but only two
        let dead = LinkHealth.evaluate([check(0, .broken), check(36, .broken), check(72, .broken)], policy: policy)
        #expect(dead.state == .dead)
        #expect(dead.failures == 3)
        #expect(dead.firstFailure == 0)
    }

    @Test func oneLiveAnswerResetsAndNeutralAnswersDoNotCount() {
        let history = [check(0, .broken), check(36, .broken), check(40, .ok), check(72, .broken), check(100, .blocked)]
        let health = LinkHealth.evaluate(history, policy: policy)
        #expect(health.state == .suspect)
        #expect(health.failures == 1)
        #expect(
            LinkHealth.evaluate([check(0, .blocked), check(50, .paywalled), check(100, .skipped)], policy: policy).state
                == .alive)
    }

    @Test func aHostOutageCountsOnlyOnceItLastsTheThresholds() {
        let short = [check(0, .broken), check(24, .broken, outage: true), check(48, .broken, outage: true)]
        #expect(LinkHealth.evaluate(short, policy: policy).state == .suspect)
        let long = short + [check(96, .broken, outage: true)]
        let health = LinkHealth.evaluate(long, policy: policy)
        #expect(health.state == .dead)
        #expect(health.failures == 4)
        let back = long + [check(100, .ok)]
        #expect(LinkHealth.evaluate(back, policy: policy).state == .alive)
    }

    @Test func theRotAndAlertsConfigIsReadStrictly() throws {
        let config = try ConfigParser.parse(
            """
            rot: {recheck_hours: 24, dead_after_failures: 2, archive_base_url: "http://127.0.0.1:9/"}
            alerts:
              jsonl: ""
              webhook: {url: "https://hooks.example.org/x"}
              smtp: {url: "smtp://127.0.0.1:25", from: a@b.test, to: [c@d.test]}
            """, path: "/c/briefd.yml")
        #expect(config.rot.recheckHours == 24)
        #expect(config.rot.archiveBaseURL == "http://127.0.0.1:9")
        #expect(config.alerts.jsonl == nil)
        #expect(config.alerts.webhookURL == "https://hooks.example.org/x")
        #expect(config.alerts.smtpTo == ["c@d.test"])
        let noRecipient = #expect(throws: ConfigurationError.self) {
            try ConfigParser.parse("alerts:\n  smtp: {url: \"smtp://h:25\", from: a@b.test}\n", path: "c.yml")
        }
        #expect(noRecipient?.description.contains("needs 'from' and at least one address in 'to'") == true)
    }
}

@Suite("The watched links' counts")
struct LinkWatchCountTests {
    /// A link never answered is never counted alive; a link no longer watched is not counted at all.
    @Test func everyWatchedLinkIsCountedOnceAndUnansweredOnesAreNeverReached() {
        let counts = LinkWatchCount(
            watching: ["https://a.org/1", "https://a.org/2", "https://a.org/3", "https://a.org/4", "https://a.org/5"],
            states: [
                "https://a.org/1": (.alive, true), "https://a.org/2": (.suspect, true),
                "https://a.org/3": (.dead, true),
                "https://a.org/4": (.alive, false), "https://gone.org/x": (.dead, true),
            ])
        #expect(counts == LinkWatchCount(watched: 5, alive: 1, suspect: 1, dead: 1, neverReached: 2))
        #expect(counts.description == "5 links watched: 1 alive, 1 suspect, 1 dead, 2 never reached")
    }
}
