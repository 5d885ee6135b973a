/// What a reload (SIGHUP) can apply. A new drafts folder is applied (the watcher moves to it), and so are a new
/// `web.max_body_bytes` and `web.trusted_proxies` (the desk reads them at each request). The reports, digests and
/// templates folders, the state database, the log level, the desk's address, token, public URL and idle timeout, the
/// link service's limits and the watcher's timings are set up once, at start (the desk's templates are loaded once,
/// the captures look for issues in the digests folder, the log handler is made at start); a new config that changes
/// any of them is refused as a whole, naming them, and the old config stays — never half applied, never silently
/// ignored.
public enum ReloadCheck {
    /// The settings `new` changes that only a restart applies, as the config names them; empty when the reload can
    /// be applied whole.
    public static func settingsNeedingRestart(old: Config, new: Config) -> [String] {
        var names: [String] = []
        if old.paths.reports != new.paths.reports { names.append("paths.reports") }
        if old.paths.state != new.paths.state { names.append("paths.state") }
        if old.paths.digests != new.paths.digests { names.append("paths.digests") }
        if old.paths.templates != new.paths.templates { names.append("paths.templates") }
        if old.daemon.logLevel != new.daemon.logLevel { names.append("log_level") }
        // The desk's server and its rules are made at start; its body limit is read at each request, so applies.
        if old.web.listen != new.web.listen { names.append("web.listen") }
        if old.web.tokenEnv != new.web.tokenEnv { names.append("web.token_env") }
        if old.web.publicURL != new.web.publicURL { names.append("web.public_url") }
        if old.web.idleTimeoutSeconds != new.web.idleTimeoutSeconds { names.append("web.idle_timeout_s") }
        if old.web.maxConnections != new.web.maxConnections { names.append("web.max_connections") }
        if old.links != new.links { names.append("links") }
        if old.daemon.settleMilliseconds != new.daemon.settleMilliseconds { names.append("watch.settle_ms") }
        if old.daemon.rescanMinutes != new.daemon.rescanMinutes { names.append("watch.rescan_minutes") }
        return names
    }
}
