/// The `digest:` section of `briefd.yml`: when issues come out and the standing text around the items.
public struct DigestSettings: Sendable {
    /// The day of the week issues come out; `briefd build` without `--issue` builds the next one.
    public var issueWeekday = Weekday.thursday
    /// The public address of the digest's web pages (the archive, feeds and each issue's page under it).
    public var siteURL = "https://example.org/zgbriefs/"
    public var disclaimer =
        "The items below are links to other websites. Their inclusion does not mean that we endorse their content."
    public var supportText = "Support this newsletter"
    public var supportURL = "https://example.org/zgbriefs/support"
    public var sponsorLine = "Interested in sponsoring ZGBriefs? Write to us at sponsors@example.org."
    /// Replaces the sponsored link with a donation appeal (as ZGBriefs does in December).
    public var donationAppeal = false
    public var donationText = "ZGBriefs is free to read because readers support it. Please consider a year-end gift."
    public var donationURL = "https://example.org/zgbriefs/give"
    public var tagline = "Scanning the internet so you don't have to"
    /// Where readers subscribe and unsubscribe; set them to the mailing system's own links or merge tags.
    public var subscribeURL = "https://example.org/zgbriefs/subscribe"
    public var unsubscribeURL = "https://example.org/zgbriefs/unsubscribe"
    /// Issues listed in `feed.xml` and `feed.json`.
    public var feedIssues = 20

    public init() {}
}

public enum Weekday: String, Sendable, CaseIterable {
    case sunday, monday, tuesday, wednesday, thursday, friday, saturday

    /// 0 for Sunday … 6 for Saturday.
    public var index: Int { Weekday.allCases.firstIndex(of: self)! }

    public static func of(_ day: Day) -> Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((day.daysSinceEpoch + 4) % 7 + 7) % 7
        return Weekday.allCases[index]
    }

    /// The first day on or after `day` that falls on this weekday.
    public func next(onOrAfter day: Day) -> Day {
        day.adding(days: (index - Weekday.of(day).index + 7) % 7)
    }
}
