public import BriefdApp
import BriefdCore
public import Foundation

/// `briefd lsp`: one editor's session. Reads messages from a `MessageInbox`, keeps the open drafts' text as the
/// editor has it, and answers with diagnostics, hovers and quick fixes computed by the application's
/// `EditorChecks`. One loop, in order: a burst of keystrokes is applied whole, then the text is checked once.
///
/// - Important: everything it writes goes through `send` (the protocol's stdout); its own log goes to `log`
///   (stderr), so that nothing but protocol reaches the client.
public final class LanguageServer {
    private let checks: EditorChecks
    private let send: @Sendable (Data) -> Void
    private let log: @Sendable (String) -> Void
    private let version: String
    private var encoding: PositionEncoding = .utf16
    private var initialized = false
    private var shutDown = false
    private var documents: [String: OpenDraft] = [:]
    private var stale: Set<String> = []

    /// A draft open in the editor: its text as typed, and its findings for the version last checked.
    struct OpenDraft {
        var path: String
        var text: EditorText
        var version: Int?
        var findings: [Finding]?
    }

    public init(
        checks: EditorChecks, version: String, send: @escaping @Sendable (Data) -> Void,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.checks = checks
        self.version = version
        self.send = send
        self.log = log
    }

    /// Serves until `exit` (status 0 after `shutdown`, else 1, as the protocol says) or the end of the input.
    public func run(_ inbox: MessageInbox) async -> Int32 {
        while true {
            let (frames, ended) = await inbox.take(waitingUpTo: .seconds(2))
            for frame in frames {
                if let status = await handle(frame) { return status }
            }
            if ended { return shutDown ? 0 : 1 }
            // Before any draft is checked, and every idle two seconds: a changed registry reloaded here reaches
            // every open draft (two stats when nothing changed).
            if initialized, frames.isEmpty || !stale.isEmpty { await lookForChanges() }
            for uri in stale.sorted() { await publish(uri) }
            stale.removeAll()
        }
    }

    // MARK: - Messages

    /// Handles one frame; the exit status when it was `exit`.
    private func handle(_ frame: MessageFrames.Frame) async -> Int32? {
        let body: Data
        switch frame {
        case .unreadable(let why):
            log("briefd lsp: \(why)")
            reply(nil, error: .parseError, "briefd could not read a message: \(why)")
            return nil
        case .message(let data):
            body = data
        }
        let message: IncomingMessage
        do {
            message = try JSONDecoder().decode(IncomingMessage.self, from: body)
        } catch {
            log("briefd lsp: a message that is not JSON: \(Self.describe(error))")
            reply(nil, error: .parseError, "briefd could not read the message as JSON: \(Self.describe(error))")
            return nil
        }
        guard let method = message.method else {
            // A response to a request of ours (we send none that need one), or nothing: read on.
            if message.id == nil { reply(nil, error: .invalidRequest, "a message with neither method nor id") }
            return nil
        }
        if method == "exit" { return shutDown ? 0 : 1 }
        guard let id = message.id else {
            guard initialized, !shutDown else { return nil }
            await notification(method, message.params ?? .null)
            return nil
        }
        if method == "initialize" {
            initialize(id, message.params ?? .null)
            // The workspace is read now: a config that cannot be is said before the first draft opens.
            await lookForChanges()
            return nil
        }
        guard initialized else {
            reply(id, error: .serverNotInitialized, "the first request must be initialize")
            return nil
        }
        guard !shutDown else {
            reply(id, error: .invalidRequest, "the server is shutting down; only exit is accepted")
            return nil
        }
        do {
            try await request(id, method, message.params ?? .null)
        } catch let error as DecodingError {
            reply(
                id, error: .invalidParams, "\(method): the params are not as the protocol says: \(Self.describe(error))"
            )
        } catch {
            reply(id, error: .internalError, "\(method): \(error)")
        }
        return nil
    }

