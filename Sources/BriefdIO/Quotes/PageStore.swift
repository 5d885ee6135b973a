public import BriefdCore
import CZlib
import Foundation
import GRDB

/// Snapshots of the pages quotes come from (article text, date, status, content hash), so that a comparison
/// can be repeated and explained after the page changes or dies.
public final class PageStore: Sendable {
    private let database: DatabasePool

    public init(_ state: StateDatabase) { database = state.pool }

    public func record(_ snapshot: PageSnapshot) async throws {
        let row = PageSnapshotRow(
            url: snapshot.url, fetchedAt: snapshot.fetchedAt, status: snapshot.status, text: nil,
            textDeflated: snapshot.text.flatMap { PageStore.deflate(Array($0.utf8)) },
            textBytes: snapshot.text?.utf8.count, sha256: snapshot.text.map { ContentHash.sha256Hex(Array($0.utf8)) },
            published: snapshot.published?.description, problem: snapshot.problem)
        try await database.writeOffThePool { db in try row.insert(db) }
    }

    /// The newest snapshot of each of `urls` that has one.
    public func latest(_ urls: [String]) async throws -> [String: PageSnapshot] {
        let rows = try await database.readOffThePool { db in
            try Set(urls).compactMap { url in
                try PageSnapshotRow.fetchOne(
                    db, sql: "SELECT * FROM page_snapshot WHERE url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
                    arguments: [url])
            }
        }
        var found: [String: PageSnapshot] = [:]
        for row in rows {
            var text = row.text
            if let deflated = row.textDeflated, let size = row.textBytes {
                text = PageStore.inflate(Array(deflated), size: size).map { String(decoding: $0, as: UTF8.self) }
            }
            found[row.url] = PageSnapshot(
                url: row.url, fetchedAt: row.fetchedAt, status: row.status, text: text,
                published: row.published.flatMap { Day(iso: $0) }, problem: row.problem)
        }
        return found
    }

    /// zlib's deflate at its default level; nil if zlib fails (then nothing is kept, and the page is fetched again).
    static func deflate(_ bytes: [UInt8]) -> Data? {
        var length = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = compress2(&output, &length, bytes, uLong(bytes.count), Z_DEFAULT_COMPRESSION)
        return status == Z_OK ? Data(output[0..<Int(length)]) : nil
    }

    static func inflate(_ bytes: [UInt8], size: Int) -> [UInt8]? {
        guard size >= 0, size <= 256 * 1024 * 1024 else { return nil }
        var length = uLong(size)
        var output = [UInt8](repeating: 0, count: max(size, 1))
        let status = uncompress(&output, &length, bytes, uLong(bytes.count))
        return status == Z_OK && Int(length) == size ? Array(output[0..<size]) : nil
    }
}
