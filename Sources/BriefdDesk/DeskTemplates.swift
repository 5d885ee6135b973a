import Foundation
import Logging
import Mustache
import Synchronization

/// The desk's Mustache templates (`paths.templates`/desk), read again when a file changes, so that an editor can
/// change the desk's pages without rebuilding briefd. Values are HTML-escaped by default (`{{value}}`); the
/// templates use no triple mustaches except for HTML briefd made itself (the marked draft text is runs escaped
/// by the template, never raw).
final class DeskTemplates: Sendable {
    static let names = [
        "layout-top", "layout-bottom", "desk", "desk-rows", "draft", "issue", "links", "clip", "login", "message",
        "outcome", "archive", "capture",
    ]

    private let folder: String
    private struct Loaded {
        var stamp: [Double] = []
        var library: MustacheLibrary?
        var problem: String?
    }
    private let loaded = Mutex(Loaded())
    /// "template: name" for each name a template asked of a page that does not have it, each logged once.
    private let unknown = Mutex<Set<String>>([])
    private let logger: Logger

    init(folder: String, logger: Logger) {
        self.folder = folder + "/desk"
        self.logger = logger
    }

    /// The names templates asked for that their pages do not have ("desk: reloadProblem"), for the tests.
    var unknownNames: Set<String> { unknown.withLock { $0 } }

    /// The output of `name` for a page's `values` (one of the types in DeskPages.swift) inside the layout's, or
    /// the reason a template cannot be used.
    func render(_ name: String, _ values: Any, layout: DeskLayout) -> Result<String, DeskTemplateError> {
        let stamp = DeskTemplates.names.map { modified(folder + "/" + $0 + ".mustache") }
        let (library, problem): (MustacheLibrary?, String?) = loaded.withLock { loaded in
            if loaded.stamp != stamp {
                loaded.stamp = stamp
                (loaded.library, loaded.problem) = DeskTemplates.load(folder)
            }
            return (loaded.library, loaded.problem)
        }
        guard let library else { return .failure(DeskTemplateError(description: problem ?? "no templates")) }
        // A page whose template is not loaded is a fault of briefd's own, not an empty page.
        let context = DeskPageContext(values: values, layout: layout) { self.noteUnknown(name, $0) }
        guard let html = library.render(context, withTemplate: name) else {
            return .failure(DeskTemplateError(description: "the desk has no template named '\(name)'"))
        }
        return .success(html)
    }

    /// An edited template naming a value the page does not give shows nothing there: said once, not quietly.
    private func noteUnknown(_ template: String, _ name: String) {
        guard unknown.withLock({ $0.insert(template + ": " + name).inserted }) else { return }
        logger.warning(
            "a desk template names a value its page does not have; it shows nothing there",
            metadata: ["template": "\(template)", "name": "\(name)"])
    }

    /// Changes when any template file changes (for caches of rendered parts).
    func stampKey() -> String {
        DeskTemplates.names.map { String(modified(folder + "/" + $0 + ".mustache")) }.joined(separator: ",")
    }

    private func modified(_ path: String) -> Double {
        var status = stat()
        guard stat(path, &status) == 0 else { return -1 }
        return Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
    }

    private static func load(_ folder: String) -> (MustacheLibrary?, String?) {
        var library = MustacheLibrary()
        for name in names {
            let path = folder + "/" + name + ".mustache"
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                return (nil, "\(path): template missing or not UTF-8")
            }
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch let error as MustacheTemplate.ParserError {
                return (nil, "\(path):\(error.context.lineNumber):\(error.context.columnNumber): \(error.error)")
            } catch {
                return (nil, "\(path): \(error)")
            }
        }
        return (library, nil)
    }
}

struct DeskTemplateError: Error, CustomStringConvertible {
    var description: String
}
