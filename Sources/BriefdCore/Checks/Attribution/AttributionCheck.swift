import Foundation

/// Checks a post's block quotes: each must be attributed, and every person and publication named in an
/// attribution must be spelled as the registry spells it, with roles and outlets that agree with it.
/// Near misses of registry names elsewhere in the prose are warnings.
struct AttributionCheck {
    let registry: Registry
    private var spotter: NameSpotter { NameSpotter(registry: registry) }

    /// A paragraph's words, with the block they came from for positions.
    private struct Paragraph {
        var block: MarkdownBlock
        var tokens: [WordToken]
    }

    func findings(for draft: Draft) -> [Finding] {
        var state = WalkState()
        walk(draft.body.blocks, draft: draft, state: &state)
        // Near misses in prose that no attribution finding already covers.
        for (paragraph, mentions) in state.proseMentions {
            for mention in mentions {
                guard case .nearMiss(let ids) = mention.resolution else { continue }
                let offset = paragraph.inline.fileOffset(ofTextOffset: mention.start)
                guard !state.reportedOffsets.contains(offset) else { continue }
                let spellings = ids.map { spotter.spelling(mention.kind, $0) }
                // "The Times" beside the registry's TIME: a word that is a one-word name with an "s" added is
                // another word (a plural, another paper), not a misspelling. "Caixn" for Caixin still is.
                if spellings.allSatisfy({ AttributionCheck.isPluralOf(mention.text, oneWordName: $0) }) { continue }
                var finding = Finding(
                    .proseMisspelledName, at: draft.position(ofByte: offset),
                    "'\(mention.text)' looks like a misspelling of \(quotedList(spellings)), as the registry spells it",
                    suggestion: spellings.first, from: .registry)
                finding.fixes = spellingFix(mention, spellings: spellings, block: paragraph, draft: draft)
                state.findings.append(finding)
            }
        }
        return state.findings
    }

    private struct WalkState {
        /// Findings so far; one rule reports once at one place however many patterns reach it.
        var findings: [Finding] = [] {
            didSet {
                guard findings.count > oldValue.count, let last = findings.last else { return }
                if oldValue.contains(where: { $0.rule == last.rule && $0.position == last.position }) {
                    findings.removeLast()
                }
            }
        }
        var reportedOffsets = Set<Int>()
        /// The last person named before the current paragraph, for quotes introduced by a pronoun.
        var lastPerson: (mention: NameMention, block: MarkdownBlock)?
        var proseMentions: [(MarkdownBlock, [NameMention])] = []
        /// Registry people the draft has named so far, as the registry spells them (for the suggested lead-in).
        var namedPeople: [String] = []
    }

    private func walk(_ blocks: [MarkdownBlock], draft: Draft, state: inout WalkState) {
        var previous: MarkdownBlock?
        for (index, block) in blocks.enumerated() {
            let next = index + 1 < blocks.count ? blocks[index + 1] : nil
            let afterNext = index + 2 < blocks.count ? blocks[index + 2] : nil
            switch block.kind {
            case .blockQuote:
                // The paragraph after a quote is its source line only if it introduces nothing: a paragraph that
                // ends with a colon, or that another quote follows, is the next quote's lead-in.
                let trailing = next.flatMap { paragraph -> MarkdownBlock? in
                    guard paragraph.kind == .paragraph, afterNext?.kind != .blockQuote,
                        !AttributionCheck.endsWithColon(paragraph.inline.text)
                    else { return nil }
                    return paragraph
                }
                checkQuote(
                    block, leadIn: AttributionCheck.leadIn(before: previous), after: trailing, draft: draft,
                    state: &state)
            case .paragraph where next?.kind == .blockQuote:
                break  // a lead-in: read by checkQuote, which needs the people named before it
            case .paragraph, .heading:
                readParagraph(block, draft: draft, state: &state)
            case .list, .item, .other:
                walk(block.children, draft: draft, state: &state)
            default:
                break
            }
            previous = block
        }
    }

