import Mustache

// What each desk template sees, as typed values: a name the code spells wrong does not compile, and a name a
// template asks for that its page does not have is logged (`DeskTemplates`) instead of showing nothing quietly.
// A list's emptiness is asked of the list itself (`{{^empty(rows)}}`), not of a flag kept beside it.
// A field a template shows without a section (`{{status}}`) is not optional: an absent value would make Mustache
// look it up in the enclosing page (a link's missing status showed the draft's status).

/// What every page's layout shows beside the page's own values.
struct DeskLayout {
    var csrf: String
    var loginRequired: Bool
    var newsletter: String
}

/// A path in the drafts folder, linked to its page.
struct DraftLink {
    var path: String
    var href: String
}

/// `desk.mustache`: the list of drafts (its rows are rendered apart, `DeskRowsPage`, and cached).
struct DeskListPage {
    struct StatusChoice {
        var value: String
        var count: Int
        var selected: Bool
    }
    struct SectionChoice {
        var value: String
        var selected: Bool
    }

    var title = "Desk"
    var rowsHTML: String
    var total: Int
    var statuses: [StatusChoice]
    var sections: [SectionChoice]
    var nextIssue: String
    var nextBuild: String
    var query: String
    /// The last reload's refusal or failure, until a reload is applied.
    var reloadProblem: String?
}

/// `desk-rows.mustache`.
struct DeskRowsPage {
    var rows: [DeskRow]
}

/// One row of the list. Looked up by name without reflection: the list renders a row per draft.
struct DeskRow: MustacheParent {
    var path: String
    var href: String
    var status: String
    var statusClass: String
    var kind: String
    var title: String
    var section: String
    var reason: String
    var errors: Int
    var warnings: Int
    var modified: String

    func child(named name: String) -> Any? {
        switch name {
        case "path": path
        case "href": href
        case "status": status
        case "statusClass": statusClass
        case "kind": kind
        case "title": title
        case "section": section
        case "reason": reason
        case "errors": errors
        case "warnings": warnings
        case "modified": modified
        default: nil
        }
    }
}

/// `draft.mustache`: the text with its findings marked, the findings, the links, the quotes.
struct DraftPage {
    struct Line {
        var number: Int
        var runs: [Run]
        var trailing: [Trailing]
    }
    struct Run {
        var text: String
        var marked: Bool
        var severity: String
        var ids: String
        var first: String
    }
    struct Trailing {
        var id: String
        var severity: String
    }
    struct FindingRow {
        var id: String
        var line: Int
        var column: Int
        var severity: String
        var rule: String
        var message: String
        var suggestion: String?
        var suggestionSource: String?
        /// Other drafts citing the same article (brief.duplicate-url).
        var related: [DraftLink]?
        /// The page's passage of a quote.altered finding, the differing words marked.
        var passage: [PassageRun]
        /// Its fixes, each an Apply button (`POST` to the draft's address with the page's content hash).
        var fixes: [FixButton] = []
    }
    struct FixButton {
        /// Which fix: the finding's rule and position and the fix's index, found again on the draft as it is.
        var key: String
        var title: String
        var safe: Bool
        var action: String
        var hash: String
    }
    struct LinkRow {
        var url: String
        var verdict: String
        var verdictClass: String
        var checked: String = ""
        var status: String = ""
        var final: String?
        var error: String?
    }

    var title: String
    var path: String
    var lines: [Line]
    var findings: [FindingRow]
    var links: [LinkRow]
    var quotes: [FindingRow]
    var kind: String
    var status: String
    var statusClass: String
    var reasons: [String]
    var clean: Bool
}

/// A run of a passage, marked where it differs from the draft's quote.
struct PassageRun {
    var text: String
    var marked: Bool
}

/// A draft in an issue, or left out of it, as the issue page and a build's outcome list them.
struct IncludedRow {
    var path: String
    var href: String?
    var title: String
    var placement: String
}

struct LeftOutRow {
    var path: String
    var href: String?
    var status: String
    var statusClass: String
    var reason: String
}

/// The values a template is rendered with: the layout's, then the page's by name (through reflection: pages are
/// few and small). A name neither has, nor any value the page holds, is reported once through `unknownName`.
struct DeskPageContext: MustacheParent {
    let values: Any
    let layout: DeskLayout
    let unknownName: (String) -> Void
    /// The names the page's values have, found once per rendering at the first miss (a page misses a name for every
    /// finding without a suggestion, every link without a redirect, …).
    private let known = KnownNames()

    init(values: Any, layout: DeskLayout, unknownName: @escaping (String) -> Void) {
        self.values = values
        self.layout = layout
        self.unknownName = unknownName
    }

    private final class KnownNames {
        var names: Set<String>?
    }

    func child(named name: String) -> Any? {
        switch name {
        case "csrf": return layout.csrf
        case "loginRequired": return layout.loginRequired
        case "newsletter": return layout.newsletter
        default:
            if let value = DeskPageContext.field(name, of: values) { return value }
            // Mustache asks the page for a name an inner value lacks or holds as nil: only a name that no value
            // of the page has at all is a template asking for something the page does not give.
            if known.names == nil { known.names = DeskPageContext.names(in: values) }
            if known.names?.contains(name) == false { unknownName(name) }
            return nil
        }
    }

    /// The stored property `name` of `value` (for a `MustacheParent`, as it answers), unwrapped.
    static func field(_ name: String, of value: Any) -> Any? {
        if let parent = value as? any MustacheParent { return parent.child(named: name) }
        guard let child = Mirror(reflecting: value).children.first(where: { $0.label == name }) else {
            return nil
        }
        return unwrapped(child.value)
    }

    private static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.flatMap { unwrapped($0.value) }
    }

    /// Every property name of `value` and of the values it holds (an array's first element stands for the rest).
    static func names(in value: Any) -> Set<String> {
        var names: Set<String> = []
        var pending: [Any] = [value]
        while let next = pending.popLast() {
            let mirror = Mirror(reflecting: next)
            switch mirror.displayStyle {
            case .optional, .collection:
                if let first = mirror.children.first { pending.append(first.value) }
            case .struct:
                for child in mirror.children {
                    if let label = child.label { names.insert(label) }
                    pending.append(child.value)
                }
            default: break
            }
        }
        return names
    }
}
