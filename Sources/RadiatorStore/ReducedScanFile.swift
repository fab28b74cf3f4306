import Foundation
import RockingCurve
import Wire
import Zlib

/// The on-disk form of one reduced scan: "SPOTSCN1", CRC-32 (big-endian) of the rest, then a
/// spotfinder.v1.StoredReducedScan whose maps (little-endian float32) and validity (a byte a pixel)
/// are each zlib-compressed, so one map can be inflated without the others.
public enum ReducedScanFile {
    static let magic = Array("SPOTSCN1".utf8)
    static let formatVersion: UInt32 = 1

    public static func encode(_ scan: ReducedScanRecord) throws(ReducedScanError) -> [UInt8] {
        var m = StoredReducedScanMessage()
        m.formatVersion = formatVersion
        m.facts = ReducedScanFactsMessage(scan.facts)
        m.maps = scan.facts.maps.map { StoredMapMessage(name: $0.rawValue, valuesZlib: Zlib.compress(RadiatorFile.littleEndianBytes(scan.maps[$0] ?? []))) }
        m.validityZlib = Zlib.compress(Data(scan.validity.map(\.rawValue)))
        let body: [UInt8]
        do { body = try m.serializedBytes() } catch { throw ReducedScanError("scan", "cannot encode \(scan.facts.name): \(error)") }
        let crc = Zlib.crc32(body)
        return magic + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)] + body
    }

    /// A checked file, its maps still compressed: reading one map inflates only that one.
    public struct Contents: Sendable {
        public let facts: ReducedScanFacts
        let compressedMaps: [MapName: Data]
        let compressedValidity: Data
        let source: String

        /// One map's values (`ReducedScanFacts.validityMapName` gives the validity codes as numbers).
        public func values(of map: String) throws(ReducedScanError) -> [Float] {
            let n = facts.pixelCount
            if map == ReducedScanFacts.validityMapName {
                return try inflate(compressedValidity, size: n, map).map { Float($0) }
            }
            guard let name = MapName(rawValue: map), let data = compressedMaps[name] else {
                throw ReducedScanError("map", "'\(map)': \(facts.name) holds \((facts.maps.map(\.rawValue) + [ReducedScanFacts.validityMapName]).joined(separator: ", "))")
            }
            return RadiatorFile.floats(try inflate(data, size: 4 * n, map))
        }

        /// The whole scan (every map inflated and checked).
        public func scan() throws(ReducedScanError) -> ReducedScanRecord {
            var maps: [MapName: [Float]] = [:]
            for name in facts.maps { maps[name] = try values(of: name.rawValue) }
            var validity: [PixelValidity] = []
            for b in try inflate(compressedValidity, size: facts.pixelCount, ReducedScanFacts.validityMapName) {
                guard let v = PixelValidity(rawValue: b) else { throw ReducedScanError("validity", "\(source): code \(b) is not 0 to 6") }
                validity.append(v)
            }
            let scan = ReducedScanRecord(facts: facts, maps: maps, validity: validity)
            do { try scan.validate() } catch { throw ReducedScanError(error.parameter, "\(source): \(error.message)") }
            return scan
        }

        private func inflate(_ d: Data, size: Int, _ what: String) throws(ReducedScanError) -> Data {
            do { return try Zlib.decompress(d, expectedSize: size) } catch {
                throw ReducedScanError(what, "\(source): \(error)")
            }
        }
    }

    /// Decode and check a file's bytes (header, checksum, version, facts); `source` names it in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws(ReducedScanError) -> Contents {
        guard bytes.count >= 12, Array(bytes[0..<8]) == magic else {
            throw ReducedScanError("file", "\(source): not a Spotfinder reduced-scan file (bad header)")
        }
        let stored = UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11])
        let body = Array(bytes[12...])
        guard Zlib.crc32(body) == stored else { throw ReducedScanError("file", "\(source): checksum mismatch (file is corrupt or truncated)") }
        let m: StoredReducedScanMessage
        do { m = try StoredReducedScanMessage(serializedBytes: body) } catch { throw ReducedScanError("file", "\(source): \(error)") }
        guard m.formatVersion == formatVersion else {
            throw ReducedScanError("file", "\(source): format version \(m.formatVersion) is not supported (this build reads \(formatVersion))")
        }
        guard let factsMessage = m.facts else { throw ReducedScanError("facts", "\(source): the file has no facts") }
        let facts: ReducedScanFacts
        do { facts = try ReducedScanFacts(factsMessage); try facts.validate() } catch {
            throw ReducedScanError(error.parameter, "\(source): \(error.message)")
        }
        var maps: [MapName: Data] = [:]
        for s in m.maps {
            guard let name = MapName(rawValue: s.name), facts.maps.contains(name) else {
                throw ReducedScanError("maps", "\(source): map '\(s.name)' is not one of the facts' maps")
            }
            maps[name] = s.valuesZlib
        }
        guard maps.count == facts.maps.count else { throw ReducedScanError("maps", "\(source): \(facts.maps.count - maps.count) maps are missing") }
        return Contents(facts: facts, compressedMaps: maps, compressedValidity: m.validityZlib, source: source)
    }
}