    /// Records the people a paragraph names (for later pronouns), its near misses, and any role it states.
    private func readParagraph(
        _ block: MarkdownBlock, tokens known: [WordToken]? = nil, draft: Draft, state: inout WalkState
    ) {
        let tokens = known ?? WordTokenizer.tokens(of: block.inline.text)
        let spotter = NameSpotter(registry: registry, tokens: tokens)
        var mentions: [NameMention] = []
        for run in NameRuns.runs(in: tokens) {
            mentions.append(contentsOf: spotter.mentions(tokens, run.range, minimumSingleTokenLength: 6))
        }
        state.proseMentions.append((block, mentions))
        for reading in LeadInReader.appositives(tokens, NameRuns.runs(in: tokens)) {
            if let person = reading.person.flatMap({ spotter.resolve(tokens, $0, expecting: .either) }),
                person.kind == .person
            {
                checkRole(reading, person: person, tokens: tokens, block: block, draft: draft, state: &state)
                state.lastPerson = (person, block)
            }
        }
        if let person = mentions.last(where: { $0.kind == .person }) { state.lastPerson = (person, block) }
        // "a colleague of hers … He said:": an unnamed person after the last one named takes the pronoun.
        if let unnamed = UnnamedSources.lastUnnamedPerson(tokens),
            unnamed > (mentions.last(where: { $0.kind == .person })?.start ?? -1)
        {
            state.lastPerson = nil
        }
        for mention in mentions where mention.kind == .person {
            if case .exact(let index) = mention.resolution { state.namedPeople.append(registry.people[index].name) }
        }
    }

    private func checkQuote(
        _ quote: MarkdownBlock, leadIn: MarkdownBlock?, after: MarkdownBlock?, draft: Draft,
        state: inout WalkState
    ) {
        let quotePosition = draft.position(ofByte: quote.start)
        // 1. An explicit closing line inside the quote.
        if let last = quote.children.last, last.kind == .paragraph,
            let (tokens, reading) = LeadInReader.closingLine(last.inline.text)
        {
            report(reading, tokens: tokens, block: last, quote: quote, leadIn: leadIn, draft: draft, state: &state)
            return
        }
        // 2. The paragraph that introduces the quote.
        if let leadIn {
            let tokens = WordTokenizer.tokens(of: leadIn.inline.text)
            let readings = LeadInReader.read(tokens)
            let before = state.lastPerson
            readParagraph(leadIn, tokens: tokens, draft: draft, state: &state)
            // "Yu Jianrong … A colleague of his sees it differently. He said:": the pronoun is the unnamed colleague,
            // though a reader may take it for the person named before. Said, never passed as attributed.
            if let unnamed = UnnamedSources.lastUnnamedPerson(tokens), state.lastPerson == nil,
                before != nil || !state.namedPeople.isEmpty,
                let pronoun = tokens.firstIndex(where: {
                    $0.start > unnamed && ["he", "she", "they"].contains($0.lower)
                }),
                AttributionCheck.endsWithColon(leadIn.inline.text)
            {
                let who = tokens.first { $0.start == unnamed }?.text ?? "person"
                let named = before.map { "\($0.mention.text)" } ?? state.namedPeople.last ?? "the person named before"
                state.findings.append(
                    Finding(
                        .quoteUnattributed, at: quotePosition,
                        "this quote is given to '\(tokens[pronoun].text)', which refers to the unnamed \(who) "
                            + "brought in just before, not to \(named): name the speaker in the lead-in, or say "
                            + "plainly that the source is not named (“a \(who), who asked not to be named, said:”)"))
                return
            }
            if let reading = readings.first(where: { $0.pattern != .appositive }) ?? readings.first {
                report(
                    reading, tokens: tokens, block: leadIn, quote: quote, leadIn: leadIn, draft: draft, state: &state)
                return
            }
            // 3. Any registry name in the lead-in, exactly or nearly.
            let mentions = NameRuns.runs(in: tokens).flatMap {
                spotter.mentions(tokens, $0.range, minimumSingleTokenLength: 1)
            }
            // A document or an institution speaks ("The report states:"), or the author quotes their own words
            // ("As I wrote here in March:"): attributed; a registry name in it is still checked.
            let introduces = AttributionCheck.endsWithColon(leadIn.inline.text)
            if introduces && (UnnamedSources.namesADocument(tokens) || UnnamedSources.quotesTheAuthor(tokens)) {
                for mention in mentions { reportName(mention, block: leadIn, draft: draft, state: &state) }
                return
            }
            // A family name alone, of a person the draft named before ("Wang put it this way:", "Smith is less
            // sure:").
            if mentions.isEmpty, introduces, familyNameOfSomeoneNamed(tokens, state: state) { return }
            if !mentions.isEmpty {
                for mention in mentions {
                    reportName(mention, block: leadIn, draft: draft, state: &state)
                }
                checkLinks(named: mentions, quote: quote, leadIn: leadIn, draft: draft, state: &state)
                return
            }
            // 4. A pronoun: the person named most recently before.
            if tokens.contains(where: { pronouns.contains($0.lower) }), let (person, block) = before {
                reportName(person, block: block, draft: draft, state: &state)
                return
            }
            // 5. A lead-in that introduces the quote and names someone the registry does not know ("The Global
            //    Times, meanwhile, welcomed the rules:"): attributed, and the unknown name is said.
            if AttributionCheck.endsWithColon(leadIn.inline.text), let unknown = unknownName(in: tokens) {
                reportName(unknown, block: leadIn, draft: draft, state: &state)
                return
            }
        }
        // 5. A source line right after the quote: "Hu Yunwang, director of …, to Sina.com." or "— Mara Feld, …".
        if let after, let (tokens, reading) = LeadInReader.trailingLine(after.inline.text),
            let either = reading.either,
            spotter.resolve(tokens, either, expecting: .either)?.kind == .person || reading.pattern == .closingLine
        {
            report(reading, tokens: tokens, block: after, quote: quote, leadIn: leadIn, draft: draft, state: &state)
            return
        }
        state.findings.append(unattributed(quote, at: quotePosition, state: state))
    }

