/// How long ago something happened, in the words an editor reads at a glance: "just now", "12 minutes ago",
/// "3 hours ago", "5 days ago". Used where a verdict is shown with its age (a link checked last week may have died
/// since).
public enum ElapsedTime {
    public static func phrase(since then: Double, now: Double) -> String {
        let seconds = max(0, now - then)
        func plural(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s") ago" }
        switch seconds {
        case ..<60: return "just now"
        case ..<3_600: return plural(Int(seconds / 60), "minute")
        case ..<86_400: return plural(Int(seconds / 3_600), "hour")
        default: return plural(Int(seconds / 86_400), "day")
        }
    }
}
