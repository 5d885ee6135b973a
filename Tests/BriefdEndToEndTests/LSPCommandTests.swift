import Foundation
import BriefdTestSupport
import Testing

/// `briefd lsp` as an editor starts it: a real process on stdin and stdout. The frames arrive in pieces and with
/// mistakes; every byte on stdout must be protocol; shutdown and exit end it with 0, a closed stdin with 1.
@Suite(.timeLimit(.minutes(2))) struct LSPCommandTests {
    /// A running `briefd lsp` on a workspace of its own, with what it has written so far.
    final class Server: @unchecked Sendable {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        let errors: String
        let folder: String
        private var received: [UInt8] = []

        /// - Parameter config: an existing workspace's config; by default a small workspace of its own.
        init(config: String? = nil) throws {
            folder =
                FileManager.default.temporaryDirectory.appendingPathComponent("briefd-lsp-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder + "/drafts", withIntermediateDirectories: true)
            try """
            people:
              - {name: Mara Feld, writes_for: [The Wire China]}
            publications:
              - {name: The Wire China, domains: [thewirechina.com]}
            """.write(toFile: folder + "/sources.yml", atomically: true, encoding: .utf8)
            try """
            registry: sources.yml
            newsletter: {sections: [Government / Politics / Foreign Affairs]}
            paths: {drafts: drafts, reports: reports, digests: digests, state: var/briefd.sqlite}
            """.write(toFile: folder + "/briefd.yml", atomically: true, encoding: .utf8)
            errors = folder + "/stderr.log"
            _ = FileManager.default.createFile(atPath: errors, contents: nil)
            process.executableURL = URL(fileURLWithPath: Briefd.executable)
            process.arguments = ["lsp", "--config", config ?? folder + "/briefd.yml"]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle(forWritingAtPath: errors)
            try process.run()
        }

        deinit {
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(atPath: folder)
        }

        func write(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }

        func frame(_ json: String) -> String { "Content-Length: \(json.utf8.count)\r\n\r\n\(json)" }

        /// The next whole message on stdout that `matches` (earlier ones are passed over), read off the pool.
        func next(_ matches: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [String: Any] {
            while true {
                while let message = try takeFrame() {
                    if matches(message) { return message }
                }
                let handle = output.fileHandleForReading
                // A stop for a server that never says it: after a minute the server is ended, which ends the read.
                let process = self.process
                let chunk = try await withThrowingTaskGroup(of: Data.self) { group in
                    group.addTask { try await offThePool { handle.availableData } }
                    group.addTask {
                        try await Task.sleep(for: .seconds(60))
                        process.terminate()
                        throw CancellationError()
                    }
                    defer { group.cancelAll() }
                    return try await group.next() ?? Data()
                }
                guard !chunk.isEmpty else { throw CocoaError(.fileReadUnknown) }
                received += chunk
            }
        }

        /// One frame off the front of what was received, parsed strictly: anything else on stdout fails the test.
        private func takeFrame() throws -> [String: Any]? {
            guard let end = received.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
            let header = String(decoding: received[..<end.lowerBound], as: UTF8.self)
            #expect(header.hasPrefix("Content-Length: "), "stdout carried something other than a frame: \(header)")
            let length = try #require(Int(header.dropFirst("Content-Length: ".count)))
            guard received.count - end.upperBound >= length else { return nil }
            let body = Data(received[end.upperBound..<(end.upperBound + length)])
            received.removeFirst(end.upperBound + length)
            return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        }

        /// Everything left on stdout after the process ended must be whole frames.
        func rest() throws -> Int {
            received += output.fileHandleForReading.readDataToEndOfFile()
            var count = 0
            while try takeFrame() != nil { count += 1 }
            #expect(received.isEmpty, "stray bytes on stdout: \(String(decoding: received, as: UTF8.self))")
            return count
        }

        func exitStatus() async throws -> Int32 {
            let process = self.process
            return try await offThePool {
                process.waitUntilExit()
                return process.terminationStatus
            }
        }
    }

    static func id(_ id: Int) -> @Sendable ([String: Any]) -> Bool { { ($0["id"] as? Int) == id } }

    @Test func framesInPiecesBadInputUTF16PositionsAndAShutdown() async throws {
        let server = try Server()
        // The initialize request cut inside its header and inside its body.
        let initialize = server.frame(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#)
        let cuts = [
            initialize.index(initialize.startIndex, offsetBy: 7), initialize.index(initialize.endIndex, offsetBy: -9),
        ]
        server.write(String(initialize[..<cuts[0]]))
        try await Task.sleep(for: .milliseconds(30))
        server.write(String(initialize[cuts[0]..<cuts[1]]))
        try await Task.sleep(for: .milliseconds(30))
        server.write(String(initialize[cuts[1]...]))
        let initialized = try await server.next(Self.id(1))
        let capabilities = (initialized["result"] as? [String: Any])?["capabilities"] as? [String: Any]
        #expect(capabilities?["positionEncoding"] as? String == "utf-16")

        // Not JSON, and a header without its length: each answered with an error, and the session goes on.
        server.write(server.frame("{oops") + "X-Nothing: 1\r\n\r\n")
        let notJSON = try await server.next { ($0["error"] as? [String: Any])?["code"] as? Int == -32700 }
        #expect(notJSON["id"] is NSNull)
        _ = try await server.next {
            (($0["error"] as? [String: Any])?["message"] as? String)?.contains("Content-Length") == true
        }

        let text =
            "---\nkind: post\ntitle: Notes\nauthor: Mara Feld\ndate: 2026-11-25\n---\n🙂🙂 北京 Mara Fled, writing in The Wire China, was blunt about the rules.\n"
        let encoded = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
        let uri = "file://\(server.folder)/drafts/notes.md"
        server.write(
            server.frame(
                #"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"\#(uri)","languageId":"markdown","version":1,"text":\#(encoded)}}}"#
            ))
        let published = try await server.next { ($0["method"] as? String) == "textDocument/publishDiagnostics" }
        let diagnostics = (published["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]] ?? []
        let name = try #require(
            diagnostics.first { $0["code"] as? String == "prose.misspelled-name" }, "\(diagnostics)")
        let range = try #require(name["range"] as? [String: [String: Int]])
        // Two emoji (2 units each), a space, two CJK characters (1 each), a space: "Mara Fled" starts at 8.
        #expect(range["start"] == ["line": 6, "character": 8])
        #expect(range["end"] == ["line": 6, "character": 17])

        server.write(server.frame(#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#))
        let shutdown = try await server.next(Self.id(2))
        #expect(shutdown["result"] is NSNull)
        server.write(server.frame(#"{"jsonrpc":"2.0","method":"exit"}"#))
        #expect(try await server.exitStatus() == 0)
        _ = try server.rest()
        let log = try String(contentsOfFile: server.errors, encoding: .utf8)
        #expect(log.contains("its registry (1 people, 1 publications)"), "\(log)")
    }

    @Test func aClosedInputWithoutShutdownEndsWithStatusOne() async throws {
        let server = try Server()
        server.write(server.frame(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#))
        _ = try await server.next(Self.id(1))
        try server.input.fileHandleForWriting.close()
        #expect(try await server.exitStatus() == 1)
        #expect(try server.rest() == 0)
    }

    /// The mode people deploy: the daemon runs and holds the state database while the editor's server reads it. A
    /// link first unchecked is said to be; once `briefd check` records its 404 (the daemon still running), the open
    /// draft's diagnostics change to broken, with the check's age, without a message from the editor.
    @Test func besideARunningDaemonAVerdictRecordedMeanwhileReachesTheOpenDraft() async throws {
        let site = try TestHTTPServer { _ in .respond(status: 404, body: "<p>gone</p>") }
        defer { site.stop() }
        let workspace = try DaemonTests.Workspace(
            extraConfig: "links: {allow_networks: [127.0.0.0/8], per_host_interval_ms: 0, retries: 0}")
        let daemon = try await DaemonTests.Daemon(workspace)
        let server = try Server(config: workspace.folder + "/briefd.yml")
        server.write(server.frame(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#))
        _ = try await server.next(Self.id(1))
        let url = site.url + "/gone"
        let text =
            "---\nkind: post\ntitle: Notes\nauthor: Mara Feld\ndate: 2026-11-25\n---\nRead [the piece](\(url)).\n"
        let path = workspace.drafts + "/notes.md"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let encoded = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
        server.write(
            server.frame(
                #"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file://\#(path)","languageId":"markdown","version":1,"text":\#(encoded)}}}"#
            ))
        @Sendable func codes(_ message: [String: Any]) -> [String: String] {
            let diagnostics = (message["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]] ?? []
            var found: [String: String] = [:]
            for diagnostic in diagnostics {
                if let code = diagnostic["code"] as? String { found[code] = diagnostic["message"] as? String ?? "" }
            }
            return found
        }
        let first = try await server.next { ($0["method"] as? String) == "textDocument/publishDiagnostics" }
        #expect(codes(first)["link.unverified"]?.contains("no check of it is recorded yet") == true, "\(codes(first))")
        let check = try await Briefd.run(["check", "--config", workspace.folder + "/briefd.yml", path])
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        let later = try await server.next { codes($0)["link.broken"] != nil }
        #expect(codes(later)["link.broken"]?.hasSuffix("(link checked just now)") == true, "\(codes(later))")
        server.write(
            server.frame(#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#)
                + server.frame(#"{"jsonrpc":"2.0","method":"exit"}"#))
        #expect(try await server.exitStatus() == 0)
        await #expect(daemon.stop() == 0)
    }
}
