import Foundation

/// The part of the Kaune et al. coherent term that depends only on the photon
/// energy fraction x and the production angle θ² (units of (m_e/E)²), not on
/// which reciprocal lattice vector produced it.
///
/// A vector g with q_z > 0 radiates at x only below its kinematic limit
/// x_max = w/(1+w), w = 2E q_z/m_e², at θ² = w(1−x)/x − 1. Its contribution
/// is weight(g) · density(x, θ²), summed over the reference's two azimuths.
struct CoherentKinematics: Sendable {
    let acceptance: CollimatorAcceptance

    /// cos²φ and (cosφ sinφ)² at the reference's azimuth points φ = π/8, 3π/8.
    private static let cos2 = (pow(cos(Double.pi / 8), 2), pow(cos(3 * Double.pi / 8), 2))
    private static let cosSin2 = pow(cos(Double.pi / 8) * sin(Double.pi / 8), 2)

    /// (unpolarized, linearly polarized) density per unit reflection weight.
    @inline(__always)
    func density(x: Double, theta2: Double) -> (total: Double, polarized: Double) {
        let acc = acceptance.acceptance(theta2: theta2)
        if acc == 0 { return (0, 0) }
        let opt = 1 + theta2
        let omx = 1 - x
        let base = omx / pow(x * opt + 1e-99, 2) * acc
        let a = 1 + omx * omx
        let b = 8 * theta2 / (opt * opt) * omx
        let para0 = 0.5 * pow((2 - x) * opt, 2)
        let ortho0 = 0.5 * pow(x * opt, 2)
        let cross = 8 * theta2 * theta2 * omx * Self.cosSin2
        var total = 0.0, polarized = 0.0
        for c2 in [Self.cos2.0, Self.cos2.1] {
            let d = a - b * c2
            let rPara = para0 - 8 * theta2 * omx * c2 - cross
            let rOrtho = ortho0 + cross
            total += d
            polarized += d * (rPara - rOrtho) / (rPara + rOrtho)
        }
        // Azimuthal integral 2π/npoints with npoints = 2.
        return (Double.pi * base * total, Double.pi * base * polarized)
    }
}
