import BriefdCore
import HTTPTypes
import Hummingbird
import Logging

extension DeskApp {
    /// The client a request comes from, as the login throttle counts it: the peer, or the address a trusted proxy
    /// (`web.trusted_proxies`) reports in `X-Forwarded-For`.
    func client(_ request: Request, _ context: DeskRequestContext) -> String {
        config.web.client(
            peer: context.clientAddress, forwardedFor: request.headers[HTTPField.Name("X-Forwarded-For")!])
    }

    /// A try refused by the throttle, logged at most once a minute with how many were refused since.
    func logRefusedLogin(_ client: String) {
        guard let refused = security.failures.shouldLogRefusal() else { return }
        logger.warning(
            "desk logins refused by the throttle", metadata: ["client": "\(client)", "refused": "\(refused)"])
    }

    /// Whether `/healthz` may show what names files and errors (the config's path, a parse error, a build's failure):
    /// to a logged-in editor, or to a request made on this machine directly — from loopback, not through a proxy
    /// (no forwarding header, and not addressed to `public_url`'s host). Monitoring from outside sees the states only.
    func mayReadDetails(_ request: Request, _ context: DeskRequestContext) -> Bool {
        if security.isValidSession(context.session(request)) { return true }
        guard SMTPSecurity.isLoopback(context.clientAddress),
            request.headers[HTTPField.Name("X-Forwarded-For")!] == nil,
            request.headers[HTTPField.Name("Forwarded")!] == nil
        else { return false }
        let host = (request.head.authority ?? "").lowercased()
        if let publicURL = config.web.publicURL, let address = WebAddress(publicURL),
            host == address.host.lowercased() || host.hasPrefix(address.host.lowercased() + ":")
        {
            return false
        }
        return true
    }
}
