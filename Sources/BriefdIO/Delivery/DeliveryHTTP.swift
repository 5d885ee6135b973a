import BriefdCore

/// The HTTP client for the services the config names (the mailing service): unlike the link checker's, it may
/// reach a private network — a self-hosted listmonk is often on one, and its address is the editor's own
/// setting, not a link from a draft.
public enum DeliveryHTTP {
    public static func client(timeoutSeconds: Int, version: String) -> CurlHTTPClient {
        var settings = LinkSettings()
        settings.allowNetworks = ["0.0.0.0/0", "::/0"].compactMap(IPNetwork.init)
        settings.perHostIntervalMilliseconds = 0
        settings.retries = 0
        settings.timeoutSeconds = timeoutSeconds
        // The editor's own service: it is told what calls it, not the publishers' contact address.
        return CurlHTTPClient(
            settings: settings, version: version, userAgent: "briefd/\(version) (mailing service client)")
    }
}
