/// Everything briefd has to say about one draft file.
public struct DraftReport: Sendable, Codable {
    public var path: String
    /// The draft's kind, or nil when it could not be read far enough to know.
    public var kind: DraftKind?
    public var findings: [Finding]

    public init(path: String, kind: DraftKind?, findings: [Finding]) {
        self.path = path
        self.kind = kind
        self.findings = findings
    }

    enum CodingKeys: String, CodingKey { case path, kind, findings }

    /// Every key always there: `kind` is null for a file that could not be read far enough to know it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(kind, forKey: .kind)
        try container.encode(findings, forKey: .findings)
    }

    public var errorCount: Int { findings.count { $0.severity == .error } }
    public var warningCount: Int { findings.count { $0.severity == .warning } }
    public var infoCount: Int { findings.count { $0.severity == .info } }
    public var hasErrors: Bool { errorCount > 0 }
    /// No error and no warning; info findings ("the quote matches the page") leave a draft clean. Every surface
    /// counts clean drafts with this, so a folder is as clean online as offline unless the network found a fault.
    public var isClean: Bool { errorCount == 0 && warningCount == 0 }
}
