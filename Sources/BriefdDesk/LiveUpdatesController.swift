import BriefdCore
import Foundation
import Hummingbird
import NIOCore

/// `/events`: Server-Sent Events telling open pages which draft's report changed (the list refreshes its rows);
/// and the desk's own script and style.
struct LiveUpdatesController {
    let app: DeskApp

    func addRoutes(to router: Router<DeskRequestContext>) {
        router.get("/events") { request, context in events(client: app.client(request, context), context: context) }
        router.get("/static/desk.css") { _, _ in asset("desk.css", type: "text/css; charset=utf-8") }
        router.get("/static/desk.js") { _, _ in asset("desk.js", type: "text/javascript; charset=utf-8") }
    }

    func events(client: String, context: DeskRequestContext) -> Response {
        guard let subscription = app.newsroom.feed.subscription(client: client) else {
            return Response(status: .serviceUnavailable, headers: [.retryAfter: "30"])
        }
        context.channel?.closeFuture.whenComplete { _ in subscription.end() }
        let stream = subscription.stream
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
            // A tab that went away is found by the next write: a comment every second finds it, so its slot is free
            // within a second (a closed connection is not otherwise seen while the stream waits for events).
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(1))
                        subscription.ping()
                    }
                }
                for await path in stream {
                    let event =
                        path.isEmpty ? ": ping\n\n" : "event: draft\ndata: \(JSONText.string(path))\n\n"
                    do {
                        try await writer.write(ByteBuffer(string: event))
                    } catch {
                        subscription.end()
                        group.cancelAll()
                        throw error
                    }
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    /// A file of `templates/desk/`, read at each request so that an edit shows at the next reload.
    func asset(_ name: String, type: String) -> Response {
        guard let data = FileManager.default.contents(atPath: app.config.paths.templates + "/desk/" + name) else {
            return Response(status: .notFound)
        }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
