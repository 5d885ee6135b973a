public import BriefdCore
public import BriefdIO
import Foundation

/// `briefd send campaign`: the published issue handed to the mailing service (listmonk) as one campaign, made once and
/// updated after, never a second one; a test through the service; the schedule. Before anything goes out the gate
/// (`SendGate`) must pass — the issue built, no link broken now, no quote altered, the email checks clean — unless
/// the editor forces it, which is recorded with the reason.
public struct CampaignHandOff: Sendable {
    let config: Config
    let registry: Registry
    let state: StateDatabase

    public init(config: Config, registry: Registry, state: StateDatabase) {
        self.config = config
        self.registry = registry
        self.state = state
    }

    public struct Request: Sendable {
        public var issue: Day?
        /// RFC 3339 (`2026-12-03T08:00:00Z`, or with an offset); nil leaves the campaign a draft.
        public var at: String?
        /// Addresses to send the service's test to.
        public var tests: [String]
        /// Send past the gate, for this reason.
        public var force: String?
        /// Who asks (the login running the command), recorded with a forced hand-off.
        public var user: String
        public var daemonRuns: Bool

        public init(issue: Day?, at: String?, tests: [String], force: String?, user: String, daemonRuns: Bool) {
            self.issue = issue
            self.at = at
            self.tests = tests
            self.force = force
            self.user = user
            self.daemonRuns = daemonRuns
        }
    }

    /// What was done, as `--format json` prints it (every key present).
    public struct Outcome: Sendable, Encodable {
        public var issue: String
        public var version: Int
        public var service: String
        public var campaignID: String
        public var status: String
        @NullEncoded public var sendAt: String?
        /// Made now (false: an earlier campaign of this issue was updated).
        public var created: Bool
        public var tested: [String]
        /// The gate's reasons that `--force` passed over (empty when the gate passed).
        public var forcedPast: [String]
        @NullEncoded public var forcedReason: String?
        /// Links the gate could not check now (the network was down): said, not held against the issue.
        public var uncheckedLinks: [String]

        enum CodingKeys: String, CodingKey {
            case issue, version, service, status, created, tested
            case campaignID = "campaign_id"
            case sendAt = "send_at"
            case forcedPast = "forced_past"
            case forcedReason = "forced_reason"
            case uncheckedLinks = "unchecked_links"
        }
    }

    /// What happened to the campaign, as it happened: made or updated, and what its state means for readers.
    public static func describe(created: Bool, service: String, campaignID: String, status: String, sendAt: String?)
        -> String
    {
        let done = created ? "made" : "updated"
        let state: String
        switch status {
        case "draft": state = "it is a draft: nothing is sent until someone starts or schedules it at \(service)"
        case "scheduled": state = "it is scheduled" + (sendAt.map { " to send at \($0)" } ?? "")
        case "paused": state = "it is paused at \(service): nothing more is sent until someone resumes it"
        default: state = "its state at \(service) is \(status)"
        }
        return "\(service) campaign \(campaignID) was \(done); \(state)"
    }

    public enum HandOffError: Error, CustomStringConvertible {
        /// The gate held the issue back: every reason.
        case refused([String])
        case failed(String)

        public var description: String {
            switch self {
            case .refused(let reasons):
                "the issue is not sent (--force REASON sends it anyway):\n"
                    + reasons.map { "  - \($0)" }.joined(separator: "\n")
            case .failed(let reason): reason
            }
        }
    }

