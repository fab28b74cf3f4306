import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Topography

/// A radiator's headline facts, for lists and menus.
public struct RadiatorSummary: Sendable, Equatable, Codable {
    public var name: String
    public var crystal: String
    public var thickness_um: Double
    public var views: [String]
    public var width_mm: Double
    public var height_mm: Double
    public var rms_tilt_urad: Double
    public var pixel_mm: Double
    public var notes: String
    public var mount_material: String
    public var mount_thickness_mm: Double

    public init(_ r: Radiator) {
        name = r.name
        crystal = r.crystal
        thickness_um = r.thicknessMicrons
        views = r.views.map(\.side.rawValue)
        let front = r.views[0]
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for row in 0..<front.grid.rows {
            for column in 0..<front.grid.columns where front.mask[front.grid.index(column: column, row: row)] == .crystal {
                minX = min(minX, front.grid.x(column: column)); maxX = max(maxX, front.grid.x(column: column))
                minY = min(minY, front.grid.y(row: row)); maxY = max(maxY, front.grid.y(row: row))
            }
        }
        width_mm = maxX >= minX ? maxX - minX + front.grid.pixelMillimeters : 0
        height_mm = maxY >= minY ? maxY - minY + front.grid.pixelMillimeters : 0
        rms_tilt_urad = front.crystalStatistics.rms
        pixel_mm = front.grid.pixelMillimeters
        notes = r.notes
        mount_material = r.mountMaterial
        mount_thickness_mm = r.mountThicknessMillimeters
    }
}

/// Radiators on disk, one file per radiator (`NAME.radiator`), written atomically.
/// Unreadable files are reported by name and skipped, never fatal.
public final class RadiatorStore: Sendable {
    public let directory: String
    public static let fileExtension = "radiator"
    private let revisions = Mutex<[String: UInt64]>([:])

    public init(directory: String) throws(RadiatorError) {
        self.directory = directory
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw RadiatorError("cannot create the data folder \(directory): \(error.localizedDescription)")
        }
        removeStaleTemporaryFiles()
    }

    /// Temporary files left by a writer that died mid-write (`.NAME.radiator.PID.RANDOM.tmp`, hidden, so
    /// never listed but taking disk for ever) are removed; those of a live process (an import running
    /// now, say from the CLI) are kept. Returns the names removed.
    @discardableResult
    public func removeStaleTemporaryFiles() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for file in files where file.hasPrefix(".") && file.hasSuffix(".tmp") {
            let parts = file.split(separator: ".")
            guard parts.count >= 4, let pid = Int32(parts[parts.count - 3]) else { continue }
            if pid > 0, kill(pid, 0) == 0 || errno == EPERM { continue }  // its writer still runs
            if unlink("\(directory)/\(file)") == 0 { removed.append(file) }
        }
        return removed
    }

    public func path(of name: String) -> String { "\(directory)/\(name).\(Self.fileExtension)" }

    /// Names of the radiator files present, sorted.
    public func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".\(Self.fileExtension)") && !$0.hasPrefix(".") }
            .map { String($0.dropLast(Self.fileExtension.count + 1)) }.sorted()
    }

    /// What a user with an old URL (say radiator_name=JD70-103) needs: the radiators there are, and how to add theirs.
    public static func unknownRadiatorMessage(_ name: String, known: [String]) -> String {
        let list = known.isEmpty ? "the store has no radiators yet" : "the store has \(known.joined(separator: ", "))"
        return "radiator_name = '\(name)': no such radiator; \(list) (or radiator_name=ideal, a perfect crystal). "
            + "Import yours with `spotfinder import FILE.json|FILE.csv|FILE.root`, the page's Import, POST /api/import "
            + "or spotfinder.Client(...).import_radiator (README: \"Bring your own diamond\")"
    }

    public func load(_ name: String) throws(RadiatorError) -> Radiator {
        guard names().contains(name) else {
            throw RadiatorError(Self.unknownRadiatorMessage(name, known: names()))
        }
        let p = path(of: name)
        guard let data = FileManager.default.contents(atPath: p) else { throw RadiatorError("cannot read \(p)") }
        return try RadiatorFile.decode([UInt8](data), source: p)
    }

    /// Every readable radiator, plus a sentence for each file that could not be read.
    public func loadAll() -> (radiators: [Radiator], problems: [String]) {
        var radiators: [Radiator] = [], problems: [String] = []
        for name in names() {
            do { radiators.append(try load(name)) } catch { problems.append(error.message) }
        }
        return (radiators, problems)
    }

    /// Validate and store (replacing any radiator of the same name). Returns the new revision.
    @discardableResult
    public func save(_ r: Radiator) throws(RadiatorError) -> UInt64 {
        try r.validate()
        let bytes = try RadiatorFile.encode(r)
        do { try DurableFile.write(bytes, to: path(of: r.name)) } catch { throw RadiatorError(error.description) }
        revisions.withLock { $0[r.name, default: 0] += 1 }
        return revision(of: r.name)
    }

    /// Changes whenever the radiator's file is replaced (its modification time in µs, plus saves through
    /// this store): caches compare it to know when to refetch.
    public func revision(of name: String) -> UInt64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path(of: name))
        let mtime = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return UInt64(max(0, mtime * 1e6)) &+ revisions.withLock { $0[name, default: 0] }
    }

    /// First start: write the built-in synthetic catalogue if the folder holds no radiator.
    public func installDefaultsIfEmpty() throws(RadiatorError) {
        guard names().isEmpty else { return }
        for r in SyntheticRadiators.all { try save(r) }
    }
}
