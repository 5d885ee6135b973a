/// The known sources: publications (names, aliases, web domains) and people (names, roles, outlets).
///
/// Lookups go through indexes built once, so a registry of 10,000 people costs no more per name than one of ten.
public struct Registry: Sendable {
    public var publications: [Publication]
    public var people: [Person]
    public let publicationNames: NameIndex
    public let personNames: NameIndex
    private let domainIndex: [String: Int]
    /// Each name's first and last word (surname first in Chinese names, last in Western ones), folded, with the
    /// people who have it: "Musk told Reddit" names Elon Musk when no one else in the registry is called Musk.
    private let nameWordOwners: [String: Set<Int>]
    /// Harmless oddities worth tidying (`file:line:column: what`), shown by `briefd config check`.
    public var warnings: [String] = []

    public init(publications: [Publication], people: [Person]) {
        self.publications = publications
        self.people = people
        self.publicationNames = NameIndex(
            publications.enumerated().map { index, publication in
                (publication.name, publication.aliases, index)
            }, dropsLeadingArticle: true)
        self.personNames = NameIndex(
            people.enumerated().map { index, person in (person.name, person.aliases, index) },
            dropsLeadingArticle: false)
        var domains: [String: Int] = [:]
        for (index, publication) in publications.enumerated() {
            for domain in publication.domains { domains[domain.lowercased()] = index }
        }
        self.domainIndex = domains
        var owners: [String: Set<Int>] = [:]
        for (index, person) in people.enumerated() {
            for name in [person.name] + person.aliases {
                let words = name.split(separator: " ")
                guard words.count > 1, let first = words.first, let last = words.last else { continue }
                for word in [first, last] { owners[NameFolding.fold(String(word)), default: []].insert(index) }
            }
        }
        self.nameWordOwners = owners
    }

    /// The one person whose name starts or ends with `word` ("Fulton", "Ying"), or nil when none or several do.
    public func soleOwner(ofNameWord word: String) -> Int? {
        guard let owners = nameWordOwners[NameFolding.fold(word)], owners.count == 1 else { return nil }
        return owners.first
    }

    public static let empty = Registry(publications: [], people: [])

    /// The publication whose domain is `host` or a parent of it (`www.caixinglobal.com` → `caixinglobal.com`).
    public func publication(forHost host: String) -> Publication? {
        var candidate = Substring(host.lowercased())
        while true {
            if let index = domainIndex[String(candidate)] { return publications[index] }
            guard let dot = candidate.firstIndex(of: ".") else { return nil }
            candidate = candidate[candidate.index(after: dot)...]
        }
    }

    /// Whether `host` is `domain` or one of its subdomains.
    public static func host(_ host: String, isWithin domain: String) -> Bool {
        let host = host.lowercased()
        let domain = domain.lowercased()
        return host == domain || host.hasSuffix("." + domain)
    }

}

public struct Publication: Sendable, Hashable {
    public var name: String
    public var aliases: [String]
    public var domains: [String]
    public var paywall: Bool
    public var position: SourcePosition

    public init(
        name: String, aliases: [String] = [], domains: [String] = [], paywall: Bool = false,
        position: SourcePosition = SourcePosition(line: 1, column: 1)
    ) {
        self.name = name
        self.aliases = aliases
        self.domains = domains
        self.paywall = paywall
        self.position = position
    }

    public func owns(host: String) -> Bool { domains.contains { Registry.host(host, isWithin: $0) } }
}

public struct Person: Sendable, Hashable {
    public var name: String
    public var aliases: [String]
    public var roles: [Role]
    public var writesFor: [String]
    public var position: SourcePosition
    /// Whether the name gives the family name first ("Wang Yi": Wang), so that the family name alone is this
    /// person. nil: Chinese names (a common Chinese surname first) are taken as family-first, others not.
    public var familyFirst: Bool?

    /// The word that names this person alone later in a text: the family name.
    public var familyName: String? {
        let words = name.split(separator: " ").map(String.init)
        guard words.count >= 2 else { return nil }
        let first = familyFirst ?? Person.chineseSurnames.contains(NameFolding.fold(words[0]))
        return first ? words[0] : words[words.count - 1]
    }

    /// Common Chinese family names in pinyin (and the Hong Kong spellings editors meet most), for names the
    /// registry does not mark either way.
    static let chineseSurnames: Set<String> = [
        "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu",
        "guo", "he", "lin", "gao", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng", "cao",
        "peng", "zeng", "xiao", "tian", "dong", "pan", "yuan", "cai", "jiang", "yu", "du", "ye", "cheng", "wei", "su",
        "lu", "ding", "ren", "shen", "yao", "jin", "fu", "zhong", "xue", "yan", "cui", "tan", "qian", "gu", "hou",
        "shao", "meng", "long", "wan", "duan", "qin", "kong", "shi", "lai", "yin", "jia", "xia", "fang", "bai", "zou",
        "xiong", "mao", "qiu", "hao", "zhan", "ying", "bao", "chai", "dai", "fan", "ge", "geng", "gong", "hong", "ji",
        "kang", "lei", "liao", "mo", "mu", "ni", "niu", "pei", "qi", "rao", "shang", "tao", "tong", "xi", "xiang",
        "yi", "zhuang", "chan", "cheung", "wong", "leung", "lau", "ho", "ng", "tsang", "kwok", "lam", "chow", "yip",
    ]

    public init(
        name: String, aliases: [String] = [], roles: [Role] = [], writesFor: [String] = [],
        position: SourcePosition = SourcePosition(line: 1, column: 1), familyFirst: Bool? = nil
    ) {
        self.familyFirst = familyFirst
        self.name = name
        self.aliases = aliases
        self.roles = roles
        self.writesFor = writesFor
        self.position = position
    }
}

/// A title held at an organisation, optionally between two dates (inclusive).
public struct Role: Sendable, Hashable, CustomStringConvertible {
    public var title: String
    public var org: String
    public var from: Day?
    public var until: Day?

    public init(title: String, org: String, from: Day? = nil, until: Day? = nil) {
        self.title = title
        self.org = org
        self.from = from
        self.until = until
    }

    public func isHeld(on day: Day) -> Bool {
        if let from, day < from { return false }
        if let until, until < day { return false }
        return true
    }

    /// A role someone can be called the "former" holder of on `day`: it had begun by then.
    public func wasTakenUp(before day: Day) -> Bool {
        guard let from else { return true }
        return from < day
    }

    public var description: String {
        var text = "\(title), \(org)"
        if from != nil || until != nil {
            text += " (\(from?.description ?? "…") – \(until?.description ?? "now"))"
        }
        return text
    }
}
