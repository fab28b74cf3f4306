import Foundation

/// The plane of linear polarization of a coherent spectrum, seen looking
/// downstream (beam view, x to the right, y up): the azimuth of the dominant
/// reflection's transverse momentum transfer q_T, along which the photon's
/// electric vector lies, folded into [0°, 180°) (a plane has no sign).
///
/// With the reference's crystal frame ([011] vertical) the original tool's "snap_para"
/// (small θH, θV tip) radiates its edge from the vertical (0 2 2)-type planes'
/// reciprocal vector, so its plane is vertical (90°): GlueX PERP. "snap_perp" gives
/// horizontal (0°): GlueX PARA. `gluex` names the plane in Hall D coordinates.
public struct PolarizationAzimuth: Sendable, Hashable {
    public enum Label: String, Sendable { case horizontal, vertical, oblique }

    /// Azimuth of the polarization plane from the horizontal (x), counter-clockwise in beam view, degrees in [0, 180).
    public let degrees: Double
    /// The dominant reflection (h, k, l).
    public let hkl: SIMD3<Double>

    /// Within this many degrees of 0° or 90° the plane is called horizontal or vertical.
    public static let labelToleranceDegrees = 0.5

    public init(qx: Double, qy: Double, hkl: SIMD3<Double>) {
        var d = atan2(qy, qx) * 180 / Double.pi
        d = d.truncatingRemainder(dividingBy: 180)
        if d < 0 { d += 180 }
        if d >= 180 - 1e-9 { d = 0 }
        degrees = abs(d) < 1e-9 ? 0 : d
        self.hkl = hkl
    }

    public var label: Label {
        if min(degrees, 180 - degrees) <= Self.labelToleranceDegrees { return .horizontal }
        if abs(degrees - 90) <= Self.labelToleranceDegrees { return .vertical }
        return .oblique
    }

    /// "vertical (90.0°)", "oblique (37.2°)": for titles and JSON.
    public var text: String { String(format: "%@ (%.1f°)", label.rawValue, degrees) }
}
