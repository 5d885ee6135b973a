/// What a reload (SIGHUP) can apply. A new drafts folder is applied (the watcher moves to it), and so is a new
/// `web.max_body_bytes`. The reports folder, the state database, the desk's address, token, public URL and idle
/// timeout, the link service's limits and the watcher's timings are set up once, at start; a new config that changes
/// any of them is refused as a whole, naming them, and the old config stays — never half applied, never silently
/// ignored.
public enum ReloadCheck {
    /// The settings `new` changes that only a restart applies, as the config names them; empty when the reload can
    /// be applied whole.
    public static func settingsNeedingRestart(old: Config, new: Config) -> [String] {
        var names: [String] = []
        if old.paths.reports != new.paths.reports { names.append("paths.reports") }
        if old.paths.state != new.paths.state { names.append("paths.state") }
        // The desk's server and its rules are made at start; its body limit is read at each request, so applies.
        if old.web.listen != new.web.listen { names.append("web.listen") }
        if old.web.tokenEnv != new.web.tokenEnv { names.append("web.token_env") }
        if old.web.publicURL != new.web.publicURL { names.append("web.public_url") }
        if old.web.idleTimeoutSeconds != new.web.idleTimeoutSeconds { names.append("web.idle_timeout_s") }
        if old.web.trustedProxies != new.web.trustedProxies { names.append("web.trusted_proxies") }
        if old.links != new.links { names.append("links") }
        if old.daemon.settleMilliseconds != new.daemon.settleMilliseconds { names.append("watch.settle_ms") }
        if old.daemon.rescanMinutes != new.daemon.rescanMinutes { names.append("watch.rescan_minutes") }
        return names
    }
}
