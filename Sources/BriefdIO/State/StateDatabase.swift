import Foundation
@preconcurrency import Glibc
import GRDB

/// briefd's state database (SQLite via GRDB, `paths.state`): the link history and the record of
/// published issues. Every table is created and migrated here.
///
/// - Important: one per process and database file (GRDB's rule for a `DatabasePool`): a command or the daemon
///   opens it once and hands it to every store.
public final class StateDatabase: Sendable {
    let pool: DatabasePool

    /// Opens (creating when needed) the database at `path`, its folder included, and migrates it.
    public init(path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // A pool is in WAL mode: readers never wait for the writer. NORMAL sync is safe with WAL and much cheaper.
        // Two readers are plenty for one daemon, and each is a thread.
        configuration.maximumReaderCount = 2
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            // Any number of briefd processes may open a fresh or an old database at the same moment (the daemon, a
            // build, `status`): one migrates, the others wait for it and find nothing left to do.
            let migrating = try MigrationLock(statePath: path)
            defer { migrating.release() }
            pool = try DatabasePool(path: path, configuration: configuration)
            try StateDatabase.migrator.migrate(pool)
        } catch let error as MigrationLock.Busy {
            throw OpenError(description: error.description)
        } catch let error as DatabaseError {
            let hint =
                [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode)
                ? " (the file is damaged or not a briefd database: move it away to start afresh; link history and the record of issues start empty)"
                : error.resultCode == .SQLITE_BUSY ? " (another process holds it)" : ""
            throw OpenError(description: "\(path): \(error.message ?? "\(error)")\(hint)")
        }
    }

    /// Hands SQLite's page caches back (they grow to 2 MiB per connection during a burst); for an idle daemon.
    public func releaseMemory() { pool.releaseMemoryEventually() }

    /// `urls` in slices of 500 for `WHERE url IN (…)`: SQLite's limit on bound values is far above that, and a
    /// slice's query stays short.
    static func slices(of urls: [String]) -> [[String]] {
        stride(from: 0, to: urls.count, by: 500).map { Array(urls[$0..<min($0 + 500, urls.count)]) }
    }

    /// An exclusive `flock` on `STATE.migrate.lock` while the database is opened and migrated: GRDB's migrator reads
    /// which migrations are applied and then applies the rest, so two processes migrating at once both apply the same
    /// one ("duplicate column name").
    struct MigrationLock {
        let descriptor: Int32

        struct Busy: Error, CustomStringConvertible {
            var path: String
            var reason: String
            var description: String { "\(path): \(reason)" }
        }

        /// Waits at most 60 s: a migration takes milliseconds, so a longer hold is a stopped process, said by name.
        init(statePath: String) throws {
            let path = statePath + ".migrate.lock"
            descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw Busy(path: path, reason: "cannot open the migration lock: \(SystemCalls.lastError)")
            }
            let deadline = Date().addingTimeInterval(60)
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                guard code == EWOULDBLOCK || code == EINTR, Date() < deadline else {
                    close(descriptor)
                    throw Busy(
                        path: path,
                        reason: code == EWOULDBLOCK
                            ? "another briefd process has been opening the state database for 60 s; is one stopped?"
                            : "cannot lock: \(SystemCalls.reason(code))")
                }
                usleep(20_000)
            }
        }

        func release() { close(descriptor) }
    }

    /// The state database could not be opened or migrated.
    public struct OpenError: Error, CustomStringConvertible {
        public var description: String
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: link checks") { db in
            try db.create(table: "link_check") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("url", .text).notNull()
                table.column("checked_at", .double).notNull()
                table.column("verdict", .text).notNull()
                table.column("status", .integer)
                table.column("final_url", .text)
                table.column("redirects", .text).notNull()
                table.column("error", .text)
                table.column("duration_ms", .integer).notNull()
            }
            try db.create(index: "link_check_by_url", on: "link_check", columns: ["url", "checked_at"])
        }
        migrator.registerMigration("v2: published issues") { db in
            try db.create(table: "issue") { table in
                table.primaryKey("date", .text)
                table.column("title", .text).notNull()
                table.column("item_count", .integer).notNull()
                table.column("web_url", .text).notNull()
                /// The issue's items as HTML, for the feeds' entries of later builds.
                table.column("content_html", .text).notNull()
            }
            try db.create(table: "issue_item") { table in
                table.column("issue_date", .text).notNull().references("issue", column: "date", onDelete: .cascade)
                table.column("position", .integer).notNull()
                table.column("url", .text).notNull()
                table.column("identity", .text).notNull()
                table.column("title", .text).notNull()
                table.column("placement", .text).notNull()
                table.column("path", .text).notNull()
                table.primaryKey(["issue_date", "position"])
            }
            try db.create(index: "issue_item_by_identity", on: "issue_item", columns: ["identity"])
            try db.create(table: "issue_file") { table in
                table.column("issue_date", .text).notNull().references("issue", column: "date", onDelete: .cascade)
                table.column("name", .text).notNull()
                table.column("sha256", .text).notNull()
                table.column("bytes", .integer).notNull()
                table.primaryKey(["issue_date", "name"])
            }
        }
        migrator.registerMigration("v3: the daemon's drafts and schedule") { db in
            try db.create(table: "draft_state") { table in
                table.primaryKey("path", .text)
                table.column("size", .integer).notNull()
                table.column("mtime", .double).notNull()
                table.column("sha256", .text).notNull()
                table.column("status", .text).notNull()
                table.column("errors", .integer).notNull()
                table.column("warnings", .integer).notNull()
                table.column("checked_at", .double).notNull()
                /// A brief's URL identity and where its `url` is, for the duplicate check across drafts
                /// without parsing every unchanged draft again after a restart.
                table.column("identity", .text)
                table.column("url_line", .integer)
                table.column("url_column", .integer)
            }
            try db.create(table: "schedule_state") { table in
                table.primaryKey("name", .text)
                /// The last due time (seconds since 1970) that was handled: built, or found already built.
                table.column("last_due", .double).notNull()
            }
            try db.create(table: "build_run") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("due", .double).notNull()
                table.column("issue_date", .text).notNull()
                table.column("finished_at", .double).notNull()
                table.column("outcome", .text).notNull()
            }
        }
        migrator.registerMigration("v4: page snapshots") { db in
            try db.create(table: "page_snapshot") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("url", .text).notNull()
                table.column("fetched_at", .double).notNull()
                table.column("status", .integer)
                /// The article text extracted from the page (nil when it could not be read).
                table.column("text", .text)
                table.column("sha256", .text)
                table.column("published", .text)
                table.column("problem", .text)
            }
            try db.create(index: "page_snapshot_by_url", on: "page_snapshot", columns: ["url", "fetched_at"])
        }
        migrator.registerMigration("v5: link rot and alerts") { db in
            // A check made while its whole host failed (the site was down) weighs differently.
            try db.alter(table: "link_check") { table in
                table.add(column: "host_outage", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "link_health") { table in
                table.primaryKey("url", .text)
                table.column("state", .text).notNull()
                table.column("failures", .integer).notNull()
                table.column("first_failure", .double)
                table.column("last_check", .double)
                table.column("last_status", .integer)
                table.column("archived_url", .text)
                table.column("changed_at", .double).notNull()
            }
            try db.create(table: "alert_outbox") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("alert", .text).notNull()
                table.column("created_at", .double).notNull()
            }
            try db.create(table: "alert_delivery") { table in
                table.column("alert_id", .integer).notNull().references("alert_outbox", onDelete: .cascade)
                table.column("sink", .text).notNull()
                table.column("delivered_at", .double)
                table.column("attempts", .integer).notNull().defaults(to: 0)
                table.column("next_attempt", .double).notNull().defaults(to: 0)
                table.column("last_error", .text)
                table.primaryKey(["alert_id", "sink"])
            }
        }
        migrator.registerMigration("v6: compressed snapshots") { db in
            // The article text, deflated (zlib); `text` stays for rows written before.
            try db.alter(table: "page_snapshot") { table in
                table.add(column: "text_deflated", .blob)
                table.add(column: "text_bytes", .integer)
            }
        }
        migrator.registerMigration("v7: report inputs") { db in
            // What a draft's report was made with; '' (never matching) for reports made before, so that an
            // upgraded daemon makes every report again once.
            try db.alter(table: "draft_state") { table in table.add(column: "inputs", .text).notNull().defaults(to: "")
            }
        }
        migrator.registerMigration("v8: item sources") { db in
            // The publication of each published item (the registry's name), so that `briefd clip` can file a
            // new item where this publication's items usually go. '' for items recorded before.
            try db.alter(table: "issue_item") { table in table.add(column: "source", .text).notNull().defaults(to: "") }
        }
        migrator.registerMigration("v9: imported issues") { db in
            // The page an issue was imported from (`briefd import`); NULL for the issues briefd built.
            try db.alter(table: "issue") { table in table.add(column: "imported_from", .text) }
        }
        migrator.registerMigration("v10: issue versions and the drafts' account") { db in
            // A published issue is replaced only on purpose (`build --replace`), and every version is kept, with
            // its files, so that `briefd issues restore` can bring one back. Issues built before count as version 1.
            try db.alter(table: "issue") { table in
                table.add(column: "version", .integer).notNull().defaults(to: 1)
                table.add(column: "built_at", .double)
            }
            try db.create(table: "issue_version") { table in
                table.column("issue_date", .text).notNull()
                table.column("version", .integer).notNull()
                table.column("built_at", .double).notNull()
                table.column("title", .text).notNull()
                table.column("item_count", .integer).notNull()
                table.column("web_url", .text).notNull()
                table.column("content_html", .text).notNull()
                table.column("items", .text).notNull()
                table.primaryKey(["issue_date", "version"])
            }
            try db.create(table: "issue_version_file") { table in
                table.column("issue_date", .text).notNull()
                table.column("version", .integer).notNull()
                table.column("name", .text).notNull()
                table.column("bytes", .blob).notNull()
                table.primaryKey(["issue_date", "version", "name"])
            }
            // Every build, whoever ran it (the schedule, the command line, the desk), so that each surface can say
            // what was built last.
            try db.alter(table: "build_run") { table in
                table.add(column: "trigger", .text).notNull().defaults(to: "scheduled")
            }
            // The account of each draft, kept across restarts: its facts and findings, so that no surface re-reads
            // a report to learn them.
            try db.alter(table: "draft_state") { table in
                table.add(column: "facts", .text)
                table.add(column: "findings", .text)
                table.add(column: "review_findings", .text)
                table.add(column: "reasons", .text)
            }
        }
        migrator.registerMigration("v11: preservation") { db in
            // One capture of each cited page per issue, kept in the issue's `archive.warc.gz`; a failed one is tried
            // again later.
            try db.create(table: "page_capture") { table in
                table.column("issue_date", .text).notNull()
                table.column("url", .text).notNull()
                table.column("position", .integer).notNull()
                table.column("excerpt", .text).notNull()
                table.column("state", .text).notNull()  // pending, captured, failed
                table.column("status", .integer)
                table.column("final_url", .text)
                table.column("good", .boolean)
                table.column("excerpt_found", .boolean)
                table.column("reason", .text)
                table.column("captured_at", .double)
                table.column("attempts", .integer).notNull().defaults(to: 0)
                table.column("next_try", .double).notNull()
                table.primaryKey(["issue_date", "url"])
            }
            // One Save Page Now submission per cited page and issue; the queue survives restarts.
            try db.create(table: "spn_submission") { table in
                table.column("issue_date", .text).notNull()
                table.column("url", .text).notNull()
                table.column("excerpt", .text).notNull()
                table.column("state", .text).notNull()  // queued, pending, success, error
                table.column("job_id", .text)
                table.column("snapshot", .text)
                table.column("status_ext", .text)
                table.column("message", .text)
                table.column("attempts", .integer).notNull().defaults(to: 0)
                table.column("next_try", .double).notNull()
                table.column("submitted_at", .double)
                table.column("snapshot_checked_at", .double)
                table.column("snapshot_excerpt_found", .boolean)
                table.column("snapshot_reason", .text)
                table.primaryKey(["issue_date", "url"])
            }
            // Save Page Now's pace and holds: when the last submission went, and until when the service said wait.
            try db.create(table: "spn_pace") { table in
                table.column("name", .text).primaryKey()
                table.column("at", .double).notNull()
                table.column("reason", .text)
            }
        }
        migrator.registerMigration("v12: campaigns") { db in
            // The campaign an issue was handed to, so that a second run updates it instead of making another; and
            // who sent it past the gate, and why.
            try db.create(table: "campaign") { table in
                table.column("issue_date", .text).primaryKey()
                table.column("version", .integer).notNull()
                table.column("service", .text).notNull()
                table.column("campaign_id", .text).notNull()
                table.column("status", .text).notNull()
                table.column("send_at", .text)
                table.column("updated_at", .double).notNull()
                table.column("forced_reason", .text)
                table.column("forced_by", .text)
                table.column("forced_at", .double)
            }
        }
        return migrator
    }
}

extension DatabasePool {
    /// A read from async code that holds its reader only while it reads. GRDB's own async `read` keeps a pooled
    /// reader across an `await` and needs a free thread of the concurrency pool to give it back; with the pool's
    /// threads blocked in synchronous reads waiting for a reader, nothing gave one back and the daemon froze.
    func readOffThePool<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try self.read(value) }) }
        }
    }

    /// A write from async code, done on a dispatch thread for the same reason; writes run in the order they were
    /// asked for (one serial queue), so that of two saves of the same records the newer always commits last (on the
    /// concurrent global queue an older batch could overtake it).
    func writeOffThePool<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            stateWrites.async { continuation.resume(with: Result { try self.write(updates) }) }
        }
    }
}

/// The process's writes to state databases, one after the other in the order asked (GRDB runs a pool's writes one at
/// a time anyway; this keeps their order too).
private let stateWrites = DispatchQueue(label: "briefd.state.writes")
