/// Where a finding's suggestion comes from, said beside it so an editor can weigh it: a suggestion is evidence,
/// never a guess. A name, title, outlet or date is suggested only when the draft, the registry or the cited page
/// shows it belongs there; otherwise the suggestion is the form to write.
public enum SuggestionSource: Sendable, Hashable {
    /// The registry's entry: its spelling of a name, a person's dated roles, an outlet's domains.
    case registry
    /// The registry's dates for a role: the draft's title, marked as no longer held ("former Editor").
    case registryDates
    /// The cited page's own text or date, as fetched that day (UTC).
    case page(fetched: Day)
    /// The link check's answer (a redirect's final address), as checked that day (UTC).
    case linkCheck(checked: Day)
    /// The draft itself: the paragraph before the quote names the person.
    case draftParagraph
    /// The closest of the values briefd accepts here (a section, a front-matter key, a draft kind).
    case closestAccepted
    /// A ready registry entry to add, built from the draft's own words.
    case registryEntryToAdd
    /// No evidence names the value: the form to fill in.
    case form

    /// The words shown after "suggestion" ("from the registry").
    public var description: String {
        switch self {
        case .registry: return "from the registry"
        case .registryDates: return "the registry's dates for the role"
        case .page(let fetched): return "from the page, fetched \(fetched)"
        case .linkCheck(let checked): return "from the link check of \(checked)"
        case .draftParagraph: return "named in the quote's paragraph"
        case .closestAccepted: return "the closest accepted value"
        case .registryEntryToAdd: return "an entry to add to the registry"
        case .form: return "the form to fill in; nothing in the draft or the registry names the source"
        }
    }

    /// The day of a Unix time in UTC, for "fetched" and "checked".
    public static func day(ofUnixTime seconds: Double) -> Day {
        Day(daysSinceEpoch: Int((seconds / 86_400).rounded(.down)))
    }
}
