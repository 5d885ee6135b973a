/// Checks a brief against the registry: a known source, a URL on that source's site, an excerpt of sensible length.
struct BriefCheck {
    let registry: Registry
    let config: Config

    func findings(for draft: Draft) -> [Finding] {
        let fields = draft.frontMatter
        var findings: [Finding] = []
        var publication: Publication?
        if let source = fields.source {
            switch registry.publicationNames.match(source) {
            case .exact(let index):
                publication = registry.publications[index]
            case .nearMiss(let ids):
                let names = ids.map { registry.publications[$0].name }
                var finding = Finding(
                    .briefUnknownSource, at: fields.position(of: "source"),
                    "'\(source)' is not a publication in the registry; did you mean \(quotedList(names))?",
                    suggestion: names.first, from: .registry)
                if names.count == 1 {
                    finding.fixes =
                        Fix.replacingValue(
                            at: fields.position(of: "source"), of: draft.source, expected: source, with: names[0],
                            title: "Use the registry's name: \(names[0])", safe: true
                        ).map { [$0] } ?? []
                }
                findings.append(finding)
            case .none:
                let closest = EditDistance.closest(to: source, in: registry.publications.map(\.name))
                // With no registry name near it, the entry to add: the source as written, the link's host.
                let host = fields.url.flatMap { WebAddress($0)?.host }.map {
                    $0.hasPrefix("www.") ? String($0.dropFirst(4)) : $0
                }
                let entry = RegistryEntryText.publication(name: source, domains: host.map { [$0] } ?? [])
                findings.append(
                    Finding(
                        .briefUnknownSource, at: fields.position(of: "source"),
                        "'\(source)' is not a publication in the registry; "
                            + (closest.map { "did you mean '\($0)'? If not, " } ?? "")
                            + "add it under 'publications' in the registry"
                            + (closest == nil ? ": \(entry)" : " with its domains"),
                        suggestion: closest ?? entry, from: closest == nil ? .registryEntryToAdd : .registry))
            }
        }
        if let publication, fields.via == nil, let url = fields.url, let host = WebAddress(url)?.host,
            !publication.domains.isEmpty, !publication.owns(host: host)
        {
            let owner = registry.publication(forHost: host)
            findings.append(
                Finding(
                    .briefURLNotSourceDomain, at: fields.position(of: "url"),
                    "the URL is on \(host), which is not \(publication.name)'s site "
                        + "(\(publication.domains.joined(separator: ", ")))"
                        + (owner.map { "; it belongs to \($0.name): is 'source' right?" }
                            ?? "; if it is hosted elsewhere, say where with 'via:'"),
                    suggestion: owner?.name, from: .registry))
        }
        let words = ExcerptText.wordCount(draft.body)
        if words == 0 {
            findings.append(
                Finding(
                    .briefExcerptEmpty, at: draft.bodyPosition,
                    "the excerpt is empty: paste one to three paragraphs from the source below the front matter"))
        } else if !config.checks.excerptWords.contains(words) {
            let range = config.checks.excerptWords
            findings.append(
                Finding(
                    .briefExcerptLength, at: draft.bodyPosition,
                    "the excerpt has \(DraftAccount.counted(words, "word")); the house style is \(range.lowerBound) to \(range.upperBound)"
                ))
        }
        return findings
    }
}

/// The words of a brief's excerpt.
enum ExcerptText {
    static func wordCount(_ document: MarkdownDocument) -> Int {
        var count = 0
        func visit(_ block: MarkdownBlock) {
            var inWord = false
            for scalar in block.inline.text.unicodeScalars {
                let isWordScalar = scalar.isWordCharacter
                if isWordScalar, !inWord { count += 1 }
                inWord = isWordScalar || (inWord && (scalar == "'" || scalar == "\u{2019}" || scalar == "-"))
            }
            block.children.forEach(visit)
        }
        document.blocks.forEach(visit)
        return count
    }
}
