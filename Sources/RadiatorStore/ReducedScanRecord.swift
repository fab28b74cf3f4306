import RockingCurve

/// Why a reduced scan cannot be stored: the field at fault and what is allowed.
public struct ReducedScanError: Error, Equatable, Sendable, CustomStringConvertible {
    public let parameter: String
    public let message: String
    public init(_ parameter: String, _ message: String) {
        self.parameter = parameter
        self.message = message
    }
    public var description: String { "\(parameter): \(message)" }
}

/// What a scan was and how its reduction went: the manifest's facts (docs/rci-conventions.md),
/// the angles with the motor correction found, the method and what became of the pixels.
public struct ReducedScanFacts: Sendable, Equatable {
    public var name: String
    /// "thetah" or "thetav": the axis the crystal was rocked about.
    public var rocking: String
    /// "front" or "back": the face towards the beam.
    public var face: String
    public var sampleRotationDegrees: Double
    public var mirror: Bool
    public var pixelXMillimeters: Double
    public var pixelYMillimeters: Double
    /// Image columns and rows: every map is on this grid (row 0 the image's first row).
    public var width: Int
    public var height: Int
    /// Nominal rocking angle per image, µrad.
    public var anglesMicroradians: [Double]
    /// Per image, true angle = nominal + error (µrad); empty when no motor correction ran.
    public var motorErrorsMicroradians: [Double]
    public var method: PeakMethod
    /// The maps held (besides the validity), in `MapName` order.
    public var maps: [MapName]
    /// Pixels of each validity (derived from the validity map when the scan is stored).
    public var validityCounts: [PixelValidity: Int]
    public var reductionSeconds: Double
    public var motorCorrectionSeconds: Double
    public var notes: String
    /// The raw scan folder relative to the edge's scans root ("" when reduced elsewhere): where the
    /// page's curve view finds the pixel's raw rocking curve.
    public var folder: String = ""

    public init(name: String, rocking: String, face: String, sampleRotationDegrees: Double = 0, mirror: Bool = false,
                pixelXMillimeters: Double, pixelYMillimeters: Double, width: Int, height: Int, anglesMicroradians: [Double],
                motorErrorsMicroradians: [Double] = [], method: PeakMethod, maps: [MapName], validityCounts: [PixelValidity: Int] = [:],
                reductionSeconds: Double = 0, motorCorrectionSeconds: Double = 0, notes: String = "") {
        self.name = name; self.rocking = rocking; self.face = face; self.sampleRotationDegrees = sampleRotationDegrees
        self.mirror = mirror; self.pixelXMillimeters = pixelXMillimeters; self.pixelYMillimeters = pixelYMillimeters
        self.width = width; self.height = height; self.anglesMicroradians = anglesMicroradians
        self.motorErrorsMicroradians = motorErrorsMicroradians; self.method = method; self.maps = maps
        self.validityCounts = validityCounts; self.reductionSeconds = reductionSeconds
        self.motorCorrectionSeconds = motorCorrectionSeconds; self.notes = notes
    }

    public var pixelCount: Int { width * height }

    /// A camera of 2048 × 2048 pixels, the largest the beamlines use; its twelve maps are ~200 MB.
    public static let maxPixels = 2048 * 2048
    public static let maxImages = 100_000
    public static let maxNotesCharacters = 2000
    /// The name of the validity map in requests ("mask" in a reduction folder).
    public static let validityMapName = "validity"

