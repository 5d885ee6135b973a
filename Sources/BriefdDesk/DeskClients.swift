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
}
