public import BriefdCore
public import Mustache

// The values templates see, by name, without reflection: swift-mustache falls back to `Mirror` for other
// types, which took a third of a 500-item build. Each name here is a template variable; see templates/README.md.

extension DigestIssue: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "date": return date
        case "title": return title
        case "newsletter": return newsletter
        case "dateText": return dateText
        case "disclaimer": return disclaimer
        case "supportText": return supportText
        case "supportURL": return supportURL
        case "featured": return featured
        case "sponsor": return sponsor
        case "sponsorLine": return sponsorLine
        case "donationAppeal": return donationAppeal
        case "sections": return sections
        case "footer": return footer
        case "webURL": return webURL
        default: return nil
        }
    }
}

extension DigestSection: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "name": return self.name
        case "items": return items
        default: return nil
        }
    }
}

extension DigestItem: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "prefix": return prefix
        case "headline": return headline
        case "url": return url
        case "meta": return meta
        case "excerptHTML": return excerptHTML
        case "excerptText": return excerptText
        case "excerptMarkdown": return excerptMarkdown
        case "markdownLink": return markdownLink
        case "textHeading": return textHeading
        default: return nil
        }
    }
}

extension DigestFooter: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "tagline": return tagline
        case "subscribeURL": return subscribeURL
        case "unsubscribeURL": return unsubscribeURL
        case "archiveURL": return archiveURL
        default: return nil
        }
    }
}

extension DonationAppeal: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "text": return text
        case "url": return url
        default: return nil
        }
    }
}
