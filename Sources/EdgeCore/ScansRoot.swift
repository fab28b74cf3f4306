import Foundation
import RockingScan

/// A refusal of a rocking-curve request: the HTTP status, a sentence, and the parameter at fault.
/// Messages never hold the server's own paths (folders are named relative to the scans root).
public struct RCIFailure: Error, Sendable {
    public let status: Int
    public let message: String
    public let parameter: String?

    public init(_ status: Int, _ message: String, parameter: String? = nil) {
        self.status = status
        self.message = message
        self.parameter = parameter
    }
}

/// The folder of raw scan folders on the server (`edge --scans DIR`). Requests name folders relative
/// to it; `..`, absolute paths and symbolic links that lead out of it are refused.
public struct ScansRoot: Sendable {
    /// The root, resolved (symbolic links followed), or nil when the edge was started without one.
    public let path: String?
    /// Folders are looked for this deep below the root (`crystal/scan`).
    public static let maxDepth = 3

    public init(path: String?) {
        self.path = path.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
    }

    /// The absolute folder for `folder`, checked to lie inside the root (errors name `folder`).
    public func resolve(_ folder: String) throws(RCIFailure) -> String {
        guard let root = path else {
            throw RCIFailure(400, "folder: this edge has no scans root (start it with --scans DIR)", parameter: "folder")
        }
        let parts = folder.split(separator: "/", omittingEmptySubsequences: false)
        guard !folder.isEmpty, folder.count <= 256, !folder.hasPrefix("/"), !parts.contains(".."), !parts.contains(where: \.isEmpty) else {
            throw RCIFailure(400, "folder = '\(folder)': give a folder relative to the scans root (GET /api/rci/folders lists them), without '..' or a leading '/'", parameter: "folder")
        }
        let resolved = URL(fileURLWithPath: "\(root)/\(folder)").resolvingSymlinksInPath().path
        guard resolved.hasPrefix(root + "/") else {
            throw RCIFailure(400, "folder = '\(folder)': leads out of the scans root", parameter: "folder")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RCIFailure(400, "folder = '\(folder)': no such folder under the scans root (GET /api/rci/folders lists them)", parameter: "folder")
        }
        return resolved
    }

    /// `message` with the root's absolute path taken out, so a reader's sentence names the folder as the user knows it.
    public func publicMessage(_ message: String) -> String {
        guard let root = path else { return message }
        return message.replacingOccurrences(of: root + "/", with: "").replacingOccurrences(of: root, with: ".")
    }

    /// Every folder below the root (to `maxDepth`) holding a `scan.json`, relative, sorted.
    public func scanFolders() -> [String] {
        guard let root = path else { return [] }
        var found: [String] = []
        func walk(_ relative: String, depth: Int) {
            let absolute = relative.isEmpty ? root : "\(root)/\(relative)"
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: absolute) else { return }
            if !relative.isEmpty, entries.contains("scan.json") { found.append(relative) }
            guard depth < Self.maxDepth else { return }
            for e in entries.sorted() where !e.hasPrefix(".") {
                var isDirectory: ObjCBool = false
                let child = relative.isEmpty ? e : "\(relative)/\(e)"
                // Symbolic links are not followed when listing: a link out of the root is never offered.
                let attributes = try? FileManager.default.attributesOfItem(atPath: "\(root)/\(child)")
                guard (attributes?[.type] as? FileAttributeType) == .typeDirectory,
                      FileManager.default.fileExists(atPath: "\(root)/\(child)", isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                walk(child, depth: depth + 1)
            }
        }
        walk("", depth: 0)
        return found.sorted()
    }

    /// The facts of one folder as GET /api/rci/folders lists them (manifest and image headers only);
    /// a folder that cannot be opened is listed with its reason.
    public func describe(_ folder: String, reducedNames: Set<String>) -> [String: Any] {
        var out: [String: Any] = ["folder": folder, "name": (folder as NSString).lastPathComponent, "reduced": false]
        do throws(ScanError) {
            let input = try ScanInput.open(directory: "\(path ?? "")/\(folder)")
            let m = input.manifest
            out["name"] = m.name
            out["rocking"] = m.rocking
            out["face"] = m.face
            out["width"] = input.width
            out["height"] = input.height
            out["images"] = input.frameCount
            out["sample_type"] = input.sampleType.rawValue
            out["reduced"] = reducedNames.contains(m.name)
        } catch {
            out["error"] = publicMessage(error.message)
        }
        return out
    }
}
