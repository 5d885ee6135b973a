public import BriefdCore
import CCurl
import CCurlShim
import Dispatch
import Foundation
@preconcurrency import Glibc
import Synchronization

/// An HTTP client on libcurl's multi interface, driven by one dedicated thread, with politeness built in.
///
/// Requests arrive through a locked inbox and wake the thread (`curl_multi_wakeup`); the thread lets a
/// `HostSchedule` decide which may start, runs the transfers, and resumes each caller's continuation.
/// Connections are reused across requests (HTTP/2 multiplexed where offered). Only http and https are
/// spoken; every address is checked just before connecting (`CURLOPT_OPENSOCKETFUNCTION`).
///
/// Politeness holds on the wire: curl is never asked to hold a request back (no `CURLOPT_PIPEWAIT`, which
/// makes curl wait for a host's first connection and then send the waiting requests together), and the
/// schedule learns when each request is really sent (`CURLOPT_PREREQFUNCTION`) and paces the next from then.
///
/// - Important: one client per process, so that the limits hold across every caller; the thread never runs
///   on the Swift concurrency pool; `await shutdown()` when done.
public final class CurlHTTPClient: Sendable {
    private let engine: CurlEngine
    /// What every request says it is: briefd's version and the contact address.
    public let userAgent: String

    /// - Parameters:
    ///   - version: briefd's version, for the user agent.
    ///   - userAgent: another user agent than the link checker's (with the contact address publishers may use).
    public init(settings: LinkSettings, version: String, userAgent: String? = nil) {
        CurlGlobal.initialize()
        self.userAgent = userAgent ?? "briefd/\(version) (link checker; +\(settings.userAgentContact))"
        engine = CurlEngine(settings: settings, userAgent: self.userAgent)
        engine.start()
    }

    /// Sends `request` once `delay` seconds have passed (plus jitter, so retries do not arrive in step) and
    /// its host's politeness allows; `pauseHost` holds the whole host back that long (a `Retry-After`).
    public func send(_ request: HTTPRequest, delay: Double = 0, pauseHost: Bool = false) async -> Result<
        HTTPResponse, TransportFailure
    > {
        let jittered = delay > 0 ? delay * Double.random(in: 1.0...1.25) : 0
        return await withCheckedContinuation { continuation in
            engine.submit(
                CurlTransfer(request: request, delay: jittered, pauseHost: pauseHost, continuation: continuation))
        }
    }

    /// Stops the thread and waits until it has ended; requests still waiting or in flight fail at once with
    /// `.shuttingDown`. Never blocks a thread.
    public func shutdown() async {
        await withCheckedContinuation { continuation in engine.stop(then: continuation) }
    }

    deinit { engine.stop(then: nil) }
}

/// `curl_global_init` exactly once per process, before any handle exists.
enum CurlGlobal {
    private static let done: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()

    static func initialize() { _ = done }
}

/// One request in flight: what was asked, and what has arrived so far. Touched only by the curl thread.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let delay: Double
    let pauseHost: Bool
    let continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>
    var body: [UInt8] = []
    var bodyCapped = false
    /// Header bytes received, to say what arrived before a stall.
    var headerBytes = 0
    /// When curl was handed the request (monotonic seconds).
    var begunAt = 0.0
    var headers: [String: String] = [:]
    /// The request's and the answer's header blocks as they crossed the wire (`keepsWireExchange` only).
    var requestHeaderBytes: [UInt8] = []
    var responseHeaderBytes: [UInt8] = []
    var refusedAddress: String?
    var policy = AddressPolicy()
    /// When the request went on the wire (monotonic seconds), set by `CURLOPT_PREREQFUNCTION`.
    var sentAt: Double?
    /// The schedule has been told of `sentAt`.
    var sentReported = false
    /// The request's own headers added to the shared ones; freed when the transfer ends.
    var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init(
        request: HTTPRequest, delay: Double, pauseHost: Bool,
        continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>
    ) {
        self.request = request
        self.delay = delay
        self.pauseHost = pauseHost
        self.continuation = continuation
        errorBuffer.initialize(to: 0)
    }

    deinit {
        errorBuffer.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// The headers the checker reads; the rest are not kept.
    static let keptHeaders: Set<String> = ["location", "retry-after", "content-type", "cf-mitigated", "server"]
}

