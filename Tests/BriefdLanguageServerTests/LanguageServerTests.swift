import BriefdApp
import BriefdCore
import BriefdIO
import BriefdLanguageServer
import Foundation
import Testing

/// `briefd lsp` in process, as an editor drives it: the handshake, diagnostics on the right characters, quick fixes
/// that clear their finding, hovers, the state database's verdicts with their age, a registry edited underneath,
/// and every kind of bad message answered without ending the session.
@Suite(.timeLimit(.minutes(5))) struct LanguageServerTests {
    static let post = """
        ---
        kind: post
        title: Notes on the Licensing Rules
        author: Mara Feld
        date: 2026-11-25
        ---
        北京 🙂 Mara Fled, writing in The Wire China, was blunt about the rules and what they mean.

        """

    @Test func theHandshakeOffersUTF8WhenTheClientDoesAndUTF16Otherwise() async throws {
        let plain = try LSPSession()
        let first = try await plain.start()
        #expect(first["result"]?["capabilities"]?["positionEncoding"]?.string == "utf-16")
        #expect(first["result"]?["capabilities"]?["textDocumentSync"]?["change"]?.int == 2)
        #expect(try await plain.stop() == 0)
        let offering = try LSPSession()
        let second = try await offering.start(capabilities: #"{"general":{"positionEncodings":["utf-8","utf-16"]}}"#)
        #expect(second["result"]?["capabilities"]?["positionEncoding"]?.string == "utf-8")
        #expect(try await offering.stop() == 0)
    }

    @Test(arguments: [("{}", 6, 15), (#"{"general":{"positionEncodings":["utf-8"]}}"#, 12, 21)])
    func aMisspelledNameIsMarkedOnItsCharactersAfterCJKAndAnEmoji(capabilities: String, start: Int, end: Int)
        async throws
    {
        let session = try LSPSession()
        _ = try await session.start(capabilities: capabilities)
        session.open("post.md", Self.post)
        let diagnostics = try await session.diagnostics("post.md", version: 1)
        let name = try #require(diagnostics.first { $0["code"]?.string == "prose.misspelled-name" })
        // "北京 🙂 " is 6 UTF-16 units and 12 bytes: "Mara Fled" starts there, on the seventh line (6, 0-based).
        #expect(name["range"]?["start"]?["line"]?.int == 6)
        #expect(name["range"]?["start"]?["character"]?.int == start)
        #expect(name["range"]?["end"]?["character"]?.int == end)
        #expect(name["severity"]?.int == 2)
        #expect(name["source"]?.string == "briefd")
        #expect(name["message"]?.string?.contains("Suggestion (from the registry): Mara Feld") == true)
        // The registry entry it points to, in sources.yml (line 5, 0-based 4).
        let related = try #require(name["relatedInformation"]?[0]?["location"])
        #expect(related["uri"]?.string?.hasSuffix("/sources.yml") == true)
        #expect(related["range"]?["start"]?["line"]?.int == 4)
        #expect(try await session.stop() == 0)
    }

    @Test func aMistakeTypedIsDiagnosedAndItsQuickFixClearsIt() async throws {
        let session = try LSPSession()
        _ = try await session.start()
        let clean = Self.post.replacingOccurrences(of: "Mara Fled", with: "Mara Feld")
        session.open("post.md", clean)
        let before = try await session.diagnostics("post.md", version: 1)
        #expect(!before.contains { $0["code"]?.string == "prose.misspelled-name" }, "\(before)")
        // The editor types over "Feld" (UTF-16 characters 11 to 15 of line 6) with "Fled".
        session.notify(
            "textDocument/didChange",
            #"{"textDocument":{"uri":"\#(session.uri("post.md"))","version":2},"contentChanges":[{"range":{"start":{"line":6,"character":11},"end":{"line":6,"character":15}},"text":"Fled"}]}"#
        )
        let typed = try await session.diagnostics("post.md", version: 2)
        #expect(typed.contains { $0["code"]?.string == "prose.misspelled-name" })
        session.request(
            7, "textDocument/codeAction",
            #"{"textDocument":{"uri":"\#(session.uri("post.md"))"},"range":{"start":{"line":6,"character":8},"end":{"line":6,"character":8}},"context":{"diagnostics":[]}}"#
        )
        let actions = try await session.response(7)["result"]?.array ?? []
        let fix = try #require(actions.first { $0["kind"]?.string == "quickfix" }, "\(actions)")
        #expect(fix["title"]?.string == "Use the registry's spelling: Mara Feld")
        #expect(fix["isPreferred"] == .bool(true))
        let edit = try #require(fix["edit"]?["changes"]?[session.uri("post.md")]?[0])
        #expect(edit["newText"]?.string == "Mara Feld")
        #expect(edit["range"]?["start"]?["character"]?.int == 6)
        #expect(edit["range"]?["end"]?["character"]?.int == 15)
        // Applied as the editor would: the finding goes, and no other comes.
        session.notify(
            "textDocument/didChange",
            #"{"textDocument":{"uri":"\#(session.uri("post.md"))","version":3},"contentChanges":[{"range":\#(try Self.json(edit["range"])),"text":"Mara Feld"}]}"#
        )
        let after = try await session.diagnostics("post.md", version: 3)
        #expect(after.map { $0["code"]?.string } == before.map { $0["code"]?.string })
        #expect(try await session.stop() == 0)
    }

    @Test func theStateDatabasesVerdictsShowWithTheirAgeAndADeadLinkOffersItsArchivedCopy() async throws {
        let now = 1_800_000_000.0
        let session = try LSPSession(now: now)
        let state = try StateDatabase(path: session.folder + "/var/briefd.sqlite")
        let dead = "https://www.thewirechina.com/2026/11/16/gone/"
        let copy = "https://web.archive.org/web/20261117000000/" + dead
        try await LinkStore(state).record([
            LinkResult(url: dead, verdict: .broken, status: 404, checkedAt: now - 2 * 86_400 - 60)
        ])
        try await PreservationStore(state).save(
            SavePageNowSubmission(
                issueDate: "2026-11-18", url: dead, excerpt: "x", state: .success, snapshot: copy, nextTry: now))
        _ = try await session.start()
        let text = Self.post + "\nRead [the piece](\(dead)) before it went.\n"
        session.open("post.md", text)
        let diagnostics = try await session.diagnostics("post.md", version: 1)
        let broken = try #require(diagnostics.first { $0["code"]?.string == "link.broken" }, "\(diagnostics)")
        #expect(broken["message"]?.string?.hasSuffix("(link checked 2 days ago)") == true, "\(broken)")
        // Marked from the link's text to the end of its address.
        #expect(broken["range"]?["start"]?["line"]?.int == 8)
        #expect(broken["range"]?["start"]?["character"]?.int == 6)
        #expect(broken["range"]?["end"]?["character"]?.int == 17 + dead.count)
        session.request(
            3, "textDocument/codeAction",
            #"{"textDocument":{"uri":"\#(session.uri("post.md"))"},"range":{"start":{"line":8,"character":30},"end":{"line":8,"character":30}},"context":{"diagnostics":[],"only":["quickfix"]}}"#
        )
        let actions = try await session.response(3)["result"]?.array ?? []
        let archived = try #require(actions.first { $0["title"]?.string == "Cite the archived copy: \(copy)" })
        // Not safe: an editor decides whether readers go to an old copy.
        #expect(archived["isPreferred"] == .bool(false))
        #expect(archived["edit"]?["changes"]?[session.uri("post.md")]?[0]?["newText"]?.string == copy)
        // Hover on the address: its verdict, status, age and copy.
        session.request(
            4, "textDocument/hover",
            #"{"textDocument":{"uri":"\#(session.uri("post.md"))"},"position":{"line":8,"character":30}}"#)
        let hover = try #require(try await session.response(4)["result"]?["contents"]?["value"]?.string)
        #expect(hover.contains("broken, HTTP 404"), "\(hover)")
        #expect(hover.contains("checked 2 days ago"))
        #expect(hover.contains("Archived copy: \(copy)"))
        // Hover on a name: the registry's entry with its dated roles.
        session.request(
            5, "textDocument/hover",
            #"{"textDocument":{"uri":"\#(session.uri("post.md"))"},"position":{"line":6,"character":31}}"#)
        let name = try #require(try await session.response(5)["result"]?["contents"]?["value"]?.string)
        #expect(name.contains("**The Wire China**"), "\(name)")
        #expect(try await session.stop() == 0)
    }

    @Test func aLinkNeverCheckedIsSaidToBeUncheckedNotClean() async throws {
        let session = try LSPSession()
        _ = try await session.start()
        session.open("post.md", Self.post + "Read [the piece](https://www.thewirechina.com/x/).\n")
        let diagnostics = try await session.diagnostics("post.md", version: 1)
        let unchecked = try #require(diagnostics.first { $0["code"]?.string == "link.unverified" })
        #expect(unchecked["message"]?.string?.contains("no check of it is recorded yet") == true)
        #expect(try await session.stop() == 0)
    }

    @Test func anEntryAddedToTheRegistryClearsItsFindingWithoutARestart() async throws {
        let session = try LSPSession()
        _ = try await session.start()
        let text =
            Self.post.replacingOccurrences(of: "Mara Fled", with: "Mara Feld")
            + "\nTomas Brenner, writing in The Wire China, was blunt:\n\n> The rules are a leash, not a fence.\n"
        session.open("post.md", text)
        let before = try await session.diagnostics("post.md", version: 1)
        #expect(before.contains { $0["code"]?.string == "attribution.unknown-person" }, "\(before)")
        // The quick fix adds the entry to sources.yml (an edit of that file, not preferred); the editor saves it.
        session.request(
            6, "textDocument/codeAction",
            #"{"textDocument":{"uri":"\#(session.uri("post.md"))"},"range":{"start":{"line":8,"character":2},"end":{"line":8,"character":2}},"context":{"diagnostics":[]}}"#
        )
        let actions = try await session.response(6)["result"]?.array ?? []
        let add = try #require(
            actions.first {
                $0["title"]?.string == "Add to the registry (sources.yml, people): - {name: Tomas Brenner}"
            },
            "\(actions)")
        #expect(add["isPreferred"] == .bool(false))
        let registryURI = "file://" + session.folder + "/sources.yml"
        let edit = try #require(add["edit"]?["changes"]?[registryURI]?[0])
        let lines = LSPSession.registry.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(edit["range"]?["start"]?["line"]?.int == lines.count - 1)
        #expect(edit["range"]?["start"]?["character"]?.int == lines.last?.count)
        let insert = try #require(edit["newText"]?.string)
        #expect(insert == "\n  - {name: Tomas Brenner}\n")
        try (LSPSession.registry + insert).write(
            toFile: session.folder + "/sources.yml", atomically: true, encoding: .utf8)
        // Noticed within the server's look every two seconds, with no message from the editor.
        let reloaded = try await session.next { $0["method"]?.string == "window/logMessage" }
        #expect(reloaded["params"]?["message"]?.string?.contains("reloaded") == true)
        let after = try await session.diagnostics("post.md", version: 1)
        #expect(!after.contains { $0["code"]?.string == "attribution.unknown-person" }, "\(after)")
        // A registry broken underneath is said, and mending it is noticed too.
        try "people: [".write(toFile: session.folder + "/sources.yml", atomically: true, encoding: .utf8)
        let broken = try await session.next { $0["method"]?.string == "window/showMessage" }
        #expect(broken["params"]?["type"]?.int == 1)
        #expect(broken["params"]?["message"]?.string?.contains("sources.yml") == true)
        #expect(try await session.stop() == 0)
    }

    @Test func badMessagesGetErrorsAndTheSessionGoesOn() async throws {
        let session = try LSPSession()
        session.request(1, "textDocument/hover", "{}")
        #expect(try await session.response(1)["error"]?["code"]?.int == -32002)
        _ = try await session.start()
        session.send("{not json")
        let parse = try await session.next { $0["error"]?["code"]?.int == -32700 }
        #expect(parse["id"] == .null)
        session.request(2, "workspace/symbol", "{}")
        #expect(try await session.response(2)["error"]?["code"]?.int == -32601)
        session.request(3, "textDocument/hover", #"{"textDocument":{}}"#)
        let invalid = try await session.response(3)["error"]
        #expect(invalid?["code"]?.int == -32602)
        #expect(
            invalid?["message"]?.string?.contains("textDocument.uri is missing") == true,
            "\(String(describing: invalid))")
        session.inbox.add([.unreadable("a message without a valid Content-Length header; dropped")])
        _ = try await session.next { $0["error"]?["message"]?.string?.contains("Content-Length") == true }
        // Still serving.
        session.open("post.md", Self.post)
        #expect(!(try await session.diagnostics("post.md", version: 1)).isEmpty)
        session.request(4, "shutdown")
        _ = try await session.response(4)
        session.request(5, "textDocument/hover", "{}")
        #expect(try await session.response(5)["error"]?["code"]?.int == -32600)
        session.notify("exit", "{}")
        #expect(await session.exitStatus == 0)
    }

    @Test func anExitWithoutShutdownOrTheEndOfInputIsStatusOne() async throws {
        let exiting = try LSPSession()
        _ = try await exiting.start()
        exiting.notify("exit", "{}")
        #expect(await exiting.exitStatus == 1)
        let ended = try LSPSession()
        _ = try await ended.start()
        ended.inbox.end()
        #expect(await ended.exitStatus == 1)
    }

    static func json(_ value: JSONValue?) throws -> String {
        String(decoding: try JSONEncoder().encode(value ?? .null), as: UTF8.self)
    }
}

/// The framing of messages on the byte stream.
@Suite struct MessageFramesTests {
    static func framed(_ body: String) -> [UInt8] { Array("Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8) }

    @Test func framesSplitAnywhereOrJoinedAreReadWhole() {
        let stream = Self.framed(#"{"a":"北京"}"#) + Self.framed(#"{"b":2}"#)
        for cut in 0...stream.count {
            var frames = MessageFrames()
            let read = frames.feed(stream[0..<cut]) + frames.feed(stream[cut...])
            #expect(read == [.message(Data(#"{"a":"北京"}"#.utf8)), .message(Data(#"{"b":2}"#.utf8))], "cut at \(cut)")
        }
    }

    @Test func aHeaderWithoutLengthOrABodyOverTheLimitIsDroppedAndReadingGoesOn() {
        var frames = MessageFrames(maxBody: 10)
        let stream =
            Array("Content-Type: x\r\n\r\n".utf8) + Self.framed(String(repeating: "x", count: 50)) + Self.framed("{}")
        let read = frames.feed(stream)
        #expect(read.count == 3)
        #expect(read[0] == .unreadable("a message without a valid Content-Length header; dropped"))
        #expect(read[1] == .unreadable("a message of 50 bytes, over the limit of 10; dropped"))
        #expect(read[2] == .message(Data("{}".utf8)))
        var endless = MessageFrames()
        #expect(endless.feed([UInt8](repeating: 65, count: 9_000)).count == 1)
    }
}
