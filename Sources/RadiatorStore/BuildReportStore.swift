import Foundation
import Synchronization
import Topography
import Wire
import Zlib

/// Build reports kept next to the radiators they explain, one file per radiator (`NAME.build`):
/// "SPOTBLD1", CRC-32 (big-endian) of the rest, then a spotfinder.v1.StoredBuildReport (the report
/// as JSON and its maps, each zlib-compressed float32). Written as radiators are (temporary file,
/// fsync, rename), so a reader sees the old report or the new one, never half of one.
public final class BuildReportStore: Sendable {
    public let directory: String
    public static let fileExtension = "build"
    static let magic = Array("SPOTBLD1".utf8)
    public static let formatVersion: UInt32 = 1
    /// A build report's grid is the radiator's: at most `Radiator.maxPixels`-like sizes; this bounds memory.
    public static let maxCells = 4096 * 4096
    private let saves = Mutex<[String: UInt64]>([:])

    public init(directory: String) throws(RadiatorError) {
        self.directory = directory
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw RadiatorError("cannot create the build-report folder \(directory): \(error.localizedDescription)")
        }
    }

    public func path(of name: String) -> String { "\(directory)/\(name).\(Self.fileExtension)" }

    public func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".\(Self.fileExtension)") && !$0.hasPrefix(".") }
            .map { String($0.dropLast(Self.fileExtension.count + 1)) }.sorted()
    }

    /// Checks a report before it is stored: a radiator name, JSON text, and every map inflating to
    /// columns × rows floats. Errors name the field.
    public static func validate(_ m: StoredBuildReportMessage) throws(RadiatorError) {
        let name = m.radiatorName
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("."),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw RadiatorError("radiator_name '\(name)': 1–64 letters, digits, '-', '_' or '.', not starting with '.'")
        }
        guard (try? JSONSerialization.jsonObject(with: Data(m.reportJson.utf8))) is [String: Any] else {
            throw RadiatorError("report_json: not a JSON object")
        }
        let cells = Int(m.columns) * Int(m.rows)
        guard cells >= 1, cells <= maxCells else { throw RadiatorError("columns × rows = \(m.columns) × \(m.rows): at least 1, at most \(maxCells) cells") }
        guard m.pixelMm.isFinite, m.pixelMm > 0, m.originXMm.isFinite, m.originYMm.isFinite else {
            throw RadiatorError("pixel_mm = \(m.pixelMm), origin (\(m.originXMm), \(m.originYMm)) mm: a positive pixel and a finite origin")
        }
        var seen = Set<String>()
        for map in m.maps {
            guard !map.name.isEmpty, seen.insert(map.name).inserted else { throw RadiatorError("maps: '\(map.name)' is empty or given twice") }
            do { _ = try Zlib.decompress(map.valuesZlib, expectedSize: cells * 4) } catch {
                throw RadiatorError("maps: '\(map.name)' does not hold \(m.columns) × \(m.rows) float32 values: \(error.description)")
            }
        }
    }

    /// Validate and store (replacing the radiator's previous report). Returns the new revision.
    @discardableResult
    public func save(_ m: StoredBuildReportMessage) throws(RadiatorError) -> UInt64 {
        try Self.validate(m)
        var message = m
        message.formatVersion = Self.formatVersion
        let body: [UInt8]
        do { body = try message.serializedBytes() } catch { throw RadiatorError("cannot encode the build report of \(m.radiatorName): \(error)") }
        let crc = Zlib.crc32(body)
        let bytes = Self.magic + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)] + body
        do { try DurableFile.write(bytes, to: path(of: m.radiatorName)) } catch { throw RadiatorError(error.description) }
        saves.withLock { $0[m.radiatorName, default: 0] += 1 }
        return revision(of: m.radiatorName)
    }

    /// The stored report, checked (header, checksum, version). Unknown names: an error listing the known ones.
    public func load(_ name: String) throws(RadiatorError) -> StoredBuildReportMessage {
        guard names().contains(name) else {
            let known = names()
            throw RadiatorError("radiator_name '\(name)': no build report; \(known.isEmpty ? "no radiator was built on the server yet" : "radiators with one: \(known.joined(separator: ", "))")")
        }
        let p = path(of: name)
        guard let data = FileManager.default.contents(atPath: p) else { throw RadiatorError("cannot read the build report of \(name)") }
        let bytes = [UInt8](data)
        guard bytes.count >= 12, Array(bytes[0..<8]) == Self.magic else { throw RadiatorError("the build report of \(name) is not a Spotfinder build file (bad header)") }
        let stored = UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11])
        let body = Array(bytes[12...])
        guard Zlib.crc32(body) == stored else { throw RadiatorError("the build report of \(name): checksum mismatch (file is corrupt or truncated)") }
        let m: StoredBuildReportMessage
        do { m = try StoredBuildReportMessage(serializedBytes: body) } catch { throw RadiatorError("the build report of \(name): \(error)") }
        guard m.formatVersion == Self.formatVersion else {
            throw RadiatorError("the build report of \(name): format version \(m.formatVersion) is not supported (this build reads \(Self.formatVersion))")
        }
        return m
    }

    public func revision(of name: String) -> UInt64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path(of: name))
        let mtime = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return UInt64(max(0, mtime * 1e6)) &+ saves.withLock { $0[name, default: 0] }
    }
}
