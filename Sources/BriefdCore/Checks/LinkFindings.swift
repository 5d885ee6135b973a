/// Turns link-check results into findings at each place a draft cites the link.
public enum LinkFindings {
    /// The finding for `result` at `position`, or nil when the link needs no change.
    public static func finding(for result: LinkResult, at position: SourcePosition) -> Finding? {
        // In the editor's words; the raw text stays in the result (`briefd links --format json`).
        let detail = LinkProblem.sentence(status: result.status, error: result.error).map { ": \($0)" } ?? ""
        switch result.verdict {
        case .ok, .paywalled, .skipped:
            return nil
        case .redirected:
            return Finding(
                .linkRedirected, at: position,
                "\(result.url) redirects permanently to \(result.finalURL ?? "another address")",
                suggestion: result.finalURL,
                from: .linkCheck(checked: SuggestionSource.day(ofUnixTime: result.checkedAt)))
        case .broken:
            return Finding(.linkBroken, at: position, "\(result.url) is broken\(detail)")
        case .soft404:
            return Finding(.linkSoft404, at: position, "\(result.url) leads to a not-found page\(detail)")
        case .blocked:
            return Finding(.linkBlocked, at: position, "\(result.url) could not be verified\(detail)")
        case .timeout:
            return Finding(.linkTimeout, at: position, "\(result.url) did not answer in time\(detail)")
        case .blockedAddress:
            return Finding(.linkBlockedAddress, at: position, "\(result.url) was not checked\(detail)")
        case .unverified:
            return Finding(
                .linkUnverified, at: position,
                "\(result.url) was not checked: no host name resolves; the network may be down. It is checked again when names resolve"
            )
        }
    }

    /// Findings for every citation in `links` of the draft at `path`.
    /// - Parameter source: the draft's text, for the fixes (a redirect's final address in place of the cited one).
    /// - Parameter archived: an archived copy of a cited address (a Save Page Now snapshot), for the fix of a dead
    ///   link: cite the copy instead.
    public static func findings(
        path: String, links: [CitedLink], results: [String: LinkResult], unknownBecause: String? = nil,
        source: SourceText? = nil, archived: [String: String] = [:]
    ) -> [Finding] {
        var findings: [Finding] = []
        for link in links {
            guard let result = results[link.url] else {
                // Nothing unknown is silent: with no result to show, say so at each citation.
                if let unknownBecause {
                    for citation in link.citations where citation.path == path {
                        findings.append(
                            Finding(
                                .linkUnverified, at: SourcePosition(line: citation.line, column: citation.column),
                                "\(link.url) was not checked: \(unknownBecause)"))
                    }
                }
                continue
            }
            for citation in link.citations where citation.path == path {
                let position = SourcePosition(line: citation.line, column: citation.column)
                guard var finding = finding(for: result, at: position) else { continue }
                if finding.rule == .linkRedirected, let source, let final = result.finalURL {
                    finding.fixes = redirectFix(link.url, to: final, at: position, in: source)
                }
                if finding.rule == .linkBroken || finding.rule == .linkSoft404, let source,
                    let copy = archived[link.url]
                {
                    finding.fixes = archivedCopyFix(link.url, copy: copy, at: position, in: source)
                }
                findings.append(finding)
            }
        }
        return findings
    }

    /// The final address in place of the cited one, found as written at or after the citation on its line. Safe:
    /// the same page, at the address it now has.
    static func redirectFix(_ url: String, to final: String, at position: SourcePosition, in source: SourceText)
        -> [Fix]
    {
        citedAddressFix(
            url, to: final, at: position, in: source, title: "Cite the address it redirects to: \(final)", safe: true)
    }

    /// The archived copy in place of a dead address. Not safe: the copy is of the page as it was, and an editor
    /// decides whether readers should be sent there or the brief dropped.
    static func archivedCopyFix(_ url: String, copy: String, at position: SourcePosition, in source: SourceText)
        -> [Fix]
    {
        citedAddressFix(url, to: copy, at: position, in: source, title: "Cite the archived copy: \(copy)", safe: false)
    }

    /// `replacement` in place of `url`, found as written at or after the citation on its line.
    static func citedAddressFix(
        _ url: String, to replacement: String, at position: SourcePosition, in source: SourceText, title: String,
        safe: Bool
    ) -> [Fix] {
        let from = source.byteOffset(line: position.line, scalarColumn: position.column)
        let lineEnd = source.byteOffset(line: position.line + 1, scalarColumn: 1)
        let needle = Array(url.utf8)
        guard !needle.isEmpty, lineEnd - from >= needle.count else { return [] }
        for start in from...(lineEnd - needle.count) where Array(source.bytes[start..<(start + needle.count)]) == needle
        {
            return Fix.replacing(
                start, start + needle.count, of: source, expected: url, with: replacement, title: title, safe: safe
            ).map { [$0] } ?? []
        }
        return []
    }
}