    public func run(_ request: Request, links: LinkService, environment: [String: String]) async throws(HandOffError)
        -> Outcome
    {
        let delivery = config.delivery
        guard let from = delivery.from else { throw .failed("delivery.from is not set in \(config.path)") }
        if let at = request.at, !SendTime.isRFC3339(at) {
            throw .failed(
                "--at must be a time such as 2026-12-03T08:00:00Z or 2026-12-03T16:00:00+08:00, found '\(at)'")
        }
        let serviceClient = ConfiguredServiceClient.make(
            for: .mailingService, timeoutSeconds: 60, version: links.version)
        defer { Task { await serviceClient.shutdown() } }
        let service = try CampaignHandOff.service(delivery, client: serviceClient, environment: environment)
        let issue = try await publishedIssue(request.issue)
        let (facts, files) = try await gateFacts(issue, links: links, daemonRuns: request.daemonRuns)
        let reasons = SendGate.reasons(facts)
        if !reasons.isEmpty && request.force == nil { throw .refused(reasons) }
        guard let html = files["email.html"], let text = files["digest.txt"], let day = Day(iso: issue.date) else {
            throw .failed("the issue of \(issue.date) has no email.html and digest.txt recorded")
        }
        // The subject as the issue was built (its recorded title), like its body; the sender with its name.
        let content = CampaignContent(
            name: "\(config.newsletter.name) \(issue.date)",
            subject: issue.title.isEmpty ? "\(config.newsletter.name) | \(DigestText.longDate(day))" : issue.title,
            fromEmail: from.named(config.newsletter.name).display,
            html: String(decoding: html, as: UTF8.self), text: String(decoding: text, as: UTF8.self),
            sendAt: request.at)
        // From "has this issue a campaign?" to "recorded", under the workspace's lock: of two hand-offs started
        // together (a double click, the desk and a terminal) the second finds the first's campaign and updates it.
        let lock: WorkspaceLock
        do {
            lock = try await WorkspaceLock.acquire(
                statePath: config.paths.state, purpose: "the hand-off of the issue of \(issue.date) to \(service.name)",
                waitingAtMost: DigestBuild.lockWait)
        } catch {
            throw .failed("the issue of \(issue.date) was not handed off: \(error)")
        }
        defer { lock.release() }
        let (campaign, created) = try await createOrUpdate(
            content, of: issue, at: request.at, tests: request.tests, service: service)
        let forcedReason = reasons.isEmpty ? nil : request.force
        do {
            try await CampaignStore(state).save(
                issue: issue.date, version: issue.version, service: service.name, campaignID: campaign.id,
                status: campaign.status, sendAt: campaign.sendAt ?? request.at, forcedReason: forcedReason,
                forcedBy: forcedReason == nil ? nil : request.user, now: Date().timeIntervalSince1970)
        } catch {
            throw .failed("campaign \(campaign.id) was handed off but not recorded in \(config.paths.state): \(error)")
        }
        return Outcome(
            issue: issue.date, version: issue.version, service: service.name, campaignID: campaign.id,
            status: campaign.status, sendAt: campaign.sendAt ?? request.at, created: created, tested: request.tests,
            forcedPast: request.force == nil ? [] : reasons, forcedReason: forcedReason,
            uncheckedLinks: facts.uncheckedLinks)
    }

