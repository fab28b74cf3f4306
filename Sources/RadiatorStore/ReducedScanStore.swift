import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reduced scans on disk, one file per scan (`NAME.scan`), written as radiators are (temporary file,
/// fsync, rename): a reader sees the old scan or the new one, never half of one. Unreadable files are
/// reported by name and skipped; temporary files left by a crash are ignored, and removed at start.
public final class ReducedScanStore: Sendable {
    public let directory: String
    public static let fileExtension = "scan"
    private let saves = Mutex<[String: UInt64]>([:])

    public init(directory: String) throws(ReducedScanError) {
        self.directory = directory
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ReducedScanError("data", "cannot create the scan folder \(directory): \(error.localizedDescription)")
        }
    }

    public func path(of name: String) -> String { "\(directory)/\(name).\(Self.fileExtension)" }

    /// Names of the scan files present, sorted (temporary files start with '.' and are not scans).
    public func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".\(Self.fileExtension)") && !$0.hasPrefix(".") }
            .map { String($0.dropLast(Self.fileExtension.count + 1)) }.sorted()
    }

    /// Temporary files of writes that never finished (a crash between write and rename): removed at
    /// start, when no write of this process can be in flight. Returns their names.
    @discardableResult
    public func removeStaleTemporaries() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let stale = files.filter { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }
        for f in stale { unlink("\(directory)/\(f)") }
        return stale
    }

    /// The file, checked (header, CRC-32, version, facts); maps are inflated on demand.
    public func load(_ name: String) throws(ReducedScanError) -> ReducedScanFile.Contents {
        guard names().contains(name) else {
            let known = names()
            throw ReducedScanError("scan_name", "'\(name)': no such reduced scan; \(known.isEmpty ? "the store has none yet" : "the store has \(known.joined(separator: ", "))")")
        }
        let p = path(of: name)
        guard let data = FileManager.default.contents(atPath: p) else { throw ReducedScanError("scan_name", "cannot read \(p)") }
        return try ReducedScanFile.decode([UInt8](data), source: p)
    }

    /// Validate and store (replacing a scan of the same name). Returns the new revision.
    @discardableResult
    public func save(_ scan: ReducedScanRecord) throws(ReducedScanError) -> UInt64 {
        try scan.validate()
        let bytes = try ReducedScanFile.encode(scan)
        do { try DurableFile.write(bytes, to: path(of: scan.facts.name)) } catch { throw ReducedScanError("scan", error.description) }
        saves.withLock { $0[scan.facts.name, default: 0] += 1 }
        return revision(of: scan.facts.name)
    }

    /// Changes whenever the scan's file is replaced (modification time in µs, plus saves through this store).
    public func revision(of name: String) -> UInt64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path(of: name))
        let mtime = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return UInt64(max(0, mtime * 1e6)) &+ saves.withLock { $0[name, default: 0] }
    }
}