    /// The message quotes the start of the quote and shows the form of a lead-in. It names nobody: the people
    /// named earlier in the post are not evidence of who said this (suggesting the last of them once attributed
    /// one person's words to another).
    private func unattributed(_ quote: MarkdownBlock, at position: SourcePosition, state: WalkState) -> Finding {
        let words = (quote.children.first?.inline.text ?? "").split(whereSeparator: \.isWhitespace)
        let opening = words.prefix(8).joined(separator: " ") + (words.count > 8 ? " …" : "")
        return Finding(
            .quoteUnattributed, at: position,
            "this quote has no attribution: “\(opening)”. Name its source in the paragraph before it (for example "
                + "“Name, writing in Publication, said:”) or close it with a line “— Name, Publication”",
            suggestion: "Name, writing in Publication, said:", from: .form)
    }

    /// The registry's spelling in place of a near miss, when there is one spelling and the name is written plainly
    /// in the file (no markup inside it). Safe: the name is the same person or publication, spelled right.
    private func spellingFix(_ mention: NameMention, spellings: [String], block: MarkdownBlock, draft: Draft) -> [Fix] {
        guard spellings.count == 1 else { return [] }
        let start = block.inline.fileOffset(ofTextOffset: mention.start)
        let end = block.inline.fileOffset(ofTextOffset: mention.end)
        // Inside a block quote the words are the source's: changing them is an editor's call, never automatic.
        return Fix.replacing(
            start, end, of: draft.source, expected: mention.text, with: spellings[0],
            title: "Use the registry's spelling: \(spellings[0])", safe: !draft.isInsideBlockQuote(byte: start)
        ).map { [$0] } ?? []
    }

    /// "Times" (or "The Times") for the one-word name "TIME": the name with an "s" added, not a misspelling of it.
    static func isPluralOf(_ text: String, oneWordName name: String) -> Bool {
        var word = NameFolding.fold(text)
        if word.hasPrefix("the ") { word.removeFirst(4) }
        let folded = NameFolding.fold(name)
        return !folded.contains(" ") && word == folded + "s"
    }

    /// A name in a lead-in that the registry does not know but that is plainly a name: a run with an
    /// institution's word ("The Global Times", "the Ministry"), or two to four words of a person opening the
    /// lead-in ("Nick Frisch, …"). "Iraq and Afghanistan" mid-sentence is neither.
    private func unknownName(in tokens: [WordToken]) -> NameMention? {
        for run in NameRuns.runs(in: tokens) {
            let span = run.range
            let opensAsPerson =
                span.lowerBound == 0 && spotter.looksLikePerson(tokens, span)
                && !tokens[span].contains { NameRuns.connectors.contains($0.lower) }
            guard spotter.looksLikeOrganisation(tokens, span) || opensAsPerson,
                let mention = spotter.resolve(tokens, span, expecting: .either), mention.resolution == .unknown
            else { continue }
            return mention
        }
        return nil
    }

    private let pronouns: Set<String> = ["he", "she", "they", "him", "her", "his", "hers", "their", "them"]

