/// Bilinear interpolation of a view's tilt maps between pixel centres, with the
/// surface kind taken from the nearest pixel. Near the crystal's edge only
/// crystal pixels enter the interpolation, so mount or empty pixels never
/// leak meaningless tilts in.
struct TiltSampler {
    let view: RadiatorView

    enum Sample {
        case crystal(thetaH: Double, thetaV: Double)  // µrad
        case mount
        case nothing
    }

    @inline(__always)
    func sample(x: Double, y: Double) -> Sample {
        let g = view.grid
        let fx = (x - g.originXMillimeters) / g.pixelMillimeters
        let fy = (y - g.originYMillimeters) / g.pixelMillimeters
        let nx = Int((fx + 0.5).rounded(.down)), ny = Int((fy + 0.5).rounded(.down))
        guard nx >= 0, ny >= 0, nx < g.columns, ny < g.rows else { return .nothing }
        switch view.mask[ny * g.columns + nx] {
        case .nothing: return .nothing
        case .mount: return .mount
        case .crystal: break
        }
        let x0 = min(max(Int(fx.rounded(.down)), 0), g.columns - 2), y0 = min(max(Int(fy.rounded(.down)), 0), g.rows - 2)
        let tx = min(max(fx - Double(x0), 0), 1), ty = min(max(fy - Double(y0), 0), 1)
        var h = 0.0, v = 0.0, w = 0.0
        for (dx, dy, weight) in [(0, 0, (1 - tx) * (1 - ty)), (1, 0, tx * (1 - ty)), (0, 1, (1 - tx) * ty), (1, 1, tx * ty)] {
            let i = (y0 + dy) * g.columns + x0 + dx
            guard weight > 0, view.mask[i] == .crystal else { continue }
            h += weight * Double(view.thetaHMicroradians[i])
            v += weight * Double(view.thetaVMicroradians[i])
            w += weight
        }
        guard w > 0 else {
            let i = ny * g.columns + nx
            return .crystal(thetaH: Double(view.thetaHMicroradians[i]), thetaV: Double(view.thetaVMicroradians[i]))
        }
        return .crystal(thetaH: h / w, thetaV: v / w)
    }
}
