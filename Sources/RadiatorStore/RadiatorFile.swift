import Foundation
import Topography
import Wire
import Zlib

/// The on-disk form of one radiator: "SPOTRAD1", CRC-32 (big-endian) of the rest,
/// then a spotfinder.v1.StoredRadiator with zlib-compressed arrays.
public enum RadiatorFile {
    static let magic = Array("SPOTRAD1".utf8)
    static let formatVersion: UInt32 = 1

    public static func encode(_ r: Radiator) throws(RadiatorError) -> [UInt8] {
        var m = StoredRadiatorMessage()
        m.formatVersion = formatVersion
        m.name = r.name; m.crystal = r.crystal; m.thicknessUm = r.thicknessMicrons; m.notes = r.notes
        m.mountMaterial = r.mountMaterial; m.mountThicknessMm = r.mountThicknessMillimeters
        m.views = r.views.map { v in
            var s = StoredViewMessage()
            s.view = v.side.rawValue
            s.grid = GridMessage(originXMm: v.grid.originXMillimeters, originYMm: v.grid.originYMillimeters,
                                 pixelMm: v.grid.pixelMillimeters, columns: UInt32(v.grid.columns), rows: UInt32(v.grid.rows))
            s.thetahUradZlib = Zlib.compress(littleEndianBytes(v.thetaHMicroradians))
            s.thetavUradZlib = Zlib.compress(littleEndianBytes(v.thetaVMicroradians))
            s.maskZlib = Zlib.compress(Data(v.mask.map(\.rawValue)))
            return s
        }
        let body: [UInt8]
        do { body = try m.serializedBytes() } catch { throw RadiatorError("cannot encode radiator \(r.name): \(error)") }
        let crc = Zlib.crc32(body)
        return magic + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)] + body
    }

    /// Decode and check a file's bytes; `source` names it in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws(RadiatorError) -> Radiator {
        guard bytes.count >= 12, Array(bytes[0..<8]) == magic else {
            throw RadiatorError("\(source): not a Spotfinder radiator file (bad header)")
        }
        let stored = UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11])
        let body = Array(bytes[12...])
        guard Zlib.crc32(body) == stored else { throw RadiatorError("\(source): checksum mismatch (file is corrupt or truncated)") }
        let m: StoredRadiatorMessage
        do { m = try StoredRadiatorMessage(serializedBytes: body) } catch { throw RadiatorError("\(source): \(error)") }
        guard m.formatVersion == formatVersion else {
            throw RadiatorError("\(source): format version \(m.formatVersion) is not supported (this build reads \(formatVersion))")
        }
        var views: [RadiatorView] = []
        for s in m.views {
            guard let side = ViewSide(rawValue: s.view), let g = s.grid else { throw RadiatorError("\(source): a view lacks its side or grid") }
            let grid = TopographGrid(originXMillimeters: g.originXMm, originYMillimeters: g.originYMm, pixelMillimeters: g.pixelMm,
                                     columns: Int(g.columns), rows: Int(g.rows))
            guard let count = grid.checkedCount, count > 0 else { throw RadiatorError("\(source): \(s.view) view has an impossible grid") }
            guard count <= Radiator.maxPixels else {
                throw RadiatorError("\(source): \(s.view) view has \(grid.columns) × \(grid.rows) pixels: at most \(Radiator.maxPixels) can be served; re-import it at a coarser pixel")
            }
            func inflate(_ d: Data, _ size: Int, _ what: String) throws(RadiatorError) -> Data {
                do { return try Zlib.decompress(d, expectedSize: size) } catch {
                    throw RadiatorError("\(source): \(s.view) view, \(what): \(error)")
                }
            }
            let h = floats(try inflate(s.thetahUradZlib, grid.count * 4, "thetah_urad"))
            let v = floats(try inflate(s.thetavUradZlib, grid.count * 4, "thetav_urad"))
            let maskBytes = try inflate(s.maskZlib, grid.count, "mask")
            var mask: [SurfaceKind] = []
            mask.reserveCapacity(grid.count)
            for b in maskBytes {
                guard let k = SurfaceKind(rawValue: b) else { throw RadiatorError("\(source): mask value \(b) is not 0, 1 or 2") }
                mask.append(k)
            }
            views.append(RadiatorView(side: side, grid: grid, thetaHMicroradians: h, thetaVMicroradians: v, mask: mask))
        }
        // Files written before the mount fields existed read as the documented default holder.
        let r = Radiator(name: m.name, crystal: m.crystal, thicknessMicrons: m.thicknessUm, notes: m.notes, views: views,
                         mountMaterial: m.mountMaterial.isEmpty ? Radiator.defaultMountMaterial : m.mountMaterial,
                         mountThicknessMillimeters: m.mountThicknessMm ?? Radiator.defaultMountThicknessMillimeters)
        do { try r.validate() } catch { throw RadiatorError("\(source): \(error.message)") }
        return r
    }

    public static func littleEndianBytes(_ values: [Float]) -> Data {
        var d = Data(capacity: values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    public static func floats(_ data: Data) -> [Float] {
        data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
