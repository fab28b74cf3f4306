/// Why a radiator cannot be accepted, naming the field and what is allowed.
public struct RadiatorError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Radiator {
    /// Largest tilt a topograph may report: beyond this the data is not a crystal's, µrad.
    public static let maxTiltMicroradians: Float = 20_000

    /// The RPC frame limit, bytes (`Framing.defaultMaxFrameBytes`; a test keeps the two equal).
    public static let frameBytes = 16 << 20
    /// Room in a frame for everything but the per-pixel arrays: envelope, summary with its notes, titles, grid.
    public static let messageOverheadBytes = 64 << 10
    /// What one pixel costs in the largest message that carries a view whole: the store's GetView answer
    /// (θH and θV as 4-byte floats, a mask byte) and the plot-renderer's map request for the pictures
    /// (an 8-byte double, a mask byte) both cost 9 bytes.
    public static let wireBytesPerPixel = 9
    /// Largest view accepted: exactly what can be served in one frame (1,856,853 pixels, e.g. 1362 × 1363).
    /// Importing more would make a radiator that is stored but answers errors forever.
    public static let maxPixels = (frameBytes - messageOverheadBytes) / wireBytesPerPixel
    public static let pixelMillimetersRange = 0.001...1.0
    /// Origins within this of the beam axis, mm.
    public static let maxOriginMillimeters = 100.0
    public static let maxNotesCharacters = 2000

    /// Check everything a physicist's import could get wrong.
    public func validate() throws(RadiatorError) {
        guard !name.isEmpty, name.count <= 64, name != "ideal", !name.hasPrefix("."),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw RadiatorError("name '\(name)' is not allowed: 1–64 letters, digits, '-', '_' or '.', not 'ideal', not starting with '.'")
        }
        guard ["diamond", "silicon"].contains(crystal) else {
            throw RadiatorError("crystal '\(crystal)' is not known: must be diamond or silicon")
        }
        guard thicknessMicrons.isFinite, thicknessMicrons >= 1, thicknessMicrons <= 5000 else {
            throw RadiatorError("thickness_um = \(thicknessMicrons) is out of range: must be in [1, 5000] µm")
        }
        guard Self.mountMaterials.contains(mountMaterial) else {
            throw RadiatorError("mount_material '\(mountMaterial)' is not known: must be one of \(Self.mountMaterials.joined(separator: ", "))")
        }
        guard mountThicknessMillimeters.isFinite, mountThicknessMillimeters >= 0, mountThicknessMillimeters <= Self.maxMountThicknessMillimeters else {
            throw RadiatorError("mount_thickness_mm = \(mountThicknessMillimeters) is out of range: must be in [0, \(Int(Self.maxMountThicknessMillimeters))] mm")
        }
        guard notes.unicodeScalars.count <= Self.maxNotesCharacters else {
            throw RadiatorError("notes has \(notes.unicodeScalars.count) characters: at most \(Self.maxNotesCharacters)")
        }
        guard !views.isEmpty else { throw RadiatorError("radiator \(name) has no views: give at least the front") }
        guard Set(views.map(\.side)).count == views.count else { throw RadiatorError("radiator \(name) has the same view twice") }
        for v in views {
            let g = v.grid, label = "\(name) \(v.side.rawValue) view"
            guard g.columns >= 2, g.rows >= 2 else {
                throw RadiatorError("\(label): grid columns × rows = \(g.columns) × \(g.rows): must be at least 2 × 2")
            }
            guard let count = g.checkedCount, count <= Self.maxPixels else {
                throw RadiatorError("\(label): grid columns × rows = \(g.columns) × \(g.rows) is too large: at most \(Self.maxPixels) pixels (what one \(Self.frameBytes >> 20) MiB RPC message can serve)")
            }
            guard g.pixelMillimeters.isFinite, Self.pixelMillimetersRange.contains(g.pixelMillimeters) else {
                throw RadiatorError("\(label): pixel_mm = \(g.pixelMillimeters) is out of range: must be in [\(Self.pixelMillimetersRange.lowerBound), \(Self.pixelMillimetersRange.upperBound)] mm")
            }
            for (field, v) in [("origin_x_mm", g.originXMillimeters), ("origin_y_mm", g.originYMillimeters)] {
                guard v.isFinite, abs(v) <= Self.maxOriginMillimeters else {
                    throw RadiatorError("\(label): \(field) = \(v) is out of range: must be within ±\(Int(Self.maxOriginMillimeters)) mm")
                }
            }
            for (field, array) in [("thetah_urad", v.thetaHMicroradians.count), ("thetav_urad", v.thetaVMicroradians.count), ("mask", v.mask.count)] where array != g.count {
                throw RadiatorError("\(label): \(field) has \(array) values but the grid has \(g.columns) × \(g.rows) = \(g.count) pixels")
            }
            var crystalPixels = 0
            for i in 0..<g.count where v.mask[i] == .crystal {
                crystalPixels += 1
                for (field, t) in [("thetah_urad", v.thetaHMicroradians[i]), ("thetav_urad", v.thetaVMicroradians[i])] {
                    guard t.isFinite else {
                        throw RadiatorError("\(label): \(field) at column \(i % g.columns), row \(i / g.columns) is not a number, but the mask says crystal there")
                    }
                    guard abs(t) <= Self.maxTiltMicroradians else {
                        throw RadiatorError("\(label): \(field) = \(t) µrad at column \(i % g.columns), row \(i / g.columns) is absurd: must be within ±\(Int(Self.maxTiltMicroradians)) µrad")
                    }
                }
            }
            guard crystalPixels > 0 else { throw RadiatorError("\(label): the mask has no crystal pixels") }
        }
    }
}

extension TopographGrid {
    /// columns × rows, or nil when a side is negative or the product overflows (hostile imports and messages).
    public var checkedCount: Int? {
        guard columns >= 0, rows >= 0 else { return nil }
        let (n, overflow) = columns.multipliedReportingOverflow(by: rows)
        return overflow ? nil : n
    }
}
