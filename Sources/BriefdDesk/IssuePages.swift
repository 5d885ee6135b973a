import Mustache

// The values of the issue, archive, links, clip, login, message and capture pages (see DeskPages.swift for why
// they are typed).

/// `issue.mustache`: the coming issue (`isNext`) or a published one.
struct IssuePage {
    struct EmailRow {
        var rule: String
        var message: String
        var line: Int?
    }
    struct Download {
        var href: String
        var label: String
    }
    struct PreservationRow {
        var url: String
        var captured: Bool
        var status: String
        var excerpt: String
        var excerptClass: String
        var reason: String?
        var copy: String?
        var spn: String = ""
        var snapshot: String?
    }
    struct Delivery {
        var canTest: Bool
        var testTo: String
        var canHandOff: Bool
        var service: String
        var campaign: String?
        /// Why the hand-off is not offered though a service is configured, and how to make it possible.
        var handOffUnavailable: String?
    }

    var title: String
    var date: String
    var isNext: Bool
    var hasIssue: Bool
    var published = false
    var builtAt = ""
    var version = 0
    var versions = 0
    var included: [IncludedRow]
    var leftOut: [LeftOutRow]
    var emailChecked: Bool
    var emailFindings: [EmailRow]
    var unverified = false
    var unverifiedLinks = ""
    var unverifiedQuotes = ""
    var preservation: [PreservationRow] = []
    var delivery: Delivery?
    var downloads: [Download] = []
    var web: String
    var email: String
    var imagesShown: Bool
    var imagesToggle: String
}

/// `archive.mustache`: every published issue.
struct ArchivePage {
    struct Row {
        var date: String
        var href: String
        var title: String
        var items: String
        var builtAt: String
        var version: Int
    }

    var title = "Published issues"
    var issues: [Row]
}

/// `outcome.mustache`: what a build (or a refused hand-off) did.
struct OutcomePage {
    var title: String
    var text: String
    var link: String?
    var linkText = ""
    var included: [IncludedRow] = []
    var leftOut: [LeftOutRow] = []
    var problems: [String] = []
    var unverified = false
    var unverifiedText = ""
}

/// `links.mustache`: suspect and dead links, what cites them, their copies, the alerts.
struct LinksPage {
    struct Row {
        var url: String
        var state: String
        var failures: Int
        var issues: [IssueLink]
        var drafts: [DraftLink]
        var firstFailure = ""
        var lastCheck = ""
        var status: Int?
        var reason: String?
        var copies: [Copy]
    }
    struct IssueLink {
        var date: String
        var href: String
    }
    struct Copy {
        var href: String
        var label: String
    }
    struct Alert {
        var url: String
        var kind: String
        var raised: String
        var delivered: String
        var waiting: String
    }

    var title = "Links"
    var rows: [Row]
    /// `LinkWatchCount`'s words, as `briefd rot` has them.
    var counts: String
    var troubledPublished: Int
    var troubledWaiting: Int
    var alerts: [Alert]
}

/// `clip.mustache`.
struct ClipPage {
    struct SectionOption {
        var value: String
        var label: String
    }

    var title = "Clip"
    var url: String
    var online: Bool
    var sections: [SectionOption]
    var problem: String?
}

/// `login.mustache`.
struct LoginPage {
    var title = "Log in"
    var problem: String?
}

/// `message.mustache`: a sentence, a link on, or a question with the form that confirms it.
struct MessagePage {
    var title: String
    var text: String
    var link: String?
    var linkText = ""
    var confirmBuild = false
    var buildAction = ""
    var buildLabel = ""
    var cancel: String?
}

/// `capture.mustache`: an issue's own copy of a page, under the banner that says what it is.
struct CapturePage {
    var title: String
    var url: String
    var finalURL: String
    var redirected: Bool
    var takenAt: String
    var issue: String
    var issueHref: String
    var status: Int
    var excerpt: String
    var frame: String
}