// The facts travel in the same message on the wire and on disk: one mapping for both.
extension ReducedScanFactsMessage {
    public init(_ f: ReducedScanFacts) {
        self.init()
        name = f.name; rocking = f.rocking; face = f.face; sampleRotationDeg = f.sampleRotationDegrees; mirror = f.mirror
        pixelXMm = f.pixelXMillimeters; pixelYMm = f.pixelYMillimeters; width = UInt32(f.width); height = UInt32(f.height)
        anglesUrad = f.anglesMicroradians; motorErrorsUrad = f.motorErrorsMicroradians; method = f.method.rawValue
        maps = f.maps.map(\.rawValue)
        validityCounts = PixelValidity.allCases.compactMap { v in f.validityCounts[v].map { ValidityCountMessage(reason: v.name, pixels: UInt64($0)) } }
        reductionSeconds = f.reductionSeconds; motorCorrectionSeconds = f.motorCorrectionSeconds; notes = f.notes; folder = f.folder
    }
}

extension ReducedScanFacts {
    /// The facts of a message, names checked (`validate` checks the values).
    public init(_ m: ReducedScanFactsMessage) throws(ReducedScanError) {
        guard let method = PeakMethod(rawValue: m.method) else {
            throw ReducedScanError("method", "'\(m.method)': allowed \(PeakMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var maps: [MapName] = []
        for name in m.maps where name != Self.validityMapName {
            guard let map = MapName(rawValue: name) else {
                throw ReducedScanError("maps", "'\(name)' is not a map: allowed \(MapName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            maps.append(map)
        }
        var counts: [PixelValidity: Int] = [:]
        for c in m.validityCounts {
            guard let v = PixelValidity.allCases.first(where: { $0.name == c.reason }) else {
                throw ReducedScanError("validity_counts", "'\(c.reason)' is not a pixel validity")
            }
            counts[v] = Int(clamping: c.pixels)
        }
        self.init(name: m.name, rocking: m.rocking, face: m.face, sampleRotationDegrees: m.sampleRotationDeg, mirror: m.mirror,
                  pixelXMillimeters: m.pixelXMm, pixelYMillimeters: m.pixelYMm, width: Int(m.width), height: Int(m.height),
                  anglesMicroradians: m.anglesUrad, motorErrorsMicroradians: m.motorErrorsUrad, method: method,
                  maps: MapName.allCases.filter(maps.contains), validityCounts: counts, reductionSeconds: m.reductionSeconds,
                  motorCorrectionSeconds: m.motorCorrectionSeconds, notes: m.notes)
        folder = m.folder
    }
}