    /// The paragraph that introduces a quote: the one right before it, or the last item of a list right before it
    /// ("3. And finally, the director herself:").
    static func leadIn(before block: MarkdownBlock?) -> MarkdownBlock? {
        guard let block else { return nil }
        if block.kind == .paragraph { return block }
        guard block.kind == .list, let item = block.children.last else { return nil }
        return item.children.last { $0.kind == .paragraph }
    }

    /// "…reminds us that the Party remains a Leninist party:" introduces what follows.
    static func endsWithColon(_ text: String) -> Bool {
        text.unicodeScalars.reversed().first { !CharacterSet.whitespacesAndNewlines.contains($0) } == ":"
    }

    private func report(
        _ reading: LeadInReading, tokens: [WordToken], block: MarkdownBlock, quote: MarkdownBlock,
        leadIn: MarkdownBlock?, draft: Draft, state: inout WalkState
    ) {
        var named: [NameMention] = []
        if let span = reading.person, let person = spotter.resolve(tokens, span, expecting: .person) {
            named.append(person)
        }
        if let span = reading.either,
            let who = surname(of: state.lastPerson?.mention, tokens, span) ?? soleNamesake(tokens, span)
                ?? personInside(tokens, span) ?? spotter.resolve(tokens, span, expecting: .either)
        {
            named.append(who)
        }
        if let span = reading.publication, let outlet = spotter.resolve(tokens, span, expecting: .publication) {
            named.append(outlet)
        }
        // "Deputy Director Lin Boqiang of the China Center … said:": the speaker is the person before "of".
        var personSpan = reading.either ?? reading.person
        if !named.contains(where: { $0.kind == .person }), let span = reading.either,
            let (person, run) = personBeforeOf(tokens, span)
        {
            named.insert(person, at: 0)
            personSpan = run
        }
        for mention in named { reportName(mention, block: block, draft: draft, state: &state) }
        for mention in named where mention.kind == .person {
            if case .exact(let index) = mention.resolution { state.namedPeople.append(registry.people[index].name) }
        }
        if let person = named.first(where: { $0.kind == .person }) {
            if let span = personSpan {
                checkTitleBeforeName(person, span: span, tokens: tokens, block: block, draft: draft, state: &state)
            }
            state.lastPerson = (person, block)
            if reading.pattern == .appositive {
                checkRole(reading, person: person, tokens: tokens, block: block, draft: draft, state: &state)
            }
            if let outlet = named.first(where: { $0.kind == .publication }) {
                checkOutlet(person: person, outlet: outlet, block: block, draft: draft, state: &state)
            }
        }
        checkLinks(named: named, quote: quote, leadIn: leadIn, draft: draft, state: &state)
    }

    /// "Deputy Director Lin Boqiang of the China Center …": a registry person named exactly inside a longer run
    /// (a title before, an organisation after) is the speaker, not an unknown name made of the whole run.
    private func personInside(_ tokens: [WordToken], _ span: Range<Int>) -> NameMention? {
        guard span.count > 2, case .none = spotter.exactMention(tokens, span, expecting: .either) else { return nil }
        return spotter.mentions(tokens, span, minimumSingleTokenLength: 3).first { mention in
            guard mention.kind == .person, case .exact = mention.resolution else { return false }
            return true
        }
    }

    /// The registry person in the run right before "of (the)" that precedes `span`, with that run: in "Deputy
    /// Director Lin Boqiang of the China Center for Energy Economics Research said:" the run is "Deputy Director
    /// Lin Boqiang" and the person Lin Boqiang.
    private func personBeforeOf(_ tokens: [WordToken], _ span: Range<Int>) -> (NameMention, Range<Int>)? {
        var joiner = span.lowerBound - 1
        if joiner >= 0, tokens[joiner].lower == "the" { joiner -= 1 }
        guard joiner >= 1, tokens[joiner].lower == "of",
            let run = NameRuns.runs(in: tokens).first(where: { $0.range.upperBound == joiner })
        else { return nil }
        let person = spotter.mentions(tokens, run.range, minimumSingleTokenLength: 3).first { mention in
            guard mention.kind == .person, case .exact = mention.resolution else { return false }
            return true
        }
        return person.map { ($0, run.range) }
    }