/// The multi handle and the thread that drives it.
final class CurlEngine: @unchecked Sendable {
    private struct Inbox {
        var transfers: [CurlTransfer] = []
        var stopping = false
        /// Resumed once the thread has let go of everything.
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
        var ended = false
    }

    private let settings: LinkSettings
    private let userAgent: String
    private let policy: AddressPolicy
    private let inbox = Mutex(Inbox())
    private let multi: UnsafeMutableRawPointer
    private let acceptHeaders: UnsafeMutablePointer<curl_slist>?

    // Owned by the curl thread: touched only from `loop()` and what it calls (checked by `assertOwner`).
    private var owner: pthread_t?
    private var schedule: HostSchedule<CurlTransfer>
    /// Handed to curl, not yet on the wire: the schedule waits to hear when each is sent.
    private var awaitingSend: [CurlTransfer] = []
    private var running: [UnsafeMutableRawPointer: (CurlTransfer, UnsafeMutableRawPointer)] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []

    init(settings: LinkSettings, userAgent: String) {
        self.settings = settings
        self.userAgent = userAgent
        self.policy = AddressPolicy(allowed: settings.allowNetworks)
        self.multi = curl_multi_init()!
        self.schedule = HostSchedule(
            maxActive: settings.maxConcurrency, perHostActive: settings.perHostConcurrency,
            interval: Double(settings.perHostIntervalMilliseconds) / 1000)
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        headers = curl_slist_append(headers, "Accept: text/html,application/xhtml+xml,*/*;q=0.8")
        headers = curl_slist_append(headers, "Accept-Language: en,*;q=0.5")
        acceptHeaders = headers
        briefd_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, settings.maxConcurrency)
        briefd_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, settings.perHostConcurrency)
        briefd_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 1024)
        briefd_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    /// The curl state may only be touched by the thread that runs `loop()`, as an event loop's state is.
    private func assertOwner() {
        precondition(owner.map { pthread_equal($0, pthread_self()) != 0 } == true, "curl state touched off its thread")
    }

    func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        // Detached: nobody joins it (a join would block a thread of the concurrency pool); `stop(then:)`
        // hears from the thread itself when it is done.
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var handle = pthread_t()
        let created = pthread_create(
            &handle, &attributes,
            { argument in
                let engine = Unmanaged<CurlEngine>.fromOpaque(argument!).takeRetainedValue()
                engine.owner = pthread_self()
                engine.loop()
                return nil
            }, box)
        pthread_attr_destroy(&attributes)
        precondition(created == 0, "briefd: cannot start the link checker's thread (error \(created))")
    }

    func submit(_ transfer: CurlTransfer) {
        // Only the first arrival since the thread last emptied the inbox needs to wake it. The wake-up happens under
        // the inbox lock, which the thread also holds while it cleans the multi handle up: a wake-up can never reach
        // a handle that is gone.
        let multi = self.multi
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.stopping else { return false }
            inbox.transfers.append(transfer)
            if inbox.transfers.count == 1 { curl_multi_wakeup(multi) }
            return true
        }
        guard accepted else {
            transfer.continuation.resume(
                returning: .failure(TransportFailure(.shuttingDown, "the link checker is shutting down")))
            return
        }
    }

    /// Asks the thread to stop; `waiter` is resumed once it has (at once if it already has).
    func stop(then waiter: CheckedContinuation<Void, Never>?) {
        let multi = self.multi
        let ended = inbox.withLock { inbox -> Bool in
            inbox.stopping = true
            if !inbox.ended {
                if let waiter { inbox.stopWaiters.append(waiter) }
                curl_multi_wakeup(multi)  // under the lock: see `submit`
            }
            return inbox.ended
        }
        if ended { waiter?.resume() }
    }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func loop() {
        while true {
            let (arrived, stopping) = inbox.withLock { inbox in
                defer { inbox.transfers = [] }
                return (inbox.transfers, inbox.stopping)
            }
            if stopping {
                shutDown(leftover: arrived)
                // The multi handle goes under the lock that every wake-up takes, and `ended` with it.
                let multi = self.multi
                let waiters = inbox.withLock { inbox in
                    inbox.ended = true
                    curl_multi_cleanup(multi)
                    defer { inbox.stopWaiters = [] }
                    return inbox.stopWaiters
                }
                for waiter in waiters { waiter.resume() }
                return
            }
            let now = CurlEngine.now()
            for transfer in arrived {
                if transfer.pauseHost { schedule.pause(host: transfer.request.hostKey, until: now + transfer.delay) }
                schedule.enqueue(
                    transfer, host: transfer.request.hostKey, notBefore: now + transfer.delay, now: now,
                    followUp: transfer.request.isFollowUp)
            }
            for (_, transfer) in schedule.takeReady(now: now) { begin(transfer) }
            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            reportSent()
            if collectFinished() > 0 { continue }
            var timeout = 1000
            var curlTimeout = -1
            curl_multi_timeout(multi, &curlTimeout)
            if curlTimeout >= 0 { timeout = min(timeout, curlTimeout) }
            if let wake = schedule.nextWakeup(now: now) {
                timeout = min(timeout, max(0, Int(((wake - now) * 1000).rounded(.up))))
            }
            curl_multi_poll(multi, nil, 0, Int32(timeout), nil)
        }
    }

    /// Tells the schedule which handed-out requests went on the wire since the last look.
    private func reportSent() {
        assertOwner()
        guard !awaitingSend.isEmpty else { return }
        // Not the callback's own time: the request is written after it, and a thread descheduled in between
        // would let the next request follow early. Now, after curl_multi_perform returned, the write is done.
        let now = CurlEngine.now()
        awaitingSend.removeAll { transfer in
            guard transfer.sentAt != nil else { return false }
            transfer.sentReported = true
            schedule.sent(host: transfer.request.hostKey, at: now)
            return true
        }
    }

    /// Removes finished transfers from the multi handle and answers their callers.
    private func collectFinished() -> Int {
        assertOwner()
        var count = 0
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let (transfer, _) = running.removeValue(forKey: easy) else { continue }
            let outcome = outcome(of: transfer, easy: easy, code: code)
            curl_multi_remove_handle(multi, easy)
            // The error buffer and header list belong to the finished transfer: curl must not use them again.
            briefd_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, nil)
            briefd_curl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(acceptHeaders))
            idleHandles.append(easy)
            var serverError = false
            if case .success(let response) = outcome { serverError = response.status >= 500 }
            let neverSent = settings.perHostIntervalMilliseconds > 0 && !transfer.sentReported
            if neverSent { awaitingSend.removeAll { $0 === transfer } }
            schedule.finished(host: transfer.request.hostKey, serverError: serverError, neverSent: neverSent)
            transfer.continuation.resume(returning: outcome)
            count += 1
        }
        return count
    }

    private func outcome(of transfer: CurlTransfer, easy: UnsafeMutableRawPointer, code: CURLcode) -> Result<
        HTTPResponse, TransportFailure
    > {
        switch answer(of: transfer, easy: easy, code: code) {
        case .success(var response):
            response.seconds = CurlEngine.now() - transfer.begunAt
            return .success(response)
        case .failure(var failure):
            failure.seconds = CurlEngine.now() - transfer.begunAt
            return .failure(failure)
        }
    }

    private func answer(of transfer: CurlTransfer, easy: UnsafeMutableRawPointer, code: CURLcode) -> Result<
        HTTPResponse, TransportFailure
    > {
        var status = 0
        briefd_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        let detail = String(cString: transfer.errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let received = transfer.headerBytes + transfer.body.count
        // A refused address only decides the outcome when no other address of the host connected
        // (a name may resolve to ::1, refused, and to an allowed 127.0.0.1).
        if let refused = transfer.refusedAddress, code != CURLE_OK, status == 0 {
            return .failure(TransportFailure(.blockedAddress, refused))
        }
        switch code {
        case CURLE_OK:
            break
        case CURLE_WRITE_ERROR where transfer.bodyCapped:
            break  // We stopped reading on purpose at the body cap.
        case CURLE_OPERATION_TIMEDOUT:
            // curl counts only body bytes ("with 0 bytes received" after a whole header): say what came.
            let seconds = Double(transfer.request.timeoutMilliseconds ?? settings.timeoutSeconds * 1000) / 1000
            let what =
                received > 0
                ? "\(received) bytes received (\(transfer.headerBytes) of them headers), then the server stalled"
                : status > 0 ? "the answer stalled" : "nothing received"
            return .failure(TransportFailure(.timeout, "no complete answer within \(seconds.formatted()) s: \(what)"))
        case CURLE_OUT_OF_MEMORY:
            // What curl 7.88 reports for a header line over its 100 KiB limit; the process has memory to spare.
            return .failure(
                TransportFailure(
                    .other, "the answer's headers are too large (a header line over 100 KiB); curl stopped reading"))
        case CURLE_COULDNT_CONNECT:
            return .failure(TransportFailure(.refused, message))
        case CURLE_COULDNT_RESOLVE_HOST:
            return .failure(TransportFailure(.nameNotResolved, message))
        case CURLE_GOT_NOTHING:
            return .failure(TransportFailure(.emptyReply, message))
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            if status > 0 && code == CURLE_PARTIAL_FILE { break }
            return .failure(TransportFailure(.reset, message))
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS:
            return .failure(TransportFailure(.tls, message))
        default:
            return .failure(TransportFailure(.other, message))
        }
        guard status > 0 else { return .failure(TransportFailure(.emptyReply, "no HTTP status received")) }
        var wire: WireExchange?
        if transfer.request.keepsWireExchange {
            var address: UnsafeMutablePointer<CChar>?
            briefd_curl_easy_getinfo_string(easy, CURLINFO_PRIMARY_IP, &address)
            wire = WireExchange(
                requestHeader: transfer.requestHeaderBytes, responseHeader: transfer.responseHeaderBytes,
                truncated: transfer.bodyCapped, remoteAddress: address.map { String(cString: $0) })
        }
        return .success(HTTPResponse(status: status, headers: transfer.headers, body: transfer.body, wire: wire))
    }

    private func begin(_ transfer: CurlTransfer) {
        assertOwner()
        let easy = idleHandles.popLast() ?? newHandle()
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        transfer.policy = policy
        transfer.begunAt = CurlEngine.now()
        // Set on every use: handles are reused, and the link's time budget may shorten a request's timeout.
        briefd_curl_easy_setopt_long(
            easy, CURLOPT_TIMEOUT_MS, transfer.request.timeoutMilliseconds ?? settings.timeoutSeconds * 1000)
        briefd_curl_easy_setopt_string(easy, CURLOPT_URL, transfer.request.url)
        keepWireExchange(transfer.request.keepsWireExchange, easy: easy, context: transfer)
        // Reset on every use (handles are reused): only a PUT or a PATCH names its method.
        briefd_curl_easy_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, nil)
        switch transfer.request.method {
        case .get:
            briefd_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case .post, .put, .patch:
            let body = transfer.request.body ?? []
            briefd_curl_easy_setopt_long(easy, CURLOPT_POST, 1)
            if transfer.request.method != .post {
                briefd_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, transfer.request.method.rawValue)
            }
            briefd_curl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, body.count)
            _ = body.withUnsafeBufferPointer { buffer in
                // COPYPOSTFIELDS: curl keeps its own copy, so the Swift array may go.
                briefd_curl_easy_setopt_pointer(
                    easy, CURLOPT_COPYPOSTFIELDS,
                    UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
        }
        if transfer.request.headers.isEmpty {
            briefd_curl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(acceptHeaders))
        } else {
            var list: UnsafeMutablePointer<curl_slist>? = nil
            // The shared Accept unless the request names its own (an API asking for JSON).
            let ownAccept = transfer.request.headers.contains { $0.lowercased().hasPrefix("accept:") }
            let shared = ownAccept ? [] : ["Accept: text/html,application/xhtml+xml,*/*;q=0.8"]
            for header in shared + transfer.request.headers {
                list = curl_slist_append(list, header)
            }
            transfer.headerList = list
            briefd_curl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list))
        }
        briefd_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(transfer.errorBuffer))
        briefd_curl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, context)
        briefd_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        briefd_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        briefd_curl_easy_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, context)
        briefd_curl_easy_setopt_pointer(easy, CURLOPT_PREREQDATA, context)
        if settings.perHostIntervalMilliseconds > 0 { awaitingSend.append(transfer) }
        running[easy] = (transfer, easy)
        curl_multi_add_handle(multi, easy)
    }

    /// An archive's request goes over HTTP/1.1 (what WARC readers replay), asks only for encodings the archive's
    /// reader can undo (gzip, deflate), and keeps the exchange undecoded with both header blocks; set on every use,
    /// since handles are reused.
    private func keepWireExchange(_ keep: Bool, easy: UnsafeMutableRawPointer, context: CurlTransfer) {
        briefd_curl_easy_setopt_long(
            easy, CURLOPT_HTTP_VERSION, Int(keep ? CURL_HTTP_VERSION_1_1 : CURL_HTTP_VERSION_NONE))
        briefd_curl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, keep ? "gzip, deflate" : "")
        briefd_curl_easy_setopt_long(easy, CURLOPT_HTTP_CONTENT_DECODING, keep ? 0 : 1)
        briefd_curl_easy_setopt_long(easy, CURLOPT_HTTP_TRANSFER_DECODING, keep ? 0 : 1)
        // The request's header block reaches us only through the debug callback, which curl calls when verbose.
        briefd_curl_easy_setopt_long(easy, CURLOPT_VERBOSE, keep ? 1 : 0)
        briefd_curl_easy_setopt_pointer(easy, CURLOPT_DEBUGDATA, Unmanaged.passUnretained(context).toOpaque())
    }

    /// An easy handle with the options every request shares; handles are reused, keeping these.
    private func newHandle() -> UnsafeMutableRawPointer {
        let easy = curl_easy_init()!
        briefd_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        briefd_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        briefd_curl_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        briefd_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        // An empty proxy turns off http_proxy and friends: every address must pass the policy itself.
        briefd_curl_easy_setopt_string(easy, CURLOPT_PROXY, "")
        briefd_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutSeconds * 1000)
        briefd_curl_easy_setopt_string(easy, CURLOPT_USERAGENT, userAgent)
        briefd_curl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        briefd_curl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(acceptHeaders))
        briefd_curl_easy_setopt_pointer(
            easy, CURLOPT_DEBUGFUNCTION, unsafeBitCast(CurlCallbacks.debug, to: UnsafeMutableRawPointer.self))
        briefd_curl_easy_setopt_pointer(
            easy, CURLOPT_PREREQFUNCTION, unsafeBitCast(CurlCallbacks.requestSent, to: UnsafeMutableRawPointer.self))
        briefd_curl_easy_setopt_pointer(
            easy, CURLOPT_WRITEFUNCTION, unsafeBitCast(CurlCallbacks.write, to: UnsafeMutableRawPointer.self))
        briefd_curl_easy_setopt_pointer(
            easy, CURLOPT_HEADERFUNCTION, unsafeBitCast(CurlCallbacks.header, to: UnsafeMutableRawPointer.self))
        briefd_curl_easy_setopt_pointer(
            easy, CURLOPT_OPENSOCKETFUNCTION, unsafeBitCast(CurlCallbacks.openSocket, to: UnsafeMutableRawPointer.self))
        return easy
    }

    private func shutDown(leftover: [CurlTransfer]) {
        assertOwner()
        var waiting = leftover
        for (_, (transfer, easy)) in running {
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
            waiting.append(transfer)
        }
        running.removeAll()
        waiting += schedule.removeAll()
        for transfer in waiting {
            transfer.continuation.resume(
                returning: .failure(TransportFailure(.shuttingDown, "the link checker is shutting down")))
        }
        awaitingSend.removeAll()
        for easy in idleHandles { curl_easy_cleanup(easy) }
        idleHandles.removeAll()
        curl_slist_free_all(acceptHeaders)
    }
}

