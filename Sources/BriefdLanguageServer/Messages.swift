import Foundation

// The parts of the Language Server Protocol 3.17 that briefd speaks, as Codable values. Names follow the
// specification's, so that a reader can look each one up there.

/// A request's id: a number or a string, echoed back in its response.
public enum RequestID: Sendable, Hashable, Codable {
    case number(Int)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = JSONValue.decoded(Int.self, container) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        }
    }
}

/// A message as it arrives: a request (id and method), a notification (method only) or a response (id only).
struct IncomingMessage: Decodable {
    var jsonrpc: String?
    var id: RequestID?
    var method: String?
    var params: JSONValue?
}

/// JSON-RPC's and the protocol's error codes.
public enum ErrorCode: Int, Sendable {
    case parseError = -32700
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603
    case serverNotInitialized = -32002
    case requestFailed = -32803
}

struct ResponseError: Encodable {
    var code: Int
    var message: String
}

/// A response: `result` (JSON null when there is nothing to say) or `error`.
struct OutgoingResponse<Result: Encodable>: Encodable {
    var jsonrpc = "2.0"
    var id: RequestID?
    var result: Result?
    var error: ResponseError?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jsonrpc, forKey: .jsonrpc)
        // The id is JSON null when the request's could not be read (as JSON-RPC says).
        if let id { try container.encode(id, forKey: .id) } else { try container.encodeNil(forKey: .id) }
        if let error {
            try container.encode(error, forKey: .error)
        } else if let result {
            try container.encode(result, forKey: .result)
        } else {
            try container.encodeNil(forKey: .result)
        }
    }

    enum CodingKeys: String, CodingKey { case jsonrpc, id, result, error }
}

struct OutgoingNotification<Params: Encodable>: Encodable {
    var jsonrpc = "2.0"
    var method: String
    var params: Params
}

public struct Position: Sendable, Hashable, Codable {
    public var line: Int
    public var character: Int
}

public struct Range: Sendable, Hashable, Codable {
    public var start: Position
    public var end: Position
}

struct Location: Codable {
    var uri: String
    var range: Range
}

struct TextDocumentIdentifier: Codable {
    var uri: String
}

struct VersionedTextDocumentIdentifier: Codable {
    var uri: String
    var version: Int?
}

struct TextDocumentItem: Codable {
    var uri: String
    var languageId: String?
    var version: Int?
    var text: String
}

struct DidOpenParams: Codable { var textDocument: TextDocumentItem }

struct ContentChange: Codable {
    var range: Range?
    var text: String
}

struct DidChangeParams: Codable {
    var textDocument: VersionedTextDocumentIdentifier
    var contentChanges: [ContentChange]
}

struct DidSaveParams: Codable {
    var textDocument: TextDocumentIdentifier
    var text: String?
}

struct DidCloseParams: Codable { var textDocument: TextDocumentIdentifier }

struct TextDocumentPositionParams: Codable {
    var textDocument: TextDocumentIdentifier
    var position: Position
}

struct CodeActionContext: Codable {
    var diagnostics: [Diagnostic]?
    var only: [String]?
}

struct CodeActionParams: Codable {
    var textDocument: TextDocumentIdentifier
    var range: Range
    var context: CodeActionContext?
}

struct DiagnosticRelatedInformation: Codable {
    var location: Location
    var message: String
}

struct Diagnostic: Codable {
    var range: Range
    var severity: Int?
    var code: String?
    var source: String?
    var message: String
    var relatedInformation: [DiagnosticRelatedInformation]?
}

struct PublishDiagnosticsParams: Codable {
    var uri: String
    var version: Int?
    var diagnostics: [Diagnostic]
}

struct WireTextEdit: Codable {
    var range: Range
    var newText: String
}

struct WorkspaceEdit: Codable {
    var changes: [String: [WireTextEdit]]
}

struct CodeAction: Codable {
    var title: String
    var kind: String
    var diagnostics: [Diagnostic]?
    var isPreferred: Bool?
    var edit: WorkspaceEdit
}

struct MarkupContent: Codable {
    var kind: String
    var value: String
}

struct Hover: Codable {
    var contents: MarkupContent
}

struct ShowMessageParams: Codable {
    /// 1 error, 2 warning, 3 info, 4 log.
    var type: Int
    var message: String
}

struct InitializeResult: Encodable {
    struct Capabilities: Encodable {
        struct Sync: Encodable {
            var openClose = true
            /// 2: incremental.
            var change = 2
            var save = ["includeText": false]
        }
        struct CodeActions: Encodable {
            var codeActionKinds: [String]
        }
        var positionEncoding: String
        var textDocumentSync = Sync()
        var hoverProvider = true
        var codeActionProvider: CodeActions
    }
    struct ServerInfo: Encodable {
        var name: String
        var version: String
    }
    var capabilities: Capabilities
    var serverInfo: ServerInfo
}
