/// The radiator surface implied by its tilts: the height z (nm) over the crystal whose gradient best
/// matches the maps, ∂z/∂y = θH and ∂z/∂x = −θV (µrad × mm = nm), in the least-squares sense on the crystal
/// mask (its real outline, holes included), mean height zero on each piece. Solved by
/// `SurfaceIntegration` (multigrid-preconditioned conjugate gradients: ~0.4 s for 850 × 850, where the
/// successive over-relaxation this replaced needed thousands of sweeps).
public enum ElevationMap {
    public static func compute(_ view: RadiatorView) -> [Float] {
        let g = view.grid
        let mask = view.mask.map { $0 == .crystal }
        let gx = (0..<g.count).map { mask[$0] ? -Double(view.thetaVMicroradians[$0]) : 0 }
        let gy = (0..<g.count).map { mask[$0] ? Double(view.thetaHMicroradians[$0]) : 0 }
        let z = SurfaceIntegration.integrate(gradientX: gx, gradientY: gy, mask: mask, columns: g.columns, rows: g.rows, pixel: g.pixelMillimeters).height
        return z.map { $0.isFinite ? Float($0) : .nan }
    }
}
