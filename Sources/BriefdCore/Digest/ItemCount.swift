/// How many items an issue has, said the same by every surface (the build, `briefd issues`, the archive page, the
/// feeds): every item counts, the sponsored link included, and sponsors are named ("8 items, 1 of them a sponsor").
public struct ItemCount: Sendable, Equatable, CustomStringConvertible {
    public var items: Int
    public var sponsors: Int

    public init(items: Int, sponsors: Int) {
        self.items = items
        self.sponsors = sponsors
    }

    /// From the placements of an issue's items ("featured", "sponsor", a section's name).
    public init(placements: [String]) {
        self.init(items: placements.count, sponsors: placements.count { $0 == "sponsor" })
    }

    public var description: String {
        let counted = DraftAccount.counted(items, "item")
        switch sponsors {
        case 0: return counted
        case 1 where items == 1: return "1 item, a sponsor"
        case 1: return counted + ", 1 of them a sponsor"
        default: return counted + ", \(sponsors) of them sponsors"
        }
    }
}
