import BriefdCore

/// The one HTTP client for the services the config names — the mailing service (listmonk, Buttondown) and the
/// alert webhook. Unlike the link checker's, it may reach a private network: a self-hosted listmonk or a chat
/// server's webhook is often on one, and its address is the operator's own setting, not a link from a draft. It
/// has no pacing and no retries (the callers keep their own record of what was accepted and retry on their
/// schedule), and it says what calls the service instead of giving the publishers' contact address.
public enum ConfiguredServiceClient {
    public enum Purpose: String, Sendable {
        case mailingService = "mailing service client"
        case alertWebhook = "alert webhook client"
    }

    public static func make(for purpose: Purpose, timeoutSeconds: Int, version: String) -> CurlHTTPClient {
        var settings = LinkSettings()
        settings.allowNetworks = ["0.0.0.0/0", "::/0"].compactMap(IPNetwork.init)
        settings.perHostIntervalMilliseconds = 0
        settings.retries = 0
        settings.timeoutSeconds = timeoutSeconds
        return CurlHTTPClient(
            settings: settings, version: version, userAgent: "briefd/\(version) (\(purpose.rawValue))")
    }
}
