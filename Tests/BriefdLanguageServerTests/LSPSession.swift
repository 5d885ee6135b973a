import BriefdApp
import BriefdLanguageServer
import Foundation
import Synchronization
import Testing

/// A workspace on disk (config, a small registry, a drafts folder, a state database folder) and a language server
/// talking to the test through its inbox: what an editor sends goes in, what the server sends is read back whole.
final class LSPSession: Sendable {
    let folder: String
    let inbox = MessageInbox()
    private let outbox = Outbox()
    private let server: Task<Int32, Never>

    static let registry = """
        publications:
          - {name: The Wire China, domains: [thewirechina.com]}
          - {name: Caixin, aliases: [Caixin Global], domains: [caixinglobal.com]}
        people:
          - name: Mara Feld
            roles:
              - {title: Senior Fellow, org: Shanghai Policy Lab, from: 2019-01-01, until: 2024-06-30}
              - {title: Historian, org: University of Edinburgh, from: 2024-07-01}
            writes_for: [The Wire China]
        """

    /// - Parameter now: the clock the ages in messages are counted from.
    init(now: Double? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("briefd-lsp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
        try Self.registry.write(toFile: folder + "/sources.yml", atomically: true, encoding: .utf8)
        try """
        registry: sources.yml
        newsletter: {sections: [Government / Politics / Foreign Affairs, Society / Culture / Life]}
        paths: {drafts: drafts, reports: reports, digests: digests, state: var/briefd.sqlite}
        """.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
        var clock: (@Sendable () -> Double)?
        if let now { clock = { now } }
        let checks = EditorChecks(configPath: folder + "/briefd.yml", clock: clock)
        let inbox = self.inbox
        let outbox = self.outbox
        server = Task {
            let server = LanguageServer(
                checks: checks, version: "test",
                send: { framed in
                    var frames = MessageFrames()
                    for case .message(let body) in frames.feed(framed) {
                        if let message = try? JSONDecoder().decode(JSONValue.self, from: body) {
                            outbox.messages.withLock { $0.append(message) }
                        }
                    }
                }, log: { _ in })
            return await server.run(inbox)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func uri(_ name: String) -> String { "file://" + folder + "/drafts/" + name }

    /// Sends one message as its JSON text.
    func send(_ json: String) { inbox.add([.message(Data(json.utf8))]) }

    func request(_ id: Int, _ method: String, _ params: String = "{}") {
        send(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#)
    }

    func notify(_ method: String, _ params: String) {
        send(#"{"jsonrpc":"2.0","method":"\#(method)","params":\#(params)}"#)
    }

    /// Initializes with the client capabilities given (UTF-16 when they name no encoding).
    func start(capabilities: String = "{}") async throws -> JSONValue {
        request(1, "initialize", #"{"capabilities":\#(capabilities)}"#)
        let answer = try await response(1)
        notify("initialized", "{}")
        return answer
    }

    func open(_ name: String, _ text: String, version: Int = 1) {
        notify(
            "textDocument/didOpen",
            #"{"textDocument":{"uri":"\#(uri(name))","languageId":"markdown","version":\#(version),"text":\#(Self.quoted(text))}}"#
        )
    }

    /// The next message that `matches`, waited for up to `seconds`: a stop for a server that never says it, not a
    /// bound on how fast it does (a fresh-clone run once kept the server's task off both pool threads for over
    /// 10 s while process waits held them).
    func next(within seconds: Double = 60, _ matches: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let found = outbox.messages.withLock { messages -> JSONValue? in
                guard let index = messages.firstIndex(where: matches) else { return nil }
                return messages.remove(at: index)
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("no such message within \(seconds) s; sent: \(outbox.messages.withLock { $0 })")
        throw CancellationError()
    }

    func response(_ id: Int) async throws -> JSONValue {
        try await next { $0["id"] == .number(Double(id)) }
    }

    /// The diagnostics published for `name` at `version`.
    func diagnostics(_ name: String, version: Int) async throws -> [JSONValue] {
        let uri = uri(name)
        let message = try await next {
            $0["method"]?.string == "textDocument/publishDiagnostics" && $0["params"]?["uri"]?.string == uri
                && $0["params"]?["version"] == .number(Double(version))
        }
        guard case .array(let diagnostics)? = message["params"]?["diagnostics"] else { return [] }
        return diagnostics
    }

    /// Shuts down and exits; the server's exit status.
    func stop() async throws -> Int32 {
        request(999, "shutdown")
        _ = try await response(999)
        notify("exit", "{}")
        return await server.value
    }

    var exitStatus: Int32 { get async { await server.value } }

    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}

/// What the server sent, shared with its send function.
final class Outbox: Sendable {
    let messages = Mutex<[JSONValue]>([])
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, index < array.count { return array[index] }
        return nil
    }

    var int: Int? {
        if case .number(let number) = self { return Int(number) }
        return nil
    }

    var array: [JSONValue] {
        if case .array(let array) = self { return array }
        return []
    }
}