/// The C callbacks libcurl calls; each finds its transfer through the user pointer.
enum CurlCallbacks {
    static let write: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, context in
        guard let data, let context else { return 0 }
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        let room = transfer.request.maxBodyBytes - transfer.body.count
        guard room > 0 else {
            transfer.bodyCapped = true
            return 0  // Stops the download: the rest of a large body is never read.
        }
        let taken = min(room, length)
        data.withMemoryRebound(to: UInt8.self, capacity: taken) { bytes in
            transfer.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: taken))
        }
        if taken < length {
            transfer.bodyCapped = true
            return 0
        }
        return length
    }

    /// Called by curl just before a request is sent, its connection made: the moment the server sees.
    static let requestSent:
        @convention(c) (
            UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?,
            UnsafeMutablePointer<CChar>?, Int32, Int32
        ) -> Int32 = { context, _, _, _, _ in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            if transfer.sentAt == nil { transfer.sentAt = Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
            return 0  // CURL_PREREQFUNC_OK
        }

    static let header: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, context in
        guard let data, let context else { return 0 }
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        transfer.headerBytes += length
        data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            let line = UnsafeBufferPointer(start: bytes, count: length)
            if transfer.request.keepsWireExchange {
                // Only the final answer's block is kept: a 100 Continue before it starts afresh.
                if line.starts(with: "HTTP/".utf8) { transfer.responseHeaderBytes.removeAll() }
                transfer.responseHeaderBytes.append(contentsOf: line)
            }
            CurlCallbacks.readHeader(line, into: transfer)
        }
        return length
    }

    /// curl's account of a transfer (on only for an archive's request): keeps the request's header block as sent.
    static let debug:
        @convention(c) (
            UnsafeMutableRawPointer?, curl_infotype, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?
        ) -> Int32 = { _, kind, data, size, context in
            guard kind == CURLINFO_HEADER_OUT, let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            data.withMemoryRebound(to: UInt8.self, capacity: size) { bytes in
                transfer.requestHeaderBytes = Array(UnsafeBufferPointer(start: bytes, count: size))
            }
            return 0
        }

    /// Keeps the value of the few headers the checker reads; works on bytes, since it runs for every
    /// header line of every answer on the one curl thread.
    static func readHeader(_ line: UnsafeBufferPointer<UInt8>, into transfer: CurlTransfer) {
        if line.starts(with: "HTTP/".utf8) {
            transfer.headers.removeAll()  // A new response (after 100 Continue) starts afresh.
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        for name in keptHeaderBytes where name.count == colon {
            var same = true
            for index in 0..<colon where line[index] | 0x20 != name[index] {
                same = false
                break
            }
            guard same else { continue }
            var start = colon + 1
            var end = line.count
            while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
            while end > start,
                line[end - 1] == 0x20 || line[end - 1] == 0x09 || line[end - 1] == 0x0D
                    || line[end - 1] == 0x0A
            {
                end -= 1
            }
            transfer.headers[String(decoding: name, as: UTF8.self)] = String(
                decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
            return
        }
    }

    private static let keptHeaderBytes = CurlTransfer.keptHeaders.map { Array($0.utf8) }

    static let openSocket:
        @convention(c) (UnsafeMutableRawPointer?, curlsocktype, UnsafeMutablePointer<curl_sockaddr>?)
            -> curl_socket_t = { context, _, address in
                guard let context, let address else { return -1 }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
                guard let ip = CurlCallbacks.ipAddress(address) else {
                    transfer.refusedAddress = "an address family briefd does not connect to"
                    return -1
                }
                if let network = transfer.policy.refusal(for: ip) {
                    transfer.refusedAddress =
                        "\(ip) is in \(network), a private or special network; no request was sent "
                        + "(allow it with links.allow_networks)"
                    return -1
                }
                let family = address.pointee.family
                return socket(family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
            }

    static func ipAddress(_ address: UnsafeMutablePointer<curl_sockaddr>) -> IPAddress? {
        let family = address.pointee.family
        return withUnsafeMutablePointer(to: &address.pointee.addr) { pointer -> IPAddress? in
            let raw = UnsafeRawPointer(pointer)
            if family == AF_INET {
                var v4 = raw.load(as: sockaddr_in.self).sin_addr.s_addr
                return withUnsafeBytes(of: &v4) { IPAddress(bytes: Array($0)) }
            }
            if family == AF_INET6 {
                var v6 = raw.loadUnaligned(as: sockaddr_in6.self).sin6_addr
                return withUnsafeBytes(of: &v6) { IPAddress(bytes: Array($0)) }
            }
            return nil
        }
    }
}