    private func initialize(_ id: RequestID, _ params: JSONValue) {
        // UTF-8 when the client offers it (no conversion either side), else the protocol's UTF-16.
        if case .array(let offered)? = params["capabilities"]?["general"]?["positionEncodings"],
            offered.contains(.string("utf-8"))
        {
            encoding = .utf8
        }
        initialized = true
        let result = InitializeResult(
            capabilities: .init(
                positionEncoding: encoding.rawValue,
                codeActionProvider: .init(codeActionKinds: ["quickfix", "source.fixAll.briefd"])),
            serverInfo: .init(name: "briefd", version: version))
        reply(id, result)
    }

    private func notification(_ method: String, _ params: JSONValue) async {
        do {
            switch method {
            case "initialized":
                return
            case "textDocument/didOpen":
                let item = try params.decode(DidOpenParams.self).textDocument
                guard Self.isMarkdown(item) else { return }
                documents[item.uri] = OpenDraft(
                    path: Self.path(of: item.uri), text: EditorText(item.text, encoding: encoding),
                    version: item.version)
                stale.insert(item.uri)
            case "textDocument/didChange":
                let change = try params.decode(DidChangeParams.self)
                guard var document = documents[change.textDocument.uri] else { return }
                for content in change.contentChanges {
                    if let range = content.range {
                        document.text.replace(
                            from: EditorPosition(line: range.start.line, character: range.start.character),
                            to: EditorPosition(line: range.end.line, character: range.end.character), with: content.text
                        )
                    } else {
                        document.text.replaceAll(with: content.text)
                    }
                }
                document.version = change.textDocument.version
                document.findings = nil
                documents[change.textDocument.uri] = document
                stale.insert(change.textDocument.uri)
            case "textDocument/didSave":
                let uri = try params.decode(DidSaveParams.self).textDocument.uri
                if documents[uri] != nil { stale.insert(uri) }
            case "textDocument/didClose":
                let uri = try params.decode(DidCloseParams.self).textDocument.uri
                guard documents.removeValue(forKey: uri) != nil else { return }
                stale.remove(uri)
                notify("textDocument/publishDiagnostics", PublishDiagnosticsParams(uri: uri, diagnostics: []))
            default:
                return  // `$/cancelRequest`, `$/setTrace`, settings: nothing to do.
            }
        } catch {
            log("briefd lsp: \(method): the params are not as the protocol says: \(Self.describe(error))")
        }
    }

    private func request(_ id: RequestID, _ method: String, _ params: JSONValue) async throws {
        switch method {
        case "shutdown":
            shutDown = true
            reply(id, JSONValue.null)
        case "textDocument/hover":
            let asked = try params.decode(TextDocumentPositionParams.self)
            guard let document = documents[asked.textDocument.uri] else { return reply(id, JSONValue.null) }
            let position = EditorPosition(line: asked.position.line, character: asked.position.character)
            let offset = document.text.byteOffset(of: position)
            let lineStart = document.text.byteOffset(of: EditorPosition(line: position.line, character: 0))
            let line = String(document.text.source.line(position.line + 1))
            guard let markdown = await checks.hover(line: line, offset: offset - lineStart) else {
                return reply(id, JSONValue.null)
            }
            reply(id, Hover(contents: MarkupContent(kind: "markdown", value: markdown)))
        case "textDocument/codeAction":
            let asked = try params.decode(CodeActionParams.self)
            reply(id, await codeActions(asked))
        default:
            reply(id, error: .methodNotFound, "briefd does not answer \(method)")
        }
    }

    // MARK: - Diagnostics

    /// Checks the document at `uri` if its findings are not current, and returns them.
    private func findings(_ uri: String) async -> [Finding] {
        guard var document = documents[uri] else { return [] }
        if let findings = document.findings { return findings }
        let findings = await checks.check(path: document.path, bytes: document.text.bytes)
        document.findings = findings
        documents[uri] = document
        return findings
    }

    private func publish(_ uri: String) async {
        guard documents[uri] != nil else { return }
        let findings = await findings(uri)
        guard let document = documents[uri] else { return }
        var diagnostics: [Diagnostic] = []
        for finding in findings { diagnostics.append(await diagnostic(finding, in: document.text)) }
        notify(
            "textDocument/publishDiagnostics",
            PublishDiagnosticsParams(uri: uri, version: document.version, diagnostics: diagnostics))
    }

