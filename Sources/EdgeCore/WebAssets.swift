import Foundation

/// The page's own files (`Sources/EdgeCore/Web`: HTML, CSS, JavaScript modules), read once when
/// the edge starts and served as they are: no build step, no CDN.
///
/// Where they are found, first match wins: `SPOTFINDER_WEB` (a folder, for editing the page
/// without rebuilding), the SwiftPM resource bundle next to the executable
/// (`Spotfinder_EdgeCore.resources/Web`, copied along in deployments), the source folder.
public struct WebAssets: Sendable {
    public struct File: Sendable, Equatable {
        public let contentType: String
        public let body: Data
    }

    /// URL path (`/`, `/static/js/state.js`, …) → file.
    public let files: [String: File]
    /// The folder the files came from, or nil when none was found (then `/` explains that).
    public let folder: String?
    /// Read the folder again for every request (`SPOTFINDER_WEB`: edit the page, reload the browser).
    public let live: Bool

    public init(folder: String?, live: Bool = false) {
        self.folder = folder
        self.live = live
        var files: [String: File] = [:]
        if let folder, let walker = FileManager.default.enumerator(atPath: folder) {
            for case let relative as String in walker {
                let path = folder + "/" + relative
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                      let type = Self.contentType(relative), let body = FileManager.default.contents(atPath: path) else { continue }
                files["/static/" + relative] = File(contentType: type, body: body)
            }
            files["/"] = files["/static/index.html"]
            files["/index.html"] = files["/static/index.html"]
        }
        self.files = files
    }

    /// The files from the first folder that holds an `index.html`.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> WebAssets {
        let folder = candidateFolders(environment: environment).first { FileManager.default.fileExists(atPath: $0 + "/index.html") }
        return WebAssets(folder: folder, live: folder != nil && folder == environment["SPOTFINDER_WEB"])
    }

    /// The file served at a URL path, if any.
    public func file(at path: String) -> File? {
        live ? WebAssets(folder: folder).files[path] : files[path]
    }

    static func candidateFolders(environment: [String: String]) -> [String] {
        var out: [String] = []
        if let dir = environment["SPOTFINDER_WEB"], !dir.isEmpty { out.append(dir) }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        out.append(executable.appendingPathComponent("Spotfinder_EdgeCore.resources/Web").path)
        out.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Web").path)
        return out
    }

    /// Content types by extension; other files are not served.
    static func contentType(_ name: String) -> String? {
        switch (name as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json": "application/json"
        default: nil
        }
    }
}
