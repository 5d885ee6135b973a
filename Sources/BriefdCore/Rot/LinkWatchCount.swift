/// How the watched links stand, counted one way for every surface (`briefd rot`, the desk's Links page): every
/// link the monitor watches (published issues' and waiting drafts'), split into alive, suspect, dead and never
/// reached. A link with no verdict yet — never checked, or checked only while no name resolved — is "never
/// reached", never counted alive.
public struct LinkWatchCount: Sendable, Equatable, Codable, CustomStringConvertible {
    public var watched: Int
    public var alive: Int
    public var suspect: Int
    public var dead: Int
    public var neverReached: Int

    public init(watched: Int, alive: Int, suspect: Int, dead: Int, neverReached: Int) {
        self.watched = watched
        self.alive = alive
        self.suspect = suspect
        self.dead = dead
        self.neverReached = neverReached
    }

    /// - Parameters:
    ///   - urls: every watched address (without fragments, as the states are kept).
    ///   - states: each address's state, and whether any check of it ever had an answer.
    public init(watching urls: Set<String>, states: [String: (state: LinkState, answered: Bool)]) {
        watched = urls.count
        alive = 0
        suspect = 0
        dead = 0
        neverReached = 0
        for url in urls {
            guard let known = states[url] else {
                neverReached += 1
                continue
            }
            switch known.state {
            case .alive where !known.answered: neverReached += 1
            case .alive: alive += 1
            case .suspect: suspect += 1
            case .dead: dead += 1
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case watched, alive, suspect, dead
        case neverReached = "never_reached"
    }

    /// "8 links watched: 5 alive, 1 suspect, 0 dead, 2 never reached".
    public var description: String {
        "\(DraftAccount.counted(watched, "link")) watched: \(alive) alive, \(suspect) suspect, \(dead) dead, "
            + "\(neverReached) never reached"
    }
}
