/// Names in a lead-in that are plainly not publications, so never "an unknown publication": places ("… in China:",
/// "Officials in Hong Kong"), government bodies that speak for themselves ("The Ministry of Education said:",
/// "China's National Health Commission said in a statement:"), and organisations the registry knows from people's
/// roles ("the China Center for Energy Economics Research").
enum NotPublications {
    /// Countries, regions and cities a China digest names; compared folded, without a leading "the".
    static let places: Set<String> = [
        "china", "mainland china", "taiwan", "hong kong", "macau", "macao", "tibet", "xinjiang", "inner mongolia",
        "beijing", "shanghai", "guangzhou", "shenzhen", "wuhan", "chengdu", "chongqing", "tianjin", "nanjing",
        "hangzhou", "xian", "xi'an", "kunming", "harbin", "lhasa", "urumqi", "hubei", "henan", "hebei", "hunan",
        "guangdong", "fujian", "zhejiang", "jiangsu", "sichuan", "yunnan", "guizhou", "shandong", "shanxi", "shaanxi",
        "gansu", "qinghai", "ningxia", "anhui", "jiangxi", "hainan", "liaoning", "jilin", "heilongjiang", "guangxi",
        "asia", "east asia", "southeast asia", "central asia", "europe", "africa", "latin america", "the west",
        "united states", "america", "us", "u.s.", "usa", "united kingdom", "uk", "britain", "great britain",
        "england", "japan", "korea", "south korea", "north korea", "india", "russia", "vietnam", "mongolia",
        "singapore", "malaysia", "indonesia", "philippines", "thailand", "myanmar", "burma", "pakistan",
        "afghanistan", "iran", "iraq", "israel", "germany", "france", "italy", "spain", "canada", "australia",
        "new zealand", "brazil", "mexico", "ukraine", "kenya", "nigeria", "south africa", "egypt", "turkey",
        "washington", "london", "tokyo", "seoul", "taipei", "new delhi", "moscow", "paris", "berlin", "geneva",
    ]

    /// Words that make a name a government body or an office, which speaks for itself and publishes nothing.
    static let governmentWords: Set<String> = [
        "ministry", "department", "commission", "bureau", "office", "council", "embassy", "consulate",
        "administration", "government", "court", "congress", "parliament", "assembly", "procuratorate", "police",
        "army", "committee", "state council", "politburo", "secretariat", "agency", "authority", "authorities",
    ]

    static func isPlace(_ name: String) -> Bool { places.contains(withoutArticle(NameFolding.fold(name))) }

    static func isGovernmentBody(_ name: String) -> Bool {
        NameFolding.fold(name).split(separator: " ").contains { governmentWords.contains(String($0)) }
    }

    /// An organisation some registry person's role names ("Renmin University", "Shanghai Policy Lab").
    static func isRoleOrganisation(_ name: String, in registry: Registry) -> Bool {
        let folded = withoutArticle(NameFolding.fold(name))
        return registry.people.contains { person in
            person.roles.contains { withoutArticle(NameFolding.fold($0.org)) == folded }
        }
    }

    private static func withoutArticle(_ folded: String) -> String {
        folded.hasPrefix("the ") ? String(folded.dropFirst(4)) : folded
    }
}