    public func validate() throws(ReducedScanError) {
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("."),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ReducedScanError("name", "'\(name)' is not allowed: 1–64 letters, digits, '-', '_' or '.', not starting with '.'")
        }
        guard ["thetah", "thetav"].contains(rocking) else { throw ReducedScanError("rocking", "'\(rocking)': allowed thetah, thetav") }
        guard ["front", "back"].contains(face) else { throw ReducedScanError("face", "'\(face)': allowed front, back") }
        guard sampleRotationDegrees.isFinite, abs(sampleRotationDegrees) <= 360 else {
            throw ReducedScanError("sample_rotation_deg", "\(sampleRotationDegrees): allowed −360 to 360")
        }
        for (field, v) in [("pixel_x_mm", pixelXMillimeters), ("pixel_y_mm", pixelYMillimeters)] where !(v.isFinite && v > 0 && v <= 1) {
            throw ReducedScanError(field, "\(v): a camera pixel is a positive size up to 1 mm")
        }
        guard width >= 1, height >= 1, width <= Self.maxPixels, height <= Self.maxPixels, width * height <= Self.maxPixels else {
            throw ReducedScanError("width", "\(width) × \(height) pixels: at least 1 × 1, at most \(Self.maxPixels) pixels (2048 × 2048)")
        }
        guard (ScanFrames.minimumCount...Self.maxImages).contains(anglesMicroradians.count) else {
            throw ReducedScanError("angles_urad", "\(anglesMicroradians.count) images: allowed \(ScanFrames.minimumCount) to \(Self.maxImages)")
        }
        do throws(RockingCurveError) { _ = try ScanFrames(anglesMicroradians: anglesMicroradians) } catch {
            throw ReducedScanError("angles_urad", error.message)
        }
        guard motorErrorsMicroradians.isEmpty || motorErrorsMicroradians.count == anglesMicroradians.count else {
            throw ReducedScanError("motor_errors_urad", "\(motorErrorsMicroradians.count) errors for \(anglesMicroradians.count) images; one per image or none")
        }
        if let k = motorErrorsMicroradians.firstIndex(where: { !$0.isFinite || abs($0) > 1e6 }) {
            throw ReducedScanError("motor_errors_urad", "error \(k) is \(motorErrorsMicroradians[k]); must be finite (µrad, within ±10⁶)")
        }
        guard !maps.isEmpty, Set(maps).count == maps.count else {
            throw ReducedScanError("maps", "\(maps.map(\.rawValue)): name at least one map, each once")
        }
        for (field, v) in [("reduction_seconds", reductionSeconds), ("motor_correction_seconds", motorCorrectionSeconds)] where !(v.isFinite && v >= 0) {
            throw ReducedScanError(field, "\(v): a duration in seconds, ≥ 0")
        }
        guard folder.count <= 256, !folder.hasPrefix("/"), !folder.split(separator: "/").contains("..") else {
            throw ReducedScanError("folder", "'\(folder)': a folder relative to the scans root, without '..', at most 256 characters")
        }
        guard notes.count <= Self.maxNotesCharacters else {
            throw ReducedScanError("notes", "\(notes.count) characters; at most \(Self.maxNotesCharacters)")
        }
    }
}

/// A reduced rocking-curve scan as stored: its facts, its maps (width × height, row-major, NaN where a
/// pixel is invalid) and every pixel's validity.
public struct ReducedScanRecord: Sendable, Equatable {
    public var facts: ReducedScanFacts
    public var maps: [MapName: [Float]]
    public var validity: [PixelValidity]

    /// The scan, with `facts.maps` and `facts.validityCounts` taken from what it holds.
    public init(facts: ReducedScanFacts, maps: [MapName: [Float]], validity: [PixelValidity]) {
        var facts = facts
        facts.maps = MapName.allCases.filter { maps[$0] != nil }
        facts.validityCounts = [:]
        for v in validity { facts.validityCounts[v, default: 0] += 1 }
        self.facts = facts
        self.maps = maps
        self.validity = validity
    }

    public func validate() throws(ReducedScanError) {
        try facts.validate()
        let n = facts.pixelCount
        for name in facts.maps {
            let values = maps[name] ?? []
            guard values.count == n else {
                throw ReducedScanError(name.rawValue, "\(values.count) values for \(facts.width) × \(facts.height) pixels")
            }
            if let i = values.firstIndex(where: { $0.isInfinite }) {
                throw ReducedScanError(name.rawValue, "pixel \(i) (row \(i / facts.width), column \(i % facts.width)) is \(values[i]); values are finite, NaN where there is no data")
            }
        }
        guard validity.count == n else {
            throw ReducedScanError(ReducedScanFacts.validityMapName, "\(validity.count) values for \(facts.width) × \(facts.height) pixels")
        }
    }
}
