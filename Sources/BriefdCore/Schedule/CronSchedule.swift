public import Foundation

/// A 5-field cron expression (minute hour day-of-month month day-of-week) in a time zone, and the times it
/// falls due. Ranges (`1-5`), lists (`1,15`), steps (`*/15`, `0-30/10`) and names (`MON`–`SUN`,
/// `JAN`–`DEC`) as in cron(5); day-of-week 0 and 7 are Sunday; when both day fields are restricted, a day
/// matching either is due (as Vixie cron does).
///
/// Daylight-saving changes neither skip nor double a run: a local time that does not exist that day (inside
/// the hour the clocks jump over) runs shifted past the gap (02:30 → 03:30), and a local time that happens
/// twice runs at its first occurrence only.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    public let timeZone: TimeZone
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let daysOfMonthRestricted: Bool
    let daysOfWeekRestricted: Bool

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(_ expression: String, timeZone: TimeZone) throws(ParseError) {
        let fields = expression.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(
                description:
                    "'\(expression)' has \(fields.count) fields; a schedule needs 5: minute hour day-of-month month day-of-week"
            )
        }
        self.expression = expression
        self.timeZone = timeZone
        minutes = try CronSchedule.field(fields[0], name: "minute", range: 0...59, names: [:])
        hours = try CronSchedule.field(fields[1], name: "hour", range: 0...23, names: [:])
        daysOfMonth = try CronSchedule.field(fields[2], name: "day of month", range: 1...31, names: [:])
        months = try CronSchedule.field(fields[3], name: "month", range: 1...12, names: CronSchedule.monthNames)
        var weekdays = try CronSchedule.field(
            fields[4], name: "day of week", range: 0...7, names: CronSchedule.dayNames)
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        daysOfWeek = weekdays
        daysOfMonthRestricted = fields[2] != "*"
        daysOfWeekRestricted = fields[4] != "*"
        // A schedule that can never fall due would leave the daemon building nothing, silently, for ever.
        if let reason = neverFiresReason { throw ParseError(description: reason) }
    }

    /// Why the schedule can never fall due ("never fires: 30 February does not exist"); nil when it can. Only days
    /// of the month without days of the week can miss every date: with both, either matches.
    var neverFiresReason: String? {
        guard daysOfMonthRestricted, !daysOfWeekRestricted else { return nil }
        // February counted with its leap day: "29 2" fires every fourth year.
        let possible = months.contains { month in daysOfMonth.contains { $0 <= Day.daysIn(month: month, year: 2024) } }
        guard !possible else { return nil }
        let names = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        let impossible = months.sorted().flatMap { month in daysOfMonth.sorted().map { "\($0) \(names[month - 1])" } }
        let shown = impossible.prefix(3).joined(separator: ", ") + (impossible.count > 3 ? ", …" : "")
        return "never fires: \(shown) \(impossible.count == 1 ? "does" : "do") not exist"
    }

    public var description: String { "\(expression) (\(timeZone.identifier))" }

    static let monthNames = [
        "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11,
        "DEC": 12,
    ]
    static let dayNames = ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]

    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String: Int])
        throws(ParseError)
        -> Set<Int>
    {
        var values = Set<Int>()
        func number(_ token: Substring) throws(ParseError) -> Int {
            if let value = Int(token), range.contains(value) { return value }
            if let value = names[token.uppercased()] { return value }
            throw ParseError(
                description:
                    "'\(token)' is not a valid \(name) (\(range.lowerBound)–\(range.upperBound)\(names.isEmpty ? "" : " or a name"))"
            )
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else {
                throw ParseError(description: "'\(part)' is not a valid \(name) field")
            }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else {
                    throw ParseError(description: "'\(pieces[1])' is not a valid step in the \(name) field")
                }
                step = value
            }
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try number(base[..<dash])
                let high = try number(base[base.index(after: dash)...])
                guard low <= high else {
                    throw ParseError(description: "'\(base)' is an empty range in the \(name) field")
                }
                bounds = low...high
            } else {
                let value = try number(base)
                bounds = value...(pieces.count == 2 ? range.upperBound : value)
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private func dayMatches(year: Int, month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let domMatch = daysOfMonth.contains(day)
        let dowMatch = daysOfWeek.contains(weekday)
        switch (daysOfMonthRestricted, daysOfWeekRestricted) {
        case (true, true): return domMatch || dowMatch
        case (true, false): return domMatch
        case (false, true): return dowMatch
        case (false, false): return true
        }
    }

    /// The local days from the day of `date` on (or back), with their matching run instants in order.
    private func runs(onDayOf date: Date, calendar: Calendar) -> [Date] {
        let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let weekday = parts.weekday,
            dayMatches(year: year, month: month, day: day, weekday: weekday - 1)
        else { return [] }
        var instants: [Date] = []
        for hour in hours.sorted() {
            for minute in minutes.sorted() {
                let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)
                // A local time inside a DST gap comes back moved past the gap; a repeated one, its first instance.
                if let instant = calendar.date(from: components) { instants.append(instant) }
            }
        }
        return instants.sorted()
    }

    /// The first time the schedule falls due strictly after `date`, within about five years.
    public func next(after date: Date) -> Date? {
        let calendar = self.calendar
        guard var day = calendar.dateInterval(of: .day, for: date)?.start else { return nil }
        for _ in 0..<(366 * 5) {
            if let run = runs(onDayOf: day, calendar: calendar).first(where: { $0 > date }) { return run }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = calendar.dateInterval(of: .day, for: following)?.start ?? following
        }
        return nil
    }

    /// The last time the schedule fell due at or before `date`, within about five years.
    public func previous(atOrBefore date: Date) -> Date? {
        let calendar = self.calendar
        guard var day = calendar.dateInterval(of: .day, for: date)?.start else { return nil }
        for _ in 0..<(366 * 5) {
            if let run = runs(onDayOf: day, calendar: calendar).last(where: { $0 <= date }) { return run }
            guard let preceding = calendar.date(byAdding: .day, value: -1, to: day) else { return nil }
            day = calendar.dateInterval(of: .day, for: preceding)?.start ?? preceding
        }
        return nil
    }

    /// The local calendar day of `date` in the schedule's time zone.
    public func localDay(of date: Date) -> Day? {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        return Day(year: year, month: month, day: day)
    }
}