    /// A single capitalized word of the lead-in that is the family name of a registry person the draft has named.
    private func familyNameOfSomeoneNamed(_ tokens: [WordToken], state: WalkState) -> Bool {
        let named = Set(state.namedPeople)
        let families = Set(registry.people.filter { named.contains($0.name) }.compactMap(\.familyName))
        return NameRuns.runs(in: tokens).contains { run in
            run.range.count == 1 && families.contains(tokens[run.range.lowerBound].text)
        }
    }

    /// "Mara Feld … Feld writes:", "Wang Yi … Wang put it": a family name alone, right after its person was named
    /// (in the same paragraph or the one before), is that person.
    private func surname(of person: NameMention?, _ tokens: [WordToken], _ span: Range<Int>) -> NameMention? {
        guard span.count == 1, let person, person.kind == .person, case .exact(let index) = person.resolution else {
            return nil
        }
        let token = tokens[span.lowerBound]
        let entry = registry.people[index]
        let surnames =
            [entry.familyName].compactMap { $0 }
            + entry.aliases.compactMap { $0.split(separator: " ").last.map(String.init) }
        guard surnames.contains(token.text) else { return nil }
        return NameMention(
            kind: .person, resolution: .exact(index), text: token.text, start: token.start, end: token.end)
    }

    /// "Musk told Reddit:": one word that is the surname (or given name) of exactly one registry person, and not a
    /// publication's name, is that person, rather than an unknown publication called "Musk".
    private func soleNamesake(_ tokens: [WordToken], _ span: Range<Int>) -> NameMention? {
        guard span.count == 1 else { return nil }
        let token = tokens[span.lowerBound]
        guard case .none = registry.publicationNames.match(token.text),
            let index = registry.soleOwner(ofNameWord: token.text)
        else { return nil }
        return NameMention(
            kind: .person, resolution: .exact(index), text: token.text, start: token.start, end: token.end)
    }

    /// "The Times" after "The New York Times" in the same paragraph is that publication's short form.
    private func shortFormOfAPublicationNamedBefore(_ mention: NameMention, in block: MarkdownBlock) -> Bool {
        let text = block.inline.text
        let before = String(decoding: text.utf8.prefix(mention.start), as: UTF8.self)
        var short = mention.text
        if short.hasPrefix("The ") { short.removeFirst(4) }
        return registry.publications.contains { publication in
            ([publication.name] + publication.aliases).contains { name in
                name.count > short.count && name.hasSuffix(" " + short) && before.contains(name)
            }
        }
    }

    /// Misspelled names are errors; names the registry does not know at all are warnings to add them.
    private func reportName(_ mention: NameMention, block: MarkdownBlock, draft: Draft, state: inout WalkState) {
        let offset = block.inline.fileOffset(ofTextOffset: mention.start)
        guard !state.reportedOffsets.contains(offset) else { return }
        let position = draft.position(ofByte: offset)
        let isPerson = mention.kind == .person
        switch mention.resolution {
        case .exact:
            return
        case .nearMiss(let ids):
            if !isPerson, shortFormOfAPublicationNamedBefore(mention, in: block) { return }
            let spellings = ids.map { spotter.spelling(mention.kind, $0) }
            var finding = Finding(
                isPerson ? .attributionMisspelledPerson : .attributionMisspelledPublication, at: position,
                "'\(mention.text)' is not in the registry; did you mean \(quotedList(spellings))?",
                suggestion: spellings.first, from: .registry)
            finding.fixes = spellingFix(mention, spellings: spellings, block: block, draft: draft)
            state.findings.append(finding)
        case .unknown:
            // Not a publication at all: a place, a government body speaking for itself, an organisation the
            // registry knows from a person's role. Nothing to add to the registry.
            if !isPerson,
                NotPublications.isPlace(mention.text) || NotPublications.isGovernmentBody(mention.text)
                    || NotPublications.isRoleOrganisation(mention.text, in: registry)
            {
                return
            }
            let what = isPerson ? "person" : "publication"
            // A ready-to-paste registry entry, so that adding a name is one step.
            let entry =
                isPerson
                ? RegistryEntryText.person(name: mention.text)
                : RegistryEntryText.publication(name: mention.text, domains: [])
            state.findings.append(
                Finding(
                    isPerson ? .attributionUnknownPerson : .attributionUnknownPublication, at: position,
                    "the \(what) '\(mention.text)' is not in the registry; check the name and add it under "
                        + "'\(isPerson ? "people" : "publications")' in the registry: \(entry)",
                    suggestion: entry, from: .registryEntryToAdd))
        }
        state.reportedOffsets.insert(offset)
    }

