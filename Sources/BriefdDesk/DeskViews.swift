import BriefdApp
import BriefdCore
import Foundation

/// The pages' values, made from the application's answers: small pure functions, so that a controller only asks
/// and answers.
enum DeskViews {
    typealias Time = (Double) -> String

    /// One row of the list: the account's entry, as the template shows it.
    static func row(_ row: DraftLedger.Account.Entry, time: Time) -> DeskRow {
        let status = row.standing.status
        return DeskRow(
            path: DeskText.visible(row.path), href: DeskApp.draftHref(row.path), status: status.rawValue,
            statusClass: status.cssClass, kind: row.facts.kind?.rawValue ?? "unreadable",
            title: DeskText.visible(row.facts.title ?? row.path), section: row.facts.section ?? "",
            reason: row.standing.reasons.first ?? "", errors: row.facts.errors, warnings: row.facts.warnings,
            modified: time(row.modified))
    }

    /// What the list says of the last reload (SIGHUP) when it was not applied: the config in use is the old one.
    static func reloadProblem(_ reload: (at: Date, outcome: WorkspaceHolder.ReloadOutcome)?, time: Time) -> String? {
        guard let reload else { return nil }
        let when = time(reload.at.timeIntervalSince1970)
        switch reload.outcome {
        case .applied: return nil
        case .refused(let settings):
            return
                "The reload of \(when) was not applied: \(settings.joined(separator: ", ")) change only when briefd is "
                + "restarted. The old config is still in use; restart briefd, or put those settings back and reload."
        case .failed(let reason):
            return "The reload of \(when) failed, and the old config is still in use: \(reason)"
        }
    }

    /// `/drafts/<path>`: the text with each finding marked, the findings with their fixes, the links' verdicts.
    static func draftPage(
        _ draft: Newsroom.DraftText, findings: [Finding], entry: DraftLedger.Account.Entry?, sameArticle: [DraftLink],
        kind: DraftKind?, links: [(url: String, verdict: LinkResult?)], time: Time
    ) -> DraftPage {
        let lines = DraftMarkup.lines(of: draft.text, findings: findings).map { line in
            DraftPage.Line(
                number: line.number,
                runs: line.runs.map { run in
                    DraftPage.Run(
                        text: run.text, marked: !run.findings.isEmpty,
                        severity: (run.findings.map { findings[$0].severity }.max() ?? .info).rawValue,
                        ids: run.findings.map { "f\($0 + 1)" }.joined(separator: " "),
                        first: run.findings.first.map { "f\($0 + 1)" } ?? "")
                },
                trailing: line.trailing.map { .init(id: "f\($0 + 1)", severity: findings[$0].severity.rawValue) })
        }
        let action = DeskApp.draftHref(draft.relative)
        let findingRows = findings.enumerated().map { index, finding in
            var row = DraftPage.FindingRow(
                id: "f\(index + 1)", line: finding.position.line, column: finding.position.column,
                severity: finding.severity.rawValue, rule: finding.rule.id, message: finding.message,
                suggestion: finding.suggestion, suggestionSource: finding.suggestionSource,
                related: finding.rule == .briefDuplicateURL && !sameArticle.isEmpty ? sameArticle : nil,
                passage: finding.rule == .quoteAltered
                    ? finding.suggestion.map { markedPassage($0, marks: finding.suggestionMarks) } ?? [] : [])
            row.fixes = finding.fixes.enumerated().map { number, fix in
                DraftPage.FixButton(
                    key: Newsroom.fixKey(finding, number), title: fix.title, safe: fix.safe, action: action,
                    hash: draft.hash)
            }
            return row
        }
        let linkRows = links.map { url, result -> DraftPage.LinkRow in
            guard let result else {
                return DraftPage.LinkRow(url: url, verdict: "not checked yet", verdictClass: "unknown")
            }
            return DraftPage.LinkRow(
                url: url, verdict: result.verdict.rawValue, verdictClass: result.ok ? "ok" : "bad",
                checked: time(result.checkedAt), status: result.status.map(String.init) ?? "",
                final: result.finalURL.flatMap { $0 == url ? nil : $0 },
                error: LinkProblem.sentence(status: result.status, error: result.error))
        }
        let status = entry?.standing.status ?? .checking
        // The name as the list shows it: bidirectional and invisible controls made visible, so that a file named
        // with U+202E cannot pass for another on its own page.
        let shownName = DeskText.visible(draft.relative)
        return DraftPage(
            title: shownName, path: shownName, lines: lines, findings: findingRows, links: linkRows,
            quotes: findingRows.filter { $0.rule.hasPrefix("quote.") }, kind: kind?.rawValue ?? "unreadable",
            status: status.rawValue, statusClass: status.cssClass,
            reasons: entry?.standing.reasons ?? ["not checked yet"],
            clean: findings.isEmpty && entry?.standing.status == .ready)
    }

