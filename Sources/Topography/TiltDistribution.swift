import Foundation
import Physics

/// The tilt histogram's extent and bin, mrad.
public struct TiltHistogramSpec: Sendable, Hashable {
    public var rangeMilliradians: Double
    public var binMilliradians: Double
    public init(rangeMilliradians: Double = 1, binMilliradians: Double = 0.01) {
        self.rangeMilliradians = rangeMilliradians
        self.binMilliradians = binMilliradians
    }
    public var binsPerAxis: Int { max(1, Int((rangeMilliradians / binMilliradians).rounded())) }
}

/// What the beam spot sees of a radiator view: the intensity-weighted tilt
/// distribution, where the beam goes (crystal, mount, nowhere), the moments, the
/// weighted orientation list for the physics, and the intensity overlay.
public struct TiltDistribution: Sendable {
    /// Lower edges of the histogram, mrad; it is centred on the crystal's mean tilt.
    public let thetaHMinMilliradians: Double
    public let thetaVMinMilliradians: Double
    public let binMilliradians: Double
    public let bins: Int
    /// bins × bins, row-major with θV as the row, normalised to 1 over the crystal part of the beam.
    public let weights: [Double]
    public let fractionOnCrystal: Double
    public let fractionOnMount: Double
    public let fractionOutside: Double
    /// Intensity-weighted mean and rms tilt over the crystal under the beam, mrad.
    public let meanThetaHMilliradians: Double
    public let meanThetaVMilliradians: Double
    public let rmsThetaHMilliradians: Double
    public let rmsThetaVMilliradians: Double
    /// One sample per occupied histogram bin, at the intensity-weighted centroid of the
    /// tilts that fell in it (offsets in mrad, weights summing to 1). Tilts outside the
    /// histogram's range still count here, in a bin of their own.
    public let samples: [TiltSample]
    /// Beam intensity per topograph pixel (same grid as the view), peak 1.
    public let overlay: [Float]
    public let sampledPoints: Int

    /// Part of the on-crystal beam whose tilt falls outside the histogram's range (still in `samples`):
    /// a hint to widen rad_tilt_range.
    public var fractionOutsideHistogram: Double {
        fractionOnCrystal > 0 ? max(0, 1 - weights.reduce(0, +)) : 0
    }

    /// A distribution computed elsewhere (received over the wire).
    public init(thetaHMinMilliradians: Double, thetaVMinMilliradians: Double, binMilliradians: Double, bins: Int, weights: [Double],
                fractionOnCrystal: Double, fractionOnMount: Double, fractionOutside: Double,
                meanThetaHMilliradians: Double, meanThetaVMilliradians: Double, rmsThetaHMilliradians: Double, rmsThetaVMilliradians: Double,
                samples: [TiltSample], overlay: [Float], sampledPoints: Int) {
        self.thetaHMinMilliradians = thetaHMinMilliradians
        self.thetaVMinMilliradians = thetaVMinMilliradians
        self.binMilliradians = binMilliradians
        self.bins = bins
        self.weights = weights
        self.fractionOnCrystal = fractionOnCrystal
        self.fractionOnMount = fractionOnMount
        self.fractionOutside = fractionOutside
        self.meanThetaHMilliradians = meanThetaHMilliradians
        self.meanThetaVMilliradians = meanThetaVMilliradians
        self.rmsThetaHMilliradians = rmsThetaHMilliradians
        self.rmsThetaVMilliradians = rmsThetaVMilliradians
        self.samples = samples
        self.overlay = overlay
        self.sampledPoints = sampledPoints
    }

