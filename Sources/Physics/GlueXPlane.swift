import Foundation

/// The polarization plane in GlueX's words (the GlueX beamline paper, NIM A 987 (2021), and the
/// collaboration's run conventions): PARA and PERP are the plane of the photon's electric vector
/// parallel and perpendicular to the hall floor in the 0/90 setup (PARA 0°, PERP 90°), and in the
/// 45/135 setup, with the diamond turned by 45° about the beam, PARA at −45° (= 135°) and PERP at +45°.
/// Angles are Hall D's: x to beam left, y up, z along the beam (right-handed), the azimuth measured
/// from +x towards +y.
///
/// Spotfinder's beam view looks downstream with x to the **right** (README "Geometry"), so its x is
/// Hall D's −x and y is the same: a plane at azimuth φ in the beam view is at 180° − φ in Hall D,
/// folded into (−90°, 90°]. 0° and 90° are the same in both frames; the oblique planes swap:
/// beam-view 45° is Hall D −45° (PARA 45/135), beam-view 135° is Hall D +45° (PERP 45/135).
public struct GlueXPlane: Sendable, Hashable {
    public enum Name: String, Sendable, CaseIterable { case para = "PARA", perp = "PERP" }
    public enum Setup: String, Sendable, CaseIterable { case zeroNinety = "0/90", fortyFiveOneThirtyFive = "45/135" }

    /// A plane within this many degrees of a nominal GlueX plane gets its name (real diamonds sit a
    /// few degrees off their nominal azimuth; 5° never confuses two of the four, which are 45° apart).
    public static let toleranceDegrees = 5.0

    /// The nominal planes, Hall D degrees.
    public static let nominal: [(name: Name, setup: Setup, hallDDegrees: Double)] = [
        (.para, .zeroNinety, 0), (.perp, .zeroNinety, 90), (.para, .fortyFiveOneThirtyFive, -45), (.perp, .fortyFiveOneThirtyFive, 45),
    ]

    /// Azimuth of the plane in Hall D coordinates, degrees in (−90, 90].
    public let hallDDegrees: Double
    /// The GlueX name, when the plane is within `toleranceDegrees` of a nominal one.
    public let name: Name?
    public let setup: Setup?

    /// From a beam-view azimuth in degrees (any value; a plane has no sign).
    public init(beamViewDegrees: Double) {
        let hallD = Self.fold(180 - beamViewDegrees)
        hallDDegrees = hallD
        let match = Self.nominal.first { Self.separation(hallD, $0.hallDDegrees) <= Self.toleranceDegrees }
        name = match?.name
        setup = match?.setup
    }

    public init(_ azimuth: PolarizationAzimuth) { self.init(beamViewDegrees: azimuth.degrees) }

    /// "PARA 0/90", or nil for a plane GlueX has no name for.
    public var label: String? { name.map { "\($0.rawValue) \(setup!.rawValue)" } }

    /// "PARA 0/90 (Hall D 0.0°)" or "Hall D 23.4° (no GlueX name)".
    public var text: String {
        let angle = String(format: "Hall D %.1f°", abs(hallDDegrees) < 0.05 ? 0 : hallDDegrees)  // never "-0.0°"
        return label.map { "\($0) (\(angle))" } ?? "\(angle) (not a GlueX PARA/PERP plane)"
    }

    /// Angle folded into (−90°, 90°].
    public static func fold(_ degrees: Double) -> Double {
        var d = degrees.truncatingRemainder(dividingBy: 180)
        if d <= -90 { d += 180 }
        if d > 90 { d -= 180 }
        return abs(d) < 1e-9 ? 0 : d
    }

    /// Angle between two planes, degrees in [0, 90].
    public static func separation(_ a: Double, _ b: Double) -> Double { abs(fold(a - b)) }

    /// Which snap (the small angle in θH or in θV) gives the GlueX plane `name` with the crystal turned by
    /// θz: the original tool's snap_para radiates at beam-view 90° + θz, snap_perp at θz; the one nearer
    /// to a nominal plane of that name is chosen (at θz = 0 and 45°: PARA ← snap_perp, PERP ← snap_para).
    public static func snapPlane(for name: Name, thetaZMilliradians: Double) -> PolarizationPlane {
        let z = thetaZMilliradians * 1e-3 * 180 / Double.pi
        func distance(_ plane: PolarizationPlane) -> Double {
            let hallD = fold(180 - (plane == .para ? 90 + z : z))
            return nominal.filter { $0.name == name }.map { separation(hallD, $0.hallDDegrees) }.min()!
        }
        return distance(.perp) <= distance(.para) ? .perp : .para
    }
}

extension PolarizationAzimuth {
    /// The plane in Hall D coordinates and GlueX's words.
    public var gluex: GlueXPlane { GlueXPlane(self) }
}