    /// The issue's campaign made or updated, tested and scheduled as asked; whether it was made now. The intent is on
    /// record before the service is asked to make one: the campaign is looked for at the service by its unique name
    /// first (a run killed after "created" and before "recorded" left one there), and recorded the moment it is made.
    private func createOrUpdate(
        _ content: CampaignContent, of issue: IssueStore.Published, at: String?, tests: [String],
        service: any MailingService
    ) async throws(HandOffError) -> (ServiceCampaign, Bool) {
        let store = CampaignStore(state)
        func record(_ campaign: ServiceCampaign) async throws(HandOffError) {
            do {
                try await store.save(
                    issue: issue.date, version: issue.version, service: service.name, campaignID: campaign.id,
                    status: campaign.status, sendAt: campaign.sendAt, forcedReason: nil,
                    now: Date().timeIntervalSince1970)
            } catch {
                throw .failed(
                    "\(service.name) campaign \(campaign.id) of the issue of \(issue.date) is made but could not be recorded in \(config.paths.state): \(error); the next run finds it by its name and updates it"
                )
            }
        }
        var campaign: ServiceCampaign
        var created = false
        do {
            let known: CampaignStore.Record?
            do {
                known = try await store.record(of: issue.date)
            } catch {
                throw HandOffError.failed("\(config.paths.state): \(error)")
            }
            var existing: ServiceCampaign?
            // A record without an id is an intent: a hand-off ended between asking the service and hearing back.
            if let known, !known.campaignID.isEmpty {
                existing = try await service.campaign(known.campaignID)
            } else if let found = try await service.find(content) {
                // Made by a run that ended before it could record it: recorded now, then updated like any other.
                try await record(found)
                existing = found
            }
            if let current = existing {
                guard service.isEditable(current.status) else {
                    throw HandOffError.failed(
                        "campaign \(current.id) of the issue of \(issue.date) is \(current.status) at \(service.name): it has started sending and is not changed; nothing was sent"
                    )
                }
                campaign = try await service.update(current.id, content)
            } else {
                // The intent first, so that every surface can say a campaign may exist before the service answers.
                do {
                    try await store.save(
                        issue: issue.date, version: issue.version, service: service.name,
                        campaignID: CampaignStore.intent, status: "being made", sendAt: nil, forcedReason: nil,
                        now: Date().timeIntervalSince1970)
                } catch {
                    throw HandOffError.failed(
                        "nothing was handed off: the hand-off could not be recorded in \(config.paths.state): \(error)")
                }
                campaign = try await service.create(content)
                created = true
                FaultPoint.afterCreate.reached()
                // Recorded at once: should anything after fail, the next run updates this campaign.
                try await record(campaign)
            }
            if !tests.isEmpty { try await service.test(campaign.id, content, to: tests) }
            if let at, !service.isScheduled(campaign.status) {
                campaign = try await service.schedule(campaign.id, at: at)
            }
        } catch let error as HandOffError {
            throw error
        } catch {
            throw .failed("\(error)")
        }
        return (campaign, created)
    }

    /// After `build --replace`: the issue's campaign, if it has one and it has not gone out, is updated with the new
    /// version through the same gate (a scheduled campaign must not go out with the old text). Returns what happened,
    /// as a line for the editor; nil when the issue has no campaign.
    public func followReplacement(
        of date: Day, links: LinkService, user: String, daemonRuns: Bool, environment: [String: String]
    ) async -> String? {
        let record: CampaignStore.Record?
        do {
            record = try await CampaignStore(state).record(of: date.description)
        } catch {
            // Not knowing is no "no campaign": a scheduled one could go out with the replaced text. Said.
            return
                "Whether the issue has a campaign could not be read (\(error)); check it at the service before it goes out"
        }
        guard let campaign = record else { return nil }
        let request = Request(issue: date, at: nil, tests: [], force: nil, user: user, daemonRuns: daemonRuns)
        do {
            let outcome = try await run(request, links: links, environment: environment)
            return
                "Updated \(outcome.service) campaign \(outcome.campaignID) with version \(outcome.version) of the issue (\(outcome.status))"
        } catch {
            return
                "The issue's campaign \(campaign.campaignID) at \(campaign.service) still holds version \(campaign.version): \(error)"
        }
    }

    /// The configured service's client; why there is none when it is not configured or its keys are missing.
    static func service(_ delivery: DeliverySettings, client: CurlHTTPClient, environment: [String: String])
        throws(HandOffError) -> any MailingService
    {
        if let settings = delivery.listmonk {
            guard let listmonk = ListmonkClient(settings: settings, client: client, environment: environment) else {
                let missing = ListmonkClient.missingKeys(settings, environment: environment)
                throw .failed("listmonk's keys are not set (\(missing.joined(separator: ", ")))")
            }
            return listmonk
        }
        if let settings = delivery.buttondown {
            guard let buttondown = ButtondownClient(settings: settings, client: client, environment: environment) else {
                throw .failed("Buttondown's key is not set (\(settings.tokenEnv))")
            }
            return buttondown
        }
        throw .failed("no mailing service is configured (delivery.service: listmonk or buttondown, docs/delivery.md)")
    }