    private func diagnostic(_ finding: Finding, in text: EditorText) async -> Diagnostic {
        let span = text.span(of: finding)
        var message = finding.message
        if let suggestion = finding.suggestion {
            message += "\nSuggestion (\(finding.suggestionSource ?? "briefd")): \(suggestion)"
        }
        var related: [DiagnosticRelatedInformation]?
        if finding.suggestionSource == SuggestionSource.registry.description, let suggestion = finding.suggestion,
            let entry = await checks.registryEntry(named: suggestion)
        {
            let at = Position(line: max(0, entry.line - 1), character: 0)
            related = [
                DiagnosticRelatedInformation(
                    location: Location(uri: Self.uri(of: entry.path), range: Range(start: at, end: at)),
                    message: "\(suggestion) in the registry")
            ]
        }
        return Diagnostic(
            range: range(span.start, span.end, in: text), severity: Self.severity(finding.severity),
            code: finding.rule.id, source: "briefd", message: message, relatedInformation: related)
    }

    /// Re-checks every open draft when the config or registry changed (and says so), or when the state database
    /// learnt something (a link checked by the daemon).
    private func lookForChanges() async {
        switch await checks.refresh() {
        case .loaded(let summary)?:
            log(summary)
        case .reloaded(let summary)?:
            notify("window/logMessage", ShowMessageParams(type: 3, message: "reloaded \(summary)"))
            documents.keys.forEach { uri in documents[uri]?.findings = nil }
            stale.formUnion(documents.keys)
        case .failed(let why)?:
            notify("window/showMessage", ShowMessageParams(type: 1, message: why))
            documents.keys.forEach { uri in documents[uri]?.findings = nil }
            stale.formUnion(documents.keys)
        case nil:
            if await checks.verdictsChanged() {
                documents.keys.forEach { uri in documents[uri]?.findings = nil }
                stale.formUnion(documents.keys)
            }
        }
    }

    // MARK: - Quick fixes

    private func codeActions(_ asked: CodeActionParams) async -> [CodeAction] {
        let uri = asked.textDocument.uri
        guard documents[uri] != nil else { return [] }
        let findings = await findings(uri)
        guard let document = documents[uri] else { return [] }
        let text = document.text
        let low = text.byteOffset(
            of: EditorPosition(line: asked.range.start.line, character: asked.range.start.character))
        let high = text.byteOffset(of: EditorPosition(line: asked.range.end.line, character: asked.range.end.character))
        let only = asked.context?.only
        func wanted(_ kind: String) -> Bool { only.map { $0.contains { kind.hasPrefix($0) } } ?? true }
        var actions: [CodeAction] = []
        if wanted("quickfix") {
            for finding in findings where !finding.fixes.isEmpty || Self.addsToTheRegistry(finding) != nil {
                let span = text.span(of: finding)
                // A cursor anywhere on the marked words, its ends included, or a selection across them.
                guard span.start <= high, low <= span.end else { continue }
                let diagnostic = await diagnostic(finding, in: text)
                if let addition = await registryAddition(finding) {
                    actions.append(
                        CodeAction(
                            title: addition.title, kind: "quickfix", diagnostics: [diagnostic], isPreferred: false,
                            edit: addition.edit))
                }
                for fix in finding.fixes {
                    actions.append(
                        CodeAction(
                            title: fix.title, kind: "quickfix", diagnostics: [diagnostic], isPreferred: fix.safe,
                            edit: WorkspaceEdit(changes: [uri: fix.edits.map { wire($0, in: text) }])))
                }
            }
        }
        if wanted("source.fixAll.briefd") {
            // Every safe fix that does not overlap one before it, as `briefd check --fix` chooses them.
            var taken: [Swift.Range<Int>] = []
            var edits: [WireTextEdit] = []
            for finding in findings {
                guard let fix = finding.fixes.first, fix.safe else { continue }
                let ranges = fix.edits.map { $0.start..<max($0.end, $0.start + 1) }
                guard !ranges.contains(where: { range in taken.contains { $0.overlaps(range) } }) else { continue }
                taken += ranges
                edits += fix.edits.map { wire($0, in: text) }
            }
            if !edits.isEmpty {
                actions.append(
                    CodeAction(
                        title: "Apply every safe briefd fix (\(edits.count))", kind: "source.fixAll.briefd",
                        diagnostics: nil, isPreferred: nil, edit: WorkspaceEdit(changes: [uri: edits])))
            }
        }
        return actions
    }

