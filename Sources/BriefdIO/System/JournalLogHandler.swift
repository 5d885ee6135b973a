@preconcurrency import Glibc
public import Logging

/// One line per log event on stderr, `level: message key=value …`. Under systemd (`JOURNAL_STREAM` set) each
/// line starts with the syslog priority (`<3>` for errors, …), which journald reads as the entry's level.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let priorityPrefix: Bool

    public init(label: String, level: Logger.Level, underJournal: Bool) {
        self.label = label
        self.logLevel = level
        self.priorityPrefix = underJournal
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = priorityPrefix ? "<\(JournalLogHandler.priority(event.level))>" : ""
        line += "\(event.level): \(event.message)"
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in all.keys.sorted() {
            let value = "\(all[key]!)"
            line += " \(key)=" + (value.contains(" ") ? "\"\(value)\"" : value)
        }
        line += "\n"
        var bytes = Array(line.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if written <= 0 { if errno == EINTR { continue } else { return } }
            bytes = bytes.dropFirst(written)
        }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }
}