    private func publishedIssue(_ date: Day?) async throws(HandOffError) -> IssueStore.Published {
        let published: [IssueStore.Published]
        do {
            published = try await IssueStore(state).published()
        } catch {
            throw .failed("\(config.paths.state): \(error)")
        }
        guard let issue = date.map({ day in published.first { $0.date == day.description } }) ?? published.first else {
            throw .refused([
                date.map { "the issue of \($0) is not built; build it first" }
                    ?? "no issue is built yet; build one first"
            ])
        }
        return issue
    }

    /// What the gate weighs: the recorded files, every item's link checked now, the items' quote findings, the
    /// build's email findings.
    private func gateFacts(_ issue: IssueStore.Published, links: LinkService, daemonRuns: Bool)
        async throws(HandOffError) -> (SendGate.Facts, [String: [UInt8]])
    {
        guard issue.importedFrom == nil, let day = Day(iso: issue.date) else {
            let facts = SendGate.Facts(
                notBuilt: "the issue of \(issue.date) was imported, not built here: it has no email to send",
                brokenLinks: [], alteredQuotes: [], emailFindings: [], uncheckedLinks: [])
            return (facts, [:])
        }
        let store = IssueStore(state)
        let files: [String: [UInt8]]
        let items: [IssueStore.Item]
        let drafts: DigestBuild.Drafts
        do {
            files = Dictionary(
                try await store.files(of: day, version: issue.version).map { ($0.name, $0.bytes) },
                uniquingKeysWith: { first, _ in first })
            items = try await store.items(of: day)
            drafts = try await SavedAccount.drafts(
                config: config, registry: registry, state: state, daemonRuns: daemonRuns, today: day, parsing: false
            ).0
        } catch {
            throw .failed("\(config.paths.state): \(error)")
        }
        // The email's findings are in the recorded build report; one that cannot be read is no "no findings".
        var report: BuildReport?
        if let recorded = files["build.json"] {
            do {
                report = try JSONDecoder().decode(BuildReport.self, from: Data(recorded))
            } catch {
                throw .failed(
                    "the build report of the issue of \(day) cannot be read (\(error)); build the issue again")
            }
        }
        var broken: [(url: String, reason: String)] = []
        var unchecked: [String] = []
        let urls = Array(Set(items.map(\.url))).sorted()
        let results = await withTaskGroup(of: LinkResult?.self) { group in
            for url in urls { group.addTask { await links.checker.check(url: url, reuse: .inFlight) } }
            var results: [LinkResult] = []
            for await result in group { if let result { results.append(result) } }
            return results
        }
        for result in results.sorted(by: { $0.url < $1.url }) {
            switch result.verdict {
            case .broken, .soft404:
                broken.append(
                    (
                        result.url,
                        LinkProblem.sentence(status: result.status, error: result.error) ?? result.verdict.rawValue
                    ))
            case .timeout, .unverified: unchecked.append(result.url)
            default: break
            }
        }
        var altered: [String] = []
        for item in items {
            // The one list the account also reads (`Rule.keepsDraftOut`): a draft with one of these is never ready.
            for finding in drafts.findings[item.path] ?? [] where Rule.refusedBySendGate.contains(finding.rule) {
                altered.append("\(item.path):\(finding.position.line):\(finding.position.column): \(finding.message)")
            }
        }
        let facts = SendGate.Facts(
            notBuilt: files["email.html"] == nil
                ? "the issue of \(issue.date) has no email recorded; build it again" : nil,
            brokenLinks: broken, alteredQuotes: altered, emailFindings: report?.email ?? [], uncheckedLinks: unchecked)
        return (facts, files)
    }
}

/// Times a service is given.
enum SendTime {
    /// `2026-12-03T08:00:00Z` or with an offset (`+08:00`); seconds required, fractions allowed.
    static func isRFC3339(_ text: String) -> Bool {
        text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/#) != nil
    }
}
