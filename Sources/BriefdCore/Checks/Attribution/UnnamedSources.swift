/// Attributions that name no person or publication, and the phrases that bring an unnamed person into a text.
/// Pure functions of a paragraph's words.
enum UnnamedSources {
    /// Documents and institutions that speak in a text: "The report states:", "The ministry's statement said".
    static let documentNouns: Set<String> = [
        "report", "statement", "document", "notice", "regulations", "regulation", "rules", "law", "ruling", "court",
        "ministry", "government", "committee", "bureau", "administration", "agency", "survey", "paper", "editorial",
        "announcement", "letter", "petition", "circular", "study", "release", "communique", "communiqué", "decision",
        "plan", "guidelines", "guideline", "opinion", "constitution", "resolution", "preface", "introduction",
        "website", "sermon", "message", "declaration", "manifesto", "charter", "policy", "directive", "order",
        "verdict", "indictment", "judgment", "judgement", "notification", "memo", "brief", "filing", "draft", "text",
        "department", "office", "commission", "council", "embassy", "spokesperson", "spokesman", "spokeswoman",
        "association", "church", "university", "police", "authorities", "party", "foundation", "institute",
    ]
    static let documentVerbs: Set<String> = LeadInReader.speechVerbs.union([
        "reads", "read", "continues", "goes", "begins",
    ])
    static let determiners: Set<String> = [
        "the", "its", "this", "that", "their", "his", "her", "our", "a", "an", "these",
    ]

    /// "The report states:", "The ministry's statement said in part:": a document or an institution, introduced by a
    /// determiner, is the subject of a speech verb. "From the article, it could not be put better:" is not.
    static func namesADocument(_ tokens: [WordToken]) -> Bool {
        for (index, token) in tokens.enumerated() where documentVerbs.contains(token.lower) && index > 0 {
            var subject = index - 1
            while subject > 0, LeadInReader.auxiliaries.contains(tokens[subject].lower) { subject -= 1 }
            guard documentNouns.contains(tokens[subject].lower) else { continue }
            // A determiner within the three words before the noun: "the report", "the ministry's statement".
            let from = max(0, subject - 3)
            if tokens[from..<subject].contains(where: { determiners.contains($0.lower) }) { return true }
        }
        return false
    }

    /// Verbs of one's own earlier words ("I wrote", "we argued"), not of looking or reporting on others.
    static let ownWordsVerbs: Set<String> = [
        "wrote", "write", "said", "say", "argued", "argue", "noted", "put", "observed", "explained", "suggested",
        "warned", "concluded", "commented", "remarked", "told", "posted", "predicted", "asked", "answered", "replied",
    ]

    /// "As I wrote here in March:", "I argued at the time:": the author quoting their own words.
    static func quotesTheAuthor(_ tokens: [WordToken]) -> Bool {
        for (index, token) in tokens.enumerated() where token.text == "I" || token.lower == "we" {
            var verb = index + 1
            while verb < tokens.count, LeadInReader.auxiliaries.contains(tokens[verb].lower) { verb += 1 }
            if verb < tokens.count, ownWordsVerbs.contains(tokens[verb].lower) { return true }
        }
        return false
    }

    /// Phrases that bring in a person the text does not name ("a colleague", "one official"): a pronoun after them
    /// refers to that person, not to someone named earlier.
    static let unnamedPeople: Set<String> = [
        "colleague", "friend", "source", "official", "officials", "researcher", "scholar", "pastor", "student",
        "professor", "diplomat", "analyst", "resident", "believer", "worker", "teacher", "lawyer", "journalist",
        "reporter", "villager", "parishioner", "member", "observer", "academic", "economist", "insider", "expert",
        "man", "woman", "priest", "elder", "leader", "activist", "businessman", "businesswoman", "relative",
    ]

    /// The word offset of the last unnamed person a paragraph brings in ("a colleague of hers"), if any.
    static func lastUnnamedPerson(_ tokens: [WordToken]) -> Int? {
        var found: Int?
        for index in tokens.indices.dropFirst() where unnamedPeople.contains(tokens[index].lower) {
            var before = index - 1
            // "a colleague", "one senior official", "another young pastor"
            while before > 0, before > index - 3, !["a", "an", "one", "another", "some"].contains(tokens[before].lower)
            {
                before -= 1
            }
            // "Yu Jianrong, a professor at …": right after a comma the phrase describes the person just named.
            if ["a", "an", "one", "another", "some"].contains(tokens[before].lower),
                tokens[before].before.trimmingWhitespace() != ","
            {
                found = tokens[index].start
            }
        }
        return found
    }

    /// "Source: The Wire China", "Via Caixin", "That was Mara Feld, speaking to …": the paragraph after a quote
    /// names its source after an opening such as these; returns the word where the name starts.
    static func sourceLineStart(_ tokens: [WordToken]) -> Int? {
        guard let first = tokens.first else { return nil }
        if ["source", "sources", "via"].contains(first.lower), tokens.count > 1 { return 1 }
        if first.lower == "that", tokens.count > 2, ["was", "is"].contains(tokens[1].lower) { return 2 }
        return nil
    }
}