    /// Words that make the words before a name its title ("Trade Minister Zhang Wei", "Deputy Director Li Wen").
    static let roleNouns: Set<String> = [
        "minister", "director", "professor", "president", "ambassador", "editor", "dean", "chairman", "chairwoman",
        "chair", "secretary", "governor", "mayor", "spokesman", "spokeswoman", "spokesperson", "general", "pastor",
        "premier", "chief", "fellow", "correspondent", "economist", "researcher", "commissioner", "representative",
        "senator", "envoy", "bishop", "judge", "lecturer", "founder", "head", "manager", "officer", "counsel",
        "admiral", "colonel", "captain", "major", "lieutenant", "commander", "marshal", "sergeant",
    ]

    /// "Trade Minister Zhang Wei said:": a title before a registry person's name is checked against the roles the
    /// registry gives that person (the title's words, qualifiers included), as an appositive's role is.
    private func checkTitleBeforeName(
        _ person: NameMention, span: Range<Int>, tokens: [WordToken], block: MarkdownBlock,
        draft: Draft, state: inout WalkState
    ) {
        guard case .exact(let index) = person.resolution else { return }
        let entry = registry.people[index]
        guard !entry.roles.isEmpty, let nameStart = tokens.firstIndex(where: { $0.start == person.start }),
            nameStart > span.lowerBound
        else { return }
        var titleStart = nameStart
        while titleStart > span.lowerBound, tokens[titleStart - 1].isCapitalized { titleStart -= 1 }
        let words = tokens[titleStart..<nameStart].map(\.lower)
        guard let noun = words.last(where: AttributionCheck.roleNouns.contains), titleStart < nameStart else { return }
        let title = spotter.joined(tokens, titleStart..<nameStart)
        let given = RoleComparison.parts(title)
        let held = entry.roles.contains { role in
            let wanted = RoleComparison.parts(role.title)
            return wanted.qualifiers == given.qualifiers && wanted.core.split(separator: " ").contains(Substring(noun))
        }
        guard !held else { return }
        let position = draft.position(ofByte: block.inline.fileOffset(ofTextOffset: tokens[titleStart].start))
        var finding = Finding(
            .attributionRoleMismatch, at: position,
            "the draft calls \(entry.name) '\(title)', but the registry has: "
                + entry.roles.map(\.description).joined(separator: "; "),
            suggestion: roleHeld(by: entry, draft: draft).map { "\($0.title) \(entry.name)" }, from: .registry)
        finding.end = draft.position(ofByte: block.inline.fileOffset(ofTextOffset: tokens[nameStart - 1].end))
        state.findings.append(finding)
    }

    /// The one role the registry says `entry` held on the draft's date (or its only role when the draft has no
    /// date); nil when that is not one role, so no title is suggested that the registry does not back.
    private func roleHeld(by entry: Person, draft: Draft) -> Role? {
        let candidates =
            draft.frontMatter.contentDate.map { day in entry.roles.filter { $0.isHeld(on: day) } }
            ?? entry.roles
        return candidates.count == 1 ? candidates[0] : nil
    }

