/// A request the link checker wants sent: pure data, sent by the HTTP client at the edge.
public struct HTTPRequest: Sendable, Hashable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case patch = "PATCH"
    }

    public var url: String
    public var method: Method
    /// Requests with the same key share the per-host limits (host and port).
    public var hostKey: String
    /// A GET reads at most this much of the body; the rest is never downloaded.
    public var maxBodyBytes: Int
    /// A redirect hop or a GET after a refused HEAD: goes ahead of new checks of its host (paced like them).
    public var isFollowUp: Bool
    /// The body of a POST (an alert to a webhook).
    public var body: [UInt8]?
    /// Further request headers, `Name: value`.
    public var headers: [String]
    /// How long this request may take; nil for the client's `timeout_s`.
    public var timeoutMilliseconds: Int?
    /// Keep the exchange as it went over the wire, for an archive (WARC): the request's header block as sent, the
    /// answer's header block and its body undecoded (neither content- nor transfer-decoded), over HTTP/1.1.
    public var keepsWireExchange: Bool

    public init(
        url: String, method: Method, hostKey: String, maxBodyBytes: Int, isFollowUp: Bool = false, body: [UInt8]? = nil,
        headers: [String] = [], timeoutMilliseconds: Int? = nil, keepsWireExchange: Bool = false
    ) {
        self.timeoutMilliseconds = timeoutMilliseconds
        self.keepsWireExchange = keepsWireExchange
        self.url = url
        self.method = method
        self.hostKey = hostKey
        self.maxBodyBytes = maxBodyBytes
        self.isFollowUp = isFollowUp
        self.body = body
        self.headers = headers
    }
}

/// An HTTP answer: status, the few headers the checker reads (names lowercased), and a capped body.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    /// How long the request took on the wire.
    public var seconds: Double
    /// The exchange as it went over the wire, when the request asked for it (`keepsWireExchange`); `body` is then
    /// the body as received, still chunked or compressed.
    public var wire: WireExchange?

    public init(
        status: Int, headers: [String: String] = [:], body: [UInt8] = [], seconds: Double = 0,
        wire: WireExchange? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.seconds = seconds
        self.wire = wire
    }
}

/// An HTTP exchange byte for byte, as an archive keeps it.
public struct WireExchange: Sendable, Hashable {
    /// The request line and headers as sent, ending with the blank line.
    public var requestHeader: [UInt8]
    /// The status line and headers of the final answer as received, ending with the blank line.
    public var responseHeader: [UInt8]
    /// The body was cut at the request's `maxBodyBytes`.
    public var truncated: Bool
    /// The address the answer came from ("203.0.113.5"), when known.
    public var remoteAddress: String?

    public init(requestHeader: [UInt8], responseHeader: [UInt8], truncated: Bool, remoteAddress: String? = nil) {
        self.requestHeader = requestHeader
        self.responseHeader = responseHeader
        self.truncated = truncated
        self.remoteAddress = remoteAddress
    }
}

/// Why no HTTP answer came.
public struct TransportFailure: Error, Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case timeout, refused, nameNotResolved, tls, reset, emptyReply, blockedAddress, other
        /// The client stopped before an answer came (the process is shutting down): says nothing of the link.
        case shuttingDown
    }

    public var kind: Kind
    public var message: String
    /// How long the request took before it failed.
    public var seconds: Double

    public init(_ kind: Kind, _ message: String, seconds: Double = 0) {
        self.kind = kind
        self.message = message
        self.seconds = seconds
    }

    /// Worth trying again: the same request may well succeed a moment later.
    public var isTransient: Bool { kind == .timeout || kind == .reset || kind == .emptyReply }
}
