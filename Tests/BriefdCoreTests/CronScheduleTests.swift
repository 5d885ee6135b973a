import BriefdCore
import Foundation
import Testing

/// The build schedule: cron(5) parsing and next-run times, across daylight-saving changes.
@Suite struct CronScheduleTests {
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let utc = TimeZone(identifier: "UTC")!

    func instant(_ text: String, _ zone: TimeZone = utc) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    func local(_ date: Date?, _ zone: TimeZone) -> String {
        guard let date else { return "nil" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: date)
    }

    /// A schedule that can never fall due is refused when the config is read (by `config check`, `run` and a reload
    /// alike), instead of a daemon that builds nothing and says nothing.
    @Test func aScheduleThatNeverFiresIsRefused() throws {
        let february = #expect(throws: CronSchedule.ParseError.self) {
            try CronSchedule("0 0 30 2 *", timeZone: Self.utc)
        }
        #expect(february?.description == "never fires: 30 February does not exist")
        let aprilJune = #expect(throws: CronSchedule.ParseError.self) {
            try CronSchedule("0 0 31 4,6 *", timeZone: Self.utc)
        }
        #expect(aprilJune?.description == "never fires: 31 April, 31 June do not exist")
        // Counter-examples: a leap day fires every fourth year; with a weekday as well, either matches.
        #expect(
            try CronSchedule("0 0 29 2 *", timeZone: Self.utc).next(after: instant("2026-03-01 00:00"))
                == instant("2028-02-29 00:00"))
        #expect(try CronSchedule("0 0 30 2 MON", timeZone: Self.utc).next(after: instant("2026-12-01 00:00")) != nil)
    }

    @Test func theDefaultScheduleIsWednesdayEvening() throws {
        let schedule = try CronSchedule("0 18 * * WED", timeZone: Self.utc)
        #expect(local(schedule.next(after: instant("2026-11-27 10:00")), Self.utc) == "2026-12-02 18:00 GMT")
        #expect(local(schedule.next(after: instant("2026-12-02 18:00")), Self.utc) == "2026-12-09 18:00 GMT")
        #expect(local(schedule.previous(atOrBefore: instant("2026-12-02 18:00")), Self.utc) == "2026-12-02 18:00 GMT")
        #expect(local(schedule.previous(atOrBefore: instant("2026-12-02 17:59")), Self.utc) == "2026-11-25 18:00 GMT")
    }

    @Test(arguments: [
        ("*/15 9-10 * * *", "2026-11-27 09:50", "2026-11-27 10:00"),
        ("0 8 1,15 * *", "2026-11-27 09:00", "2026-12-01 08:00"),
        ("0 0 * FEB MON-FRI", "2026-11-27 09:00", "2027-02-01 00:00"),
        ("0 12 13 * FRI", "2026-11-27 13:00", "2026-12-04 12:00"),  // either day field matches
        ("5 4 * * 7", "2026-11-27 09:00", "2026-11-29 04:05"),  // 7 is Sunday too
        ("0-30/10 6 * * *", "2026-11-27 06:15", "2026-11-27 06:20"),
    ])
    func fieldsCombineAsInCron(expression: String, after: String, expected: String) throws {
        let schedule = try CronSchedule(expression, timeZone: Self.utc)
        #expect(local(schedule.next(after: instant(after)), Self.utc) == expected + " GMT")
    }

    @Test(arguments: [
        "0 18 * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * FUN", "*/0 * * * *", "5-1 * * * *",
    ])
    func badExpressionsAreRefused(expression: String) {
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(expression, timeZone: Self.utc) }
    }

    @Test func theSpringForwardGapIsNotSkipped() throws {
        // 2026-03-08: New York's clocks jump from 02:00 to 03:00, so 02:30 does not exist that day.
        let schedule = try CronSchedule("30 2 * * *", timeZone: Self.newYork)
        let run = schedule.next(after: instant("2026-03-08 00:00", Self.newYork))
        #expect(local(run, Self.newYork) == "2026-03-08 03:30 EDT")
        #expect(local(schedule.next(after: run!), Self.newYork) == "2026-03-09 02:30 EDT")
    }

    @Test func theRepeatedFallBackHourRunsOnce() throws {
        // 2026-11-01: 01:00–02:00 happens twice in New York.
        let schedule = try CronSchedule("30 1 * * *", timeZone: Self.newYork)
        let first = try #require(schedule.next(after: instant("2026-11-01 00:00", Self.newYork)))
        #expect(local(first, Self.newYork) == "2026-11-01 01:30 EDT")
        let second = try #require(schedule.next(after: first))
        #expect(local(second, Self.newYork) == "2026-11-02 01:30 EST")
        #expect(second.timeIntervalSince(first) == 25 * 3600)
    }
}

@Suite("Times as editors read them")
struct ZonedTimeTests {
    @Test func aMomentIsShownInTheNewslettersZoneWithItsOffset() throws {
        // 2026-12-10T02:00:00Z
        let moment = Double(Day(iso: "2026-12-10")!.daysSinceEpoch * 86_400 + 2 * 3600)
        #expect(
            ZonedTime.text(moment, in: try #require(TimeZone(identifier: "Asia/Shanghai"))) == "2026-12-10 10:00 +08:00"
        )
        #expect(
            ZonedTime.text(moment, in: try #require(TimeZone(identifier: "America/New_York")))
                == "2026-12-09 21:00 -05:00")
        #expect(
            ZonedTime.text(moment, in: try #require(TimeZone(identifier: "Asia/Kolkata"))) == "2026-12-10 07:30 +05:30")
        #expect(ZonedTime.text(moment, in: try #require(TimeZone(identifier: "UTC"))) == "2026-12-10 02:00 +00:00")
        // Summer time: the offset of that moment, not of today.
        let july = Double(Day(iso: "2026-07-01")!.daysSinceEpoch * 86_400)
        #expect(
            ZonedTime.text(july, in: try #require(TimeZone(identifier: "Europe/London"))) == "2026-07-01 01:00 +01:00")
    }
}