    /// The title and organisation a draft gives a person must match a registry role held at the draft's date.
    private func checkRole(
        _ reading: LeadInReading, person: NameMention, tokens: [WordToken], block: MarkdownBlock,
        draft: Draft, state: inout WalkState
    ) {
        guard let titleSpan = reading.title, let orgSpan = reading.organisation else { return }
        let index: Int
        switch person.resolution {
        case .exact(let found): index = found
        case .nearMiss(let ids) where ids.count == 1: index = ids[0]
        default: return
        }
        let entry = registry.people[index]
        guard !entry.roles.isEmpty else { return }
        let title = spotter.joined(tokens, titleSpan)
        let organisation = spotter.joined(tokens, orgSpan)
        let position = draft.position(ofByte: block.inline.fileOffset(ofTextOffset: tokens[titleSpan.lowerBound].start))
        // The mark covers the whole role, title to organisation.
        let end = draft.position(ofByte: block.inline.fileOffset(ofTextOffset: tokens[orgSpan.upperBound - 1].end))
        let matching = entry.roles.filter { role in
            // An organisation may be named by its registry alias ("the FT" for Financial Times).
            let aliases =
                registry.publications.first { NameFolding.fold($0.name) == NameFolding.fold(role.org) }?.aliases ?? []
            return RoleComparison.matches(role, title: title, organisation: organisation, orgAliases: aliases)
        }
        let registryRoles = entry.roles.map(\.description).joined(separator: "; ")
        if matching.isEmpty {
            let near = entry.roles.first {
                RoleComparison.differsOnlyInQualifiers($0, title: title, organisation: organisation)
            }
            let qualified = near.map { "; '\(title)' is another title than '\($0.title)'" } ?? ""
            let held = roleHeld(by: entry, draft: draft)
            var finding = Finding(
                .attributionRoleMismatch, at: position,
                "the draft calls \(entry.name) '\(spotter.joined(tokens, titleSpan.lowerBound..<orgSpan.upperBound))', "
                    + "but the registry has: \(registryRoles)\(qualified)",
                suggestion: held.map { "\($0.title), \($0.org)" }, from: .registry)
            finding.end = end
            // Not safe: which title the writer meant is an editor's call; the registry's is offered.
            if let held {
                let startByte = block.inline.fileOffset(ofTextOffset: tokens[titleSpan.lowerBound].start)
                let endByte = block.inline.fileOffset(ofTextOffset: tokens[orgSpan.upperBound - 1].end)
                let written = String(decoding: draft.source.bytes[startByte..<endByte], as: UTF8.self)
                finding.fixes =
                    Fix.replacing(
                        startByte, endByte, of: draft.source, expected: written,
                        with: "\(held.title.lowercased()) of \(held.org)",
                        title: "Use the registry's role: \(held.title), \(held.org)", safe: false
                    ).map { [$0] } ?? []
            }
            state.findings.append(finding)
        } else if let day = draft.frontMatter.contentDate,
            !matching.contains(where: {
                RoleComparison.isFormer(title) ? $0.wasTakenUp(before: day) : $0.isHeld(on: day)
            })
        {
            var finding = Finding(
                .attributionRoleNotHeld, at: position,
                "\(entry.name) did not hold '\(title) of \(organisation)' on \(day), the draft's date; "
                    + "the registry has: \(registryRoles)",
                suggestion: "former \(title)", from: .registryDates)
            finding.end = end
            state.findings.append(finding)
        }
    }

    private func checkOutlet(
        person: NameMention, outlet: NameMention, block: MarkdownBlock, draft: Draft,
        state: inout WalkState
    ) {
        guard case .exact(let personIndex) = person.resolution, case .exact(let outletIndex) = outlet.resolution else {
            return
        }
        let entry = registry.people[personIndex]
        let publication = registry.publications[outletIndex]
        guard !entry.writesFor.isEmpty, !entry.writesFor.contains(publication.name) else { return }
        let offset = block.inline.fileOffset(ofTextOffset: outlet.start)
        state.findings.append(
            Finding(
                .attributionOutletMismatch, at: draft.position(ofByte: offset),
                "the registry lists \(entry.name) as writing for \(quotedList(entry.writesFor)), not \(publication.name)",
                suggestion: entry.writesFor.count == 1 ? entry.writesFor[0] : nil, from: .registry))
    }

    /// A link in the lead-in or the quote should point at the publication the text names.
    private func checkLinks(
        named: [NameMention], quote: MarkdownBlock, leadIn: MarkdownBlock?, draft: Draft,
        state: inout WalkState
    ) {
        let outlets: [Publication] = named.compactMap {
            guard $0.kind == .publication, case .exact(let index) = $0.resolution else { return nil }
            return registry.publications[index]
        }
        guard let outlet = outlets.first, !outlet.domains.isEmpty else { return }
        var links = leadIn?.inline.links ?? []
        func collect(_ block: MarkdownBlock) {
            links.append(contentsOf: block.inline.links)
            block.children.forEach(collect)
        }
        collect(quote)
        for link in links {
            guard let host = WebAddress(link.url)?.host, !outlets.contains(where: { $0.owns(host: host) }) else {
                continue
            }
            state.findings.append(
                Finding(
                    .attributionLinkDomain, at: draft.position(ofByte: link.fileOffset),
                    "this link goes to \(host), but the text names \(outlet.name) "
                        + "(\(outlet.domains.joined(separator: ", "))); link the article on \(outlet.name)'s site",
                    suggestion: outlet.domains.first, from: .registry))
        }
    }
}