    /// The page's passage of a `quote.altered` finding with the words that differ from the quote marked, as the
    /// check gave them (`Finding.suggestionMarks`, UTF-8 ranges within the passage).
    static func markedPassage(_ passage: String, marks: [Range<Int>]) -> [PassageRun] {
        let bytes = Array(passage.utf8)
        var runs: [PassageRun] = []
        var at = 0
        for mark in marks.sorted(by: { $0.lowerBound < $1.lowerBound })
        where mark.lowerBound >= at && mark.upperBound <= bytes.count && !mark.isEmpty {
            if mark.lowerBound > at {
                runs.append(
                    PassageRun(text: String(decoding: bytes[at..<mark.lowerBound], as: UTF8.self), marked: false))
            }
            runs.append(PassageRun(text: String(decoding: bytes[mark], as: UTF8.self), marked: true))
            at = mark.upperBound
        }
        if at < bytes.count {
            runs.append(PassageRun(text: String(decoding: bytes[at...], as: UTF8.self), marked: false))
        }
        return runs
    }

    static func includedRow(_ item: BuildReport.Included) -> IncludedRow {
        IncludedRow(
            path: DeskText.visible(item.path), href: DeskApp.draftHref(item.path),
            title: DeskText.visible(item.title), placement: item.placement)
    }

    /// A left-out draft; a published issue's may be gone from the folder: named, not `linked`.
    static func leftOutRow(_ item: BuildReport.LeftOut, linked: Bool = true) -> LeftOutRow {
        LeftOutRow(
            path: DeskText.visible(item.path), href: linked ? DeskApp.draftHref(item.path) : nil,
            status: item.status.rawValue, statusClass: item.status.cssClass, reason: item.reason)
    }

    /// The email checks' findings for the issue page (nil: the build predates the checks).
    static func emailRows(_ findings: [EmailFinding]?) -> [IssuePage.EmailRow] {
        (findings ?? []).map { IssuePage.EmailRow(rule: $0.rule, message: $0.message, line: $0.line) }
    }

    /// A build's outcome as lists: what went in, what was left out and why, problems.
    static func outcome(_ report: BuildReport) -> OutcomePage {
        OutcomePage(
            title: "", text: "", included: report.included.map { includedRow($0) },
            leftOut: report.leftOut.map { leftOutRow($0) }, problems: report.errors + report.warnings,
            unverified: report.unverifiedLinks + report.unverifiedQuotes > 0,
            unverifiedText:
                "\(DraftAccount.counted(report.unverifiedLinks, "link")) and \(DraftAccount.counted(report.unverifiedQuotes, "quote")) went out unverified (they could not be checked)."
        )
    }

    /// An ISO 8601 timestamp as recorded ("2026-11-28T03:08:00Z" or with an offset) in seconds since 1970.
    static func seconds(iso: String) -> Double {
        guard let day = Day(iso: String(iso.prefix(10))), iso.count >= 19 else { return 0 }
        let time = iso.dropFirst(11).prefix(8).split(separator: ":").compactMap { Double($0) }
        guard time.count == 3 else { return 0 }
        return Double(day.daysSinceEpoch) * 86_400 + time[0] * 3600 + time[1] * 60 + time[2]
    }
}
