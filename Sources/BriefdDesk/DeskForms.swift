import Foundation
import Hummingbird

/// The one decoding of the desk's forms and queries: Hummingbird's `URLEncodedFormDecoder` (`+` is a space, then
/// percent-decoding); what does not decode (`%zz`, a repeated field) is a 400, a body over its limit a 413. Fields
/// a type does not name are ignored.
enum DeskForms {
    static func query<Fields: Decodable>(_ type: Fields.Type, _ request: Request) throws -> Fields {
        try decode(type, request.uri.query ?? "")
    }

    /// An `application/x-www-form-urlencoded` body as `type`, at most `limit` bytes.
    static func form<Fields: Decodable>(_ type: Fields.Type, _ request: Request, limit: Int) async throws -> Fields {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return try decode(type, String(buffer: buffer))
    }

    static func decode<Fields: Decodable>(_ type: Fields.Type, _ text: String) throws -> Fields {
        do {
            return try URLEncodedFormDecoder().decode(type, from: text)
        } catch {
            throw HTTPError(.badRequest, message: "The form or query cannot be read: \(error)")
        }
    }
}

/// `/?status=…&section=…` (and `fragment=rows`: the list's rows only, for the live refresh).
struct ListQuery: Decodable {
    var status: String?
    var section: String?
    var fragment: String?
}

/// `?images=1`: the preview loads remote images (only when the editor asks).
struct ImagesQuery: Decodable {
    var images: String?
    var shown: Bool { images == "1" }
}

/// Every POST's CSRF token, read by the guard before the route.
struct CSRFField: Decodable {
    var csrf: String?
}

/// `POST /login`.
struct LoginForm: Decodable {
    var token: String?
}

/// `POST /drafts/<path>`: apply one fix.
struct ApplyFixForm: Decodable {
    var fix: String
    var hash: String
}

/// `POST /clip`.
struct ClipForm: Decodable {
    var url: String?
    var section: String?
    var featured: String?
}
