public import BriefdCore
import CCurl
import CCurlShim
import Foundation
@preconcurrency import Glibc

/// Sends one email over SMTP with libcurl (`smtp://` with STARTTLS when the server offers it, or `smtps://`; with a
/// login, TLS is required unless `SMTPSecurity` allows a loopback relay without), on a thread of its own: `curl_easy_perform` blocks, and must not block the concurrency pool.
public enum CurlMailer {
    public struct Message: Sendable {
        public var from: String
        public var to: [String]
        public var subject: String
        public var body: String

        public init(from: String, to: [String], subject: String, body: String) {
            self.from = from
            self.to = to
            self.subject = subject
            self.body = body
        }
    }

    /// Nil when the server accepted the message, else why not.
    public static func send(
        _ message: Message, url: String, user: String?, password: String?, security: SMTPSecurity,
        timeoutSeconds: Int
    ) async -> String? {
        let host = WebAddress(url)?.host ?? "localhost"
        let payload = CurlMailer.wireFormat(
            message, date: MailComposer.date(Date().timeIntervalSince1970), id: "\(UUID().uuidString)@briefd.\(host)")
        return await send(
            raw: payload, from: message.from, to: message.to, url: url, user: user, password: password,
            security: security, timeoutSeconds: timeoutSeconds)
    }

    /// Sends a message already in its wire form (`MailComposer`) to `to`; nil when the server accepted it.
    public static func send(
        raw payload: [UInt8], from: String, to: [String], url: String, user: String?, password: String?,
        security: SMTPSecurity, timeoutSeconds: Int
    ) async -> String? {
        CurlGlobal.initialize()
        // An empty user or password is no login: nothing secret goes.
        let user = user.flatMap { $0.isEmpty ? nil : $0 }
        let password = password.flatMap { $0.isEmpty ? nil : $0 }
        let requirement = security.requirement(url: url, loggingIn: user != nil || password != nil)
        return await withCheckedContinuation { continuation in
            let box = MailJob(
                payload: payload, from: from, to: to, url: url, user: user, password: password,
                tlsRequired: requirement == .required, caFile: security.caFile, timeout: timeoutSeconds,
                continuation: continuation)
            var handle = pthread_t()
            let context = Unmanaged.passRetained(box).toOpaque()
            let created = pthread_create(
                &handle, nil,
                { argument in
                    let job = Unmanaged<MailJob>.fromOpaque(argument!).takeRetainedValue()
                    job.continuation.resume(returning: job.perform())
                    return nil
                }, context)
            if created == 0 {
                pthread_detach(handle)
            } else {
                Unmanaged<MailJob>.fromOpaque(context).release()
                continuation.resume(returning: "cannot start a thread for the mail (error \(created))")
            }
        }
    }

    /// RFC 5322 text with CRLF line ends.
    static func wireFormat(_ message: Message, date: String, id: String) -> [UInt8] {
        var lines = [
            "From: \(message.from)", "To: \(message.to.joined(separator: ", "))", "Subject: \(message.subject)",
            "Date: \(date)",
            "Message-ID: <\(id)>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit", "",
        ]
        lines += message.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    final class MailJob: @unchecked Sendable {
        let payload: [UInt8]
        let from: String
        let to: [String]
        let url: String
        let user: String?
        let password: String?
        let tlsRequired: Bool
        let caFile: String?
        let timeout: Int
        let continuation: CheckedContinuation<String?, Never>
        var offset = 0

        init(
            payload: [UInt8], from: String, to: [String], url: String, user: String?, password: String?,
            tlsRequired: Bool, caFile: String?, timeout: Int, continuation: CheckedContinuation<String?, Never>
        ) {
            self.payload = payload
            self.from = from
            self.to = to
            self.url = url
            self.user = user
            self.password = password
            self.tlsRequired = tlsRequired
            self.caFile = caFile
            self.timeout = timeout
            self.continuation = continuation
        }

        func perform() -> String? {
            guard let easy = curl_easy_init() else { return "cannot create a curl handle" }
            defer { curl_easy_cleanup(easy) }
            var recipients: UnsafeMutablePointer<curl_slist>? = nil
            for address in to { recipients = curl_slist_append(recipients, "<\(address)>") }
            defer { curl_slist_free_all(recipients) }
            let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
            errorBuffer.initialize(to: 0)
            defer { errorBuffer.deallocate() }
            briefd_curl_easy_setopt_string(easy, CURLOPT_URL, url)
            briefd_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
            briefd_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
            briefd_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT, timeout)
            // With a login, TLS or nothing: libcurl then stops before AUTH when the server offers no STARTTLS.
            let level = tlsRequired ? CURLUSESSL_ALL : CURLUSESSL_TRY
            briefd_curl_easy_setopt_long(easy, CURLOPT_USE_SSL, Int(level.rawValue))
            if let caFile { briefd_curl_easy_setopt_string(easy, CURLOPT_CAINFO, caFile) }
            briefd_curl_easy_setopt_string(easy, CURLOPT_MAIL_FROM, "<\(from)>")
            briefd_curl_easy_setopt_pointer(easy, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients))
            if let user { briefd_curl_easy_setopt_string(easy, CURLOPT_USERNAME, user) }
            if let password { briefd_curl_easy_setopt_string(easy, CURLOPT_PASSWORD, password) }
            briefd_curl_easy_setopt_long(easy, CURLOPT_UPLOAD, 1)
            briefd_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
            let read: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
                buffer, size, count, context in
                guard let buffer, let context else { return 0 }
                let job = Unmanaged<MailJob>.fromOpaque(context).takeUnretainedValue()
                let length = min(size * count, job.payload.count - job.offset)
                guard length > 0 else { return 0 }
                job.payload.withUnsafeBufferPointer { bytes in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + job.offset, byteCount: length)
                }
                job.offset += length
                return length
            }
            briefd_curl_easy_setopt_pointer(
                easy, CURLOPT_READFUNCTION, unsafeBitCast(read, to: UnsafeMutableRawPointer.self))
            briefd_curl_easy_setopt_pointer(easy, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque())
            let code = curl_easy_perform(easy)
            guard code == CURLE_OK else {
                if code == CURLE_USE_SSL_FAILED { return SMTPSecurity.refusal(url: url) }
                let detail = String(cString: errorBuffer)
                return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            }
            return nil
        }
    }
}
