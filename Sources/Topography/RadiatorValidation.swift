/// Why a radiator cannot be accepted, naming the field and what is allowed.
public struct RadiatorError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Radiator {
    /// Largest tilt a topograph may report: beyond this the data is not a crystal's, µrad.
    public static let maxTiltMicroradians: Float = 20_000
    public static let maxPixels = 4_000_000

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
        guard !views.isEmpty else { throw RadiatorError("radiator \(name) has no views: give at least the front") }
        guard Set(views.map(\.side)).count == views.count else { throw RadiatorError("radiator \(name) has the same view twice") }
        for v in views {
            let g = v.grid, label = "\(name) \(v.side.rawValue) view"
            guard g.columns >= 2, g.rows >= 2, g.count <= Self.maxPixels else {
                throw RadiatorError("\(label): grid of \(g.columns) × \(g.rows) pixels: must be at least 2 × 2 and at most \(Self.maxPixels) pixels")
            }
            guard g.pixelMillimeters.isFinite, g.pixelMillimeters >= 0.001, g.pixelMillimeters <= 1 else {
                throw RadiatorError("\(label): pixel_mm = \(g.pixelMillimeters) is out of range: must be in [0.001, 1] mm")
            }
            guard g.originXMillimeters.isFinite, g.originYMillimeters.isFinite, abs(g.originXMillimeters) <= 100, abs(g.originYMillimeters) <= 100 else {
                throw RadiatorError("\(label): origin must be finite and within ±100 mm")
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
