public import Foundation

/// A moment as an editor reads it: in the newsletter's time zone (`schedule.timezone`), with its offset, so that
/// nobody reads the server's hour as their own ("2026-12-10 18:00 +08:00"). JSON keeps UTC (`…Z`).
public enum ZonedTime {
    public static func text(_ seconds: Double, in zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds))
        let local = Int((seconds + Double(offset)).rounded(.down))
        let days = Int((Double(local) / 86_400).rounded(.down))
        let minuteOfDay = (local - days * 86_400) / 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let sign = offset < 0 ? "-" : "+"
        let offsetMinutes = abs(offset) / 60
        return "\(Day(daysSinceEpoch: days)) \(two(minuteOfDay / 60)):\(two(minuteOfDay % 60)) "
            + "\(sign)\(two(offsetMinutes / 60)):\(two(offsetMinutes % 60))"
    }

    public static func text(_ date: Date, in zone: TimeZone) -> String { text(date.timeIntervalSince1970, in: zone) }
}