/// Compares a role as written ("senior fellow" of "the Shanghai Policy Lab") with a registry role.
enum RoleComparison {
    /// Words that make a different title of the same office: a deputy director is not the director. "former",
    /// "ex-" and "one-time" say when, not what, and are read by `isFormer`.
    static let qualifiers: Set<String> = [
        "deputy", "vice", "assistant", "associate", "acting", "interim", "senior", "chief", "executive", "co",
        "emeritus", "principal", "lead", "junior", "guest", "visiting", "adjunct", "honorary",
    ]
    static let timeWords: Set<String> = ["former", "ex", "one-time", "onetime", "then"]

    /// The title's qualifiers and the rest of it ("Deputy China Director" → ["deputy"], "china director").
    static func parts(_ title: String) -> (qualifiers: Set<String>, core: String) {
        var words: [String] = []
        for word in NameFolding.fold(title).split(separator: " ") {
            // "co-director", "vice-president", "ex-director": the prefix is a word of its own.
            let pieces = word.split(separator: "-", maxSplits: 1).map(String.init)
            if pieces.count == 2, qualifiers.contains(pieces[0]) || timeWords.contains(pieces[0]) {
                words += pieces
            } else {
                words.append(String(word))
            }
        }
        let qualifierWords = Set(words.filter(qualifiers.contains))
        let core = words.filter { !qualifiers.contains($0) && !timeWords.contains($0) }.joined(separator: " ")
        return (qualifierWords, core)
    }

    /// - Parameter orgAliases: other names of the role's organisation (a registry publication's aliases).
    static func matches(_ role: Role, title: String, organisation: String, orgAliases: [String] = []) -> Bool {
        // The qualifiers must agree exactly: "Deputy Director" is another office than "Director", either way round.
        guard parts(role.title).qualifiers == parts(title).qualifiers else { return false }
        return ([role.org] + orgAliases).contains { org in
            var named = role
            named.org = org
            return matchesIgnoringQualifiers(named, title: title, organisation: organisation)
        }
    }

    /// The same office but for its qualifiers ("deputy director" for a Director): said so in the message.
    static func differsOnlyInQualifiers(_ role: Role, title: String, organisation: String) -> Bool {
        parts(role.title).qualifiers != parts(title).qualifiers
            && matchesIgnoringQualifiers(role, title: title, organisation: organisation)
    }

    private static func matchesIgnoringQualifiers(_ role: Role, title: String, organisation: String) -> Bool {
        let wanted = parts(role.title)
        let given = parts(title)
        let (wantedTitle, givenTitle) = (wanted.core, given.core)
        // "professor of law" for the registry's Professor (or the other way round): the subject is detail, not
        // another office.
        let titleMatches =
            wantedTitle == givenTitle || EditDistance.distance(wantedTitle, givenTitle, limit: 2) != nil
            || wantedTitle.hasSuffix(" " + givenTitle) || givenTitle.hasSuffix(" " + wantedTitle)
            || wantedTitle.hasPrefix(givenTitle + " of ") || givenTitle.hasPrefix(wantedTitle + " of ")
        guard titleMatches else { return false }
        let wantedOrg = stripArticle(NameFolding.fold(role.org))
        let givenOrg = stripArticle(NameFolding.fold(organisation))
        return wantedOrg == givenOrg || acronym(of: wantedOrg) == givenOrg.replacingOccurrences(of: " ", with: "")
            || EditDistance.distance(wantedOrg, givenOrg, limit: 2) != nil
    }

    /// "former director", "ex-director": the text says the role was held before, not on, the draft's date.
    static func isFormer(_ title: String) -> Bool {
        let folded = NameFolding.fold(title)
        return folded.hasPrefix("former ") || folded.hasPrefix("ex-") || folded.hasPrefix("one-time ")
            || folded.hasPrefix("onetime ")
    }

    private static func stripArticle(_ text: String) -> String {
        text.hasPrefix("the ") ? String(text.dropFirst(4)) : text
    }

    private static func acronym(of text: String) -> String {
        String(text.split(separator: " ").filter { !["of", "for", "and", "on"].contains($0) }.compactMap(\.first))
    }
}

func quotedList(_ values: [String]) -> String {
    let quoted = values.map { "'\($0)'" }
    guard quoted.count > 1 else { return quoted.first ?? "" }
    return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
}
