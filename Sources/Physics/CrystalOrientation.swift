import Foundation

/// The crystal's orientation relative to the beam (z along the beam).
///
/// The crystal starts with [100] along the beam and [011] vertical; then the
/// goniometer angles are applied as passive rotations, θz first, then θy
/// (`rad_thetav`), then θx (`rad_thetah`), exactly as the reference model does.
public struct CrystalOrientation: Sendable, Hashable {
    /// Rotation about x, rad (`rad_thetah`).
    public var thetaHRadians: Double
    /// Rotation about y, rad (`rad_thetav`).
    public var thetaVRadians: Double
    /// Rotation about the beam axis, rad.
    public var thetaZRadians: Double

    public init(thetaHRadians: Double, thetaVRadians: Double, thetaZRadians: Double = 0) {
        self.thetaHRadians = thetaHRadians
        self.thetaVRadians = thetaVRadians
        self.thetaZRadians = thetaZRadians
    }

    public init(thetaHMilliradians: Double, thetaVMilliradians: Double, thetaZMilliradians: Double = 0) {
        self.init(thetaHRadians: thetaHMilliradians * 1e-3, thetaVRadians: thetaVMilliradians * 1e-3,
                  thetaZRadians: thetaZMilliradians * 1e-3)
    }

    /// The same orientation tilted by small extra angles (a point of the topograph).
    public func tilted(byH dH: Double, byV dV: Double) -> CrystalOrientation {
        CrystalOrientation(thetaHRadians: thetaHRadians + dH, thetaVRadians: thetaVRadians + dV,
                           thetaZRadians: thetaZRadians)
    }

    /// Rows of the matrix taking crystal (h,k,l) to lab (x,y,z) components.
    public var rotationRows: (x: SIMD3<Double>, y: SIMD3<Double>, z: SIMD3<Double>) {
        var m = Matrix3.identity
        m = Matrix3.rotationY(Double.pi / 2) * m       // [100] along the beam
        m = Matrix3.rotationZ(Double.pi / 4) * m       // [011] vertical
        m = Matrix3.rotationZ(-thetaZRadians) * m
        m = Matrix3.rotationY(-thetaVRadians) * m
        m = Matrix3.rotationX(-thetaHRadians) * m
        return (m.r0, m.r1, m.r2)
    }
}

/// A 3×3 matrix stored by rows; passive rotations as in the reference's `RotateTarget`.
struct Matrix3 {
    var r0: SIMD3<Double>, r1: SIMD3<Double>, r2: SIMD3<Double>

    static let identity = Matrix3(r0: [1, 0, 0], r1: [0, 1, 0], r2: [0, 0, 1])

    static func rotationX(_ t: Double) -> Matrix3 {
        Matrix3(r0: [1, 0, 0], r1: [0, cos(t), sin(t)], r2: [0, -sin(t), cos(t)])
    }
    static func rotationY(_ t: Double) -> Matrix3 {
        Matrix3(r0: [cos(t), 0, -sin(t)], r1: [0, 1, 0], r2: [sin(t), 0, cos(t)])
    }
    static func rotationZ(_ t: Double) -> Matrix3 {
        Matrix3(r0: [cos(t), sin(t), 0], r1: [-sin(t), cos(t), 0], r2: [0, 0, 1])
    }

    static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        func row(_ r: SIMD3<Double>) -> SIMD3<Double> { r.x * b.r0 + r.y * b.r1 + r.z * b.r2 }
        return Matrix3(r0: row(a.r0), r1: row(a.r1), r2: row(a.r2))
    }
}
