/// Checks the front matter's values against the config and the calendar: sections, URLs, dates.
struct FrontMatterCheck {
    let config: Config
    let today: Day

    func findings(for draft: Draft) -> [Finding] {
        let fields = draft.frontMatter
        var findings: [Finding] = []
        if let section = fields.section, !config.newsletter.sections.contains(section) {
            let closest = EditDistance.closest(to: section, in: config.newsletter.sections)
            var finding = Finding(
                .frontMatterUnknownSection, at: fields.position(of: "section"),
                "'\(section)' is not a section of \(config.newsletter.name)"
                    + (closest.map { "; did you mean '\($0)'?" }
                        ?? " (sections: \(config.newsletter.sections.joined(separator: "; ")))"),
                suggestion: closest, from: .closestAccepted)
            if let closest {
                finding.fixes =
                    Fix.replacingValue(
                        at: fields.position(of: "section"), of: draft.source, expected: section,
                        with: closest, title: "Use the section '\(closest)'", safe: true
                    ).map { [$0] } ?? []
            }
            findings.append(finding)
        }
        if let url = fields.url, WebAddress(url)?.isHTTP != true {
            findings.append(
                Finding(
                    .frontMatterBadURL, at: fields.position(of: "url"),
                    "'url' must be an absolute http:// or https:// address, found '\(url)'"))
        }
        for key in ["published", "date"] {
            guard let day = key == "published" ? fields.published : fields.date else { continue }
            if today < day {
                findings.append(
                    Finding(
                        .frontMatterDateInFuture, at: fields.position(of: key),
                        "'\(key)' is \(day), after today (\(today)); check the date"))
            }
            if let issue = fields.issue, issue < day {
                findings.append(
                    Finding(
                        .frontMatterPublishedAfterIssue, at: fields.position(of: key),
                        "'\(key)' is \(day), after the issue it is meant for (\(issue))"))
            }
        }
        return findings
    }
}