    /// The list a finding's suggested registry entry goes in, when its suggestion is such an entry.
    static func addsToTheRegistry(_ finding: Finding) -> RegistryInsertion.List? {
        guard finding.suggestionSource == SuggestionSource.registryEntryToAdd.description, finding.suggestion != nil
        else { return nil }
        return finding.rule == .attributionUnknownPerson ? .people : .publications
    }

    /// The quick fix that adds a finding's suggested entry to the registry file: an edit of `sources.yml`, not of
    /// the draft, and not preferred (an editor checks the name first). The registry is read again once saved.
    private func registryAddition(_ finding: Finding) async -> (title: String, edit: WorkspaceEdit)? {
        guard let list = Self.addsToTheRegistry(finding), let entry = finding.suggestion,
            let addition = await checks.registryAddition(entry, to: list)
        else { return nil }
        let registry = EditorText(addition.text, encoding: encoding)
        let at = registry.position(ofByte: addition.offset)
        let position = Position(line: at.line, character: at.character)
        let name = (addition.path as NSString).lastPathComponent
        return (
            "Add to the registry (\(name), \(list.rawValue)): \(entry)",
            WorkspaceEdit(changes: [
                Self.uri(of: addition.path): [
                    WireTextEdit(range: Range(start: position, end: position), newText: addition.insert)
                ]
            ])
        )
    }

    private func wire(_ edit: BriefdCore.TextEdit, in text: EditorText) -> WireTextEdit {
        WireTextEdit(range: range(edit.start, edit.end, in: text), newText: edit.newText)
    }

    private func range(_ start: Int, _ end: Int, in text: EditorText) -> Range {
        let from = text.position(ofByte: start)
        let to = text.position(ofByte: end)
        return Range(
            start: Position(line: from.line, character: from.character),
            end: Position(line: to.line, character: to.character))
    }

    // MARK: - Writing

    private func reply<Result: Encodable>(_ id: RequestID?, _ result: Result) {
        write(OutgoingResponse(id: id, result: result, error: nil))
    }

    private func reply(_ id: RequestID?, error code: ErrorCode, _ message: String) {
        write(
            OutgoingResponse<JSONValue>(
                id: id, result: nil, error: ResponseError(code: code.rawValue, message: message)))
    }

    private func notify<Params: Encodable>(_ method: String, _ params: Params) {
        write(OutgoingNotification(method: method, params: params))
    }

    private func write<Message: Encodable>(_ message: Message) {
        do {
            send(MessageFrames.frame(try JSONEncoder().encode(message)))
        } catch {
            log("briefd lsp: a message could not be encoded: \(error)")
        }
    }

    // MARK: - Small conversions

    static func severity(_ severity: Severity) -> Int {
        switch severity {
        case .error: return 1
        case .warning: return 2
        case .info: return 3
        }
    }

    static func isMarkdown(_ item: TextDocumentItem) -> Bool {
        item.languageId == "markdown" || item.uri.hasSuffix(".md") || item.uri.hasSuffix(".markdown")
    }

    /// The file a `file:` URI names (percent-decoded); any other URI (an unsaved buffer) stands for itself.
    static func path(of uri: String) -> String {
        guard uri.hasPrefix("file://") else { return uri }
        let rest = String(uri.dropFirst("file://".count))
        return rest.removingPercentEncoding ?? rest
    }

    static func uri(of path: String) -> String { URL(fileURLWithPath: path).absoluteString }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription
        default:
            return "\(error)"
        }
    }
}