    /// Integrate the beam spot over the view (to 5 σ, at the spot's sampling step).
    public init(view: RadiatorView, placement: RadiatorPlacement, spot: BeamSpot, histogram: TiltHistogramSpec) {
        let g = view.grid
        let sampler = TiltSampler(view: view)
        let stats = view.crystalStatistics
        let n = histogram.binsPerAxis
        let bin = histogram.binMilliradians
        let minH = stats.meanH * 1e-3 - Double(n) * bin / 2, minV = stats.meanV * 1e-3 - Double(n) * bin / 2
        var hist = [Double](repeating: 0, count: n * n)
        // Per-bin Σw·θH, Σw·θV (centroids); tilts beyond the histogram's range in a side table.
        var sumH = [Double](repeating: 0, count: n * n), sumV = [Double](repeating: 0, count: n * n)
        var outside: [Int64: (w: Double, h: Double, v: Double)] = [:]
        var overlay = [Float](repeating: 0, count: g.count)
        var total = 0.0, onCrystal = 0.0, onMount = 0.0
        var sh = 0.0, sv = 0.0, shh = 0.0, svv = 0.0
        let step = spot.stepMillimeters
        let mx = Int((BeamSpot.reachSigmas * spot.sigmaXMillimeters / step).rounded(.up))
        let my = Int((BeamSpot.reachSigmas * spot.sigmaYMillimeters / step).rounded(.up))
        let centre = g.centre
        var points = 0
        for j in -my...my {
            let y = Double(j) * step
            for i in -mx...mx {
                let x = Double(i) * step
                let w = spot.intensity(x: x, y: y)
                if w < 1e-6 { continue }  // beyond the 5σ ellipse
                points += 1
                total += w
                let r = placement.radiatorPoint(labX: x, labY: y, centre: centre)
                switch sampler.sample(x: r.x, y: r.y) {
                case .nothing:
                    continue
                case .mount:
                    onMount += w
                case .crystal(let thetaH, let thetaV):
                    onCrystal += w
                    let h = thetaH * 1e-3, v = thetaV * 1e-3
                    sh += w * h; sv += w * v; shh += w * h * h; svv += w * v * v
                    let bh = Int(((h - minH) / bin).rounded(.down)), bv = Int(((v - minV) / bin).rounded(.down))
                    if bh >= 0, bv >= 0, bh < n, bv < n {
                        let k = bv * n + bh
                        hist[k] += w; sumH[k] += w * h; sumV[k] += w * v
                    } else {
                        let key = Int64(bv) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: bh)))
                        let c = outside[key, default: (0, 0, 0)]
                        outside[key] = (c.w + w, c.h + w * h, c.v + w * v)
                    }
                }
                let px = Int(((r.x - g.originXMillimeters) / g.pixelMillimeters + 0.5).rounded(.down))
                let py = Int(((r.y - g.originYMillimeters) / g.pixelMillimeters + 0.5).rounded(.down))
                if px >= 0, py >= 0, px < g.columns, py < g.rows {
                    let k = py * g.columns + px
                    overlay[k] = max(overlay[k], Float(w))
                }
            }
        }
        thetaHMinMilliradians = minH
        thetaVMinMilliradians = minV
        binMilliradians = bin
        bins = n
        let norm = onCrystal > 0 ? 1 / onCrystal : 0
        weights = hist.map { $0 * norm }
        fractionOnCrystal = total > 0 ? onCrystal / total : 0
        fractionOnMount = total > 0 ? onMount / total : 0
        fractionOutside = total > 0 ? max(0, 1 - fractionOnCrystal - fractionOnMount) : 1
        let mh = sh * norm, mv = sv * norm
        meanThetaHMilliradians = mh
        meanThetaVMilliradians = mv
        rmsThetaHMilliradians = max(0, shh * norm - mh * mh).squareRoot()
        rmsThetaVMilliradians = max(0, svv * norm - mv * mv).squareRoot()
        var samples: [TiltSample] = []
        for k in hist.indices where hist[k] > 0 {
            samples.append(TiltSample(thetaHOffsetMilliradians: sumH[k] / hist[k], thetaVOffsetMilliradians: sumV[k] / hist[k], weight: hist[k] * norm))
        }
        for key in outside.keys.sorted() {
            let c = outside[key]!
            samples.append(TiltSample(thetaHOffsetMilliradians: c.h / c.w, thetaVOffsetMilliradians: c.v / c.w, weight: c.w * norm))
        }
        self.samples = samples
        self.overlay = overlay
        sampledPoints = points
    }
}
