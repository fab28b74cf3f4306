import Topography

/// The aligned scans of one face: a θH and a θV scan, each optionally with its complementary scan.
struct ViewScans: Sendable {
    let side: ViewSide
    /// Indices into the build's aligned-scan list.
    let h: Int
    let v: Int
    let hComplement: Int?
    let vComplement: Int?
}

/// The instrument terms the combination needs: χ per scan (complementary scans share their partner's) and
/// the dispersion ramp per scan.
struct InstrumentTerms: Sendable, Equatable {
    var chiRadians: [Double]
    var dispersion: [Double]
}

/// Front-view tilt maps of one face, µrad (NaN where a scan had no valid peak), and the d-spacing terms
/// (half the sum of complementary scans) where there are complementary scans.
struct ViewTilts: Sendable {
    var thetaH: [Float]
    var thetaV: [Float]
    var dSpacingH: [Float]?
    var dSpacingV: [Float]?
}

enum TiltCombination {
    /// Per pixel: each scan measures s·t + its dispersion ramp + a constant (s its sensitivity vector in its
    /// face's frame); a complementary pair is first turned into half difference (tilt) and half sum
    /// (d-spacing). The two measurements are solved for t, and a back face's t is turned over to the front
    /// frame (θH → −θH).
    ///
    /// `scaledByDeterminant`: t·|det| instead of t (det of the 2 × 2 mixing). Its noise power does not depend on
    /// χ, so a fit of χ on it has no noise-driven pull towards χ_h = χ_v (t's noise grows as 1/cos²(χ_h − χ_v)).
    static func tilts(_ view: ViewScans, scans: [AlignedScan], terms: InstrumentTerms, pixels: [Int]? = nil,
                      scaledByDeterminant: Bool = false) -> ViewTilts {
        let n = scans[view.h].peak.count
        func measurement(_ main: Int, _ complement: Int?) -> (values: [Float], sensitivity: (h: Double, v: Double), dSpacing: [Float]?) {
            let s = scans[main]
            let a = s.prepared.geometry.sensitivity(chiRadians: terms.chiRadians[main])
            var values = [Float](repeating: .nan, count: n)
            let d = Float(terms.dispersion[main])
            guard let c = complement else {
                for i in pixels ?? Array(0..<n) { values[i] = s.peak[i] - d * s.cameraU[i] }
                return (values, a, nil)
            }
            let partner = scans[c]
            let ac = partner.prepared.geometry.sensitivity(chiRadians: terms.chiRadians[main])
            let dc = Float(terms.dispersion[c])
            var sums = [Float](repeating: .nan, count: n)
            for i in pixels ?? Array(0..<n) {
                let m = s.peak[i] - d * s.cameraU[i], mc = partner.peak[i] - dc * partner.cameraU[i]
                values[i] = (m - mc) / 2
                sums[i] = (m + mc) / 2
            }
            return (values, ((a.h - ac.h) / 2, (a.v - ac.v) / 2), sums)
        }
        let mh = measurement(view.h, view.hComplement), mv = measurement(view.v, view.vComplement)
        let a = mh.sensitivity, b = mv.sensitivity
        let det = a.h * b.v - a.v * b.h
        var th = [Float](repeating: .nan, count: n), tv = th
        let flip: Float = view.side == .back ? -1 : 1
        if abs(det) > 1e-9 {
            let divisor = scaledByDeterminant ? (det < 0 ? -1 : 1) : det
            for i in pixels ?? Array(0..<n) {
                let x = Double(mh.values[i]), y = Double(mv.values[i])
                guard x.isFinite, y.isFinite else { continue }
                th[i] = flip * Float((b.v * x - a.v * y) / divisor)
                tv[i] = Float((a.h * y - b.h * x) / divisor)
            }
        }
        return ViewTilts(thetaH: th, thetaV: tv, dSpacingH: mh.dSpacing, dSpacingV: mv.dSpacing)
    }

    /// Curl of the gradient field g = (∂z/∂x, ∂z/∂y) = (−θV, θH), µrad/mm, per plaquette of four valid
    /// pixels: the circulation around the square over its area, stored at its lower-left pixel (NaN elsewhere).
    static func curl(thetaH: [Float], thetaV: [Float], mask: [Bool], columns: Int, rows: Int, pixel: Double, stride: Int = 1) -> [Float] {
        var out = [Float](repeating: .nan, count: columns * rows)
        for row in Swift.stride(from: 0, to: rows - 1, by: stride) {
            for column in Swift.stride(from: 0, to: columns - 1, by: stride) {
                let a = row * columns + column, b = a + 1, c = a + columns, d = c + 1
                guard mask[a], mask[b], mask[c], mask[d] else { continue }
                let gxBottom = -(thetaV[a] + thetaV[b]) / 2, gxTop = -(thetaV[c] + thetaV[d]) / 2
                let gyLeft = (thetaH[a] + thetaH[c]) / 2, gyRight = (thetaH[b] + thetaH[d]) / 2
                out[a] = Float((Double(gxBottom - gxTop) + Double(gyRight - gyLeft)) / pixel)
            }
        }
        return out
    }
}
