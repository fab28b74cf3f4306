import Foundation
import Physics

/// A view sampled once for many beam placements.
///
/// `TiltDistribution` samples the topograph at lab points p = step·(i, j) around the
/// beam and maps them to radiator points r = c + R(−φ)·(p − offset). When the offset is
/// itself a multiple of the step, offset = step·(k, l), every placement's points lie on
/// one lattice, r = c + R(−φ)·step·(m, n) with (m, n) = (i − k, j − l). So the view is
/// sampled once per lattice point (bilinear tilts, surface kind, histogram bin) and
/// each placement is a weighted window sum over the lattice with the spot's kernel:
/// the same points, weights and arithmetic as the single-placement answer, without
/// re-sampling the topograph or re-evaluating the Gaussian per placement.
public struct SpotLattice: Sendable {
    public let step: Double
    public let rotationDegrees: Double
    public let spot: BeamSpot
    public let histogram: TiltHistogramSpec
    /// Kernel rows j = −my…my: the points i = first…first+count−1 with weight ≥ 1e-6, as in TiltDistribution.
    let kernelFirst: [Int]
    let kernelWeights: [[Double]]
    let my: Int
    /// Σ of all kernel weights (the whole beam).
    let totalWeight: Double
    public let kernelPoints: Int
    /// Lattice region: m in m0..<m0+width, n in n0..<n0+height; outside it there is no topograph.
    let m0: Int, n0: Int, width: Int, height: Int
    /// Per lattice point: 0 nothing, 1 crystal, 2 mount.
    let kinds: [UInt8]
    /// Tilts in mrad (crystal points only).
    let thetaH: [Double]
    let thetaV: [Double]
    /// Histogram bin (θV row-major) or −1 when the tilt lies beyond the histogram's range.
    let bins: [Int32]
    /// Per lattice point, for the moments alone (branch-free, SIMD): crystal and mount indicators,
    /// θH, θV and θH² + θV² on crystal (0 elsewhere).
    let onCrystalField: [Double], onMountField: [Double], hField: [Double], vField: [Double], squareField: [Double]
    let binsPerAxis: Int
    let thetaHMin: Double, thetaVMin: Double, binWidth: Double

    /// Largest lattice the map will sample (points).
    public static let maxLatticePoints = 6_000_000

    /// Lattice index range a view can occupy for this rotation and step.
    public static func latticeBounds(view: RadiatorView, rotationDegrees: Double, step: Double) -> (m: ClosedRange<Int>, n: ClosedRange<Int>) {
        let g = view.grid, c = g.centre
        let phi = rotationDegrees * Double.pi / 180
        let cs = cos(phi), sn = sin(phi)
        var mLo = Double.infinity, mHi = -Double.infinity, nLo = Double.infinity, nHi = -Double.infinity
        let half = g.pixelMillimeters / 2
        for (x, y) in [(g.x(column: 0) - half, g.y(row: 0) - half), (g.x(column: g.columns - 1) + half, g.y(row: 0) - half),
                       (g.x(column: 0) - half, g.y(row: g.rows - 1) + half), (g.x(column: g.columns - 1) + half, g.y(row: g.rows - 1) + half)] {
            // (m, n)·step = R(φ)·(r − c)
            let dx = x - c.x, dy = y - c.y
            let m = (cs * dx - sn * dy) / step, n = (sn * dx + cs * dy) / step
            mLo = min(mLo, m); mHi = max(mHi, m); nLo = min(nLo, n); nHi = max(nHi, n)
        }
        return (Int(mLo.rounded(.down)) - 1...Int(mHi.rounded(.up)) + 1, Int(nLo.rounded(.down)) - 1...Int(nHi.rounded(.up)) + 1)
    }

    /// Sample `view` on the lattice points that placements with lattice offsets in `ks` × `ls` can see.
    public init(view: RadiatorView, rotationDegrees: Double, spot: BeamSpot, histogram: TiltHistogramSpec,
                ks: ClosedRange<Int>, ls: ClosedRange<Int>) {
        let step = spot.stepMillimeters
        self.step = step
        self.rotationDegrees = rotationDegrees
        self.spot = spot
        self.histogram = histogram
        // The kernel, exactly as TiltDistribution walks it.
        let mx = Int((BeamSpot.reachSigmas * spot.sigmaXMillimeters / step).rounded(.up))
        let my = Int((BeamSpot.reachSigmas * spot.sigmaYMillimeters / step).rounded(.up))
        var firsts: [Int] = [], rows: [[Double]] = []
        var total = 0.0, points = 0
        for j in -my...my {
            let y = Double(j) * step
            var first = 0, row: [Double] = []
            for i in -mx...mx {
                let w = spot.intensity(x: Double(i) * step, y: y)
                if w < 1e-6 {
                    if !row.isEmpty { row.append(0) }  // keep the row contiguous (convex ellipse: only trailing zeros)
                    continue
                }
                if row.isEmpty { first = i }
                row.append(w)
                total += w
                points += 1
            }
            while let last = row.last, last == 0 { row.removeLast() }
            firsts.append(first)
            rows.append(row)
        }
        kernelFirst = firsts
        kernelWeights = rows
        self.my = my
        totalWeight = total
        kernelPoints = points

        // Lattice region: what the placements reach, clipped to where the topograph is.
        let bounds = Self.latticeBounds(view: view, rotationDegrees: rotationDegrees, step: step)
        let mLo = max(-mx - ks.upperBound, bounds.m.lowerBound), mHi = min(mx - ks.lowerBound, bounds.m.upperBound)
        let nLo = max(-my - ls.upperBound, bounds.n.lowerBound), nHi = min(my - ls.lowerBound, bounds.n.upperBound)
        m0 = mLo; n0 = nLo
        width = max(0, mHi - mLo + 1); height = max(0, nHi - nLo + 1)

        let stats = view.crystalStatistics
        let n = histogram.binsPerAxis, bin = histogram.binMilliradians
        binsPerAxis = n
        binWidth = bin
        thetaHMin = stats.meanH * 1e-3 - Double(n) * bin / 2
        thetaVMin = stats.meanV * 1e-3 - Double(n) * bin / 2
        let count = width * height
        var kinds = [UInt8](repeating: 0, count: count)
        var hs = [Double](repeating: 0, count: count), vs = [Double](repeating: 0, count: count)
        var bins = [Int32](repeating: -1, count: count)
        let sampler = TiltSampler(view: view)
        let placement = RadiatorPlacement(xOffsetMillimeters: 0, yOffsetMillimeters: 0, rotationDegrees: rotationDegrees)
        let centre = view.grid.centre
        let minH = thetaHMin, minV = thetaVMin
        for row in 0..<height {
            let y = Double(n0 + row) * step
            for col in 0..<width {
                let x = Double(m0 + col) * step
                let r = placement.radiatorPoint(labX: x, labY: y, centre: centre)
                let k = row * width + col
                switch sampler.sample(x: r.x, y: r.y) {
                case .nothing: continue
                case .mount: kinds[k] = 2
                case .crystal(let th, let tv):
                    kinds[k] = 1
                    let h = th * 1e-3, v = tv * 1e-3
                    hs[k] = h; vs[k] = v
                    let bh = Int(((h - minH) / bin).rounded(.down)), bv = Int(((v - minV) / bin).rounded(.down))
                    if bh >= 0, bv >= 0, bh < n, bv < n { bins[k] = Int32(bv * n + bh) }
                }
            }
        }
        self.kinds = kinds
        thetaH = hs
        thetaV = vs
        self.bins = bins
        onCrystalField = kinds.map { $0 == 1 ? 1 : 0 }
        onMountField = kinds.map { $0 == 2 ? 1 : 0 }
        hField = hs
        vField = vs
        squareField = (0..<count).map { hs[$0] * hs[$0] + vs[$0] * vs[$0] }
    }

    /// Moments of one placement: fractions on crystal and mount, mean θH, θV and √(rms θH² + rms θV²), mrad.
    public typealias Moments = (onCrystal: Double, onMount: Double, meanH: Double, meanV: Double, rms: Double)

    /// The moments alone at offset step·(k, l).
    public func moments(k: Int, l: Int) -> Moments { moments(ks: [k], l: l)[0] }

    /// The moments of a row of placements at offsets step·(k, l), k in `ks`: five weighted window sums
    /// each, four lattice points at a time, kernel row by kernel row so the lattice row they all read
    /// stays in cache (memory traffic per map row, not per placement).
    public func moments(ks: [Int], l: Int) -> [Moments] {
        let n = ks.count
        var acc = [SIMD4<Double>](repeating: SIMD4<Double>(), count: 5 * n)
        var tail = [Double](repeating: 0, count: 5 * n)
        onCrystalField.withUnsafeBufferPointer { f0 in
        onMountField.withUnsafeBufferPointer { f1 in
        hField.withUnsafeBufferPointer { f2 in
        vField.withUnsafeBufferPointer { f3 in
        squareField.withUnsafeBufferPointer { f4 in
        acc.withUnsafeMutableBufferPointer { acc in
        tail.withUnsafeMutableBufferPointer { tail in
            let p0 = UnsafeRawPointer(f0.baseAddress!), p1 = UnsafeRawPointer(f1.baseAddress!), p2 = UnsafeRawPointer(f2.baseAddress!)
            let p3 = UnsafeRawPointer(f3.baseAddress!), p4 = UnsafeRawPointer(f4.baseAddress!)
            let stride = MemoryLayout<Double>.stride
            for (rowIndex, weights) in kernelWeights.enumerated() where !weights.isEmpty {
                let row = rowIndex - my - l - n0
                guard row >= 0, row < height else { continue }
                let first = kernelFirst[rowIndex]
                weights.withUnsafeBufferPointer { w in
                    let wp = UnsafeRawPointer(w.baseAddress!)
                    for (q, k) in ks.enumerated() {
                        let lo = max(0, m0 + k - first), hi = min(w.count, width + m0 + k - first)
                        guard lo < hi else { continue }
                        let base = row * width + first - k - m0
                        var a0 = acc[5 * q], a1 = acc[5 * q + 1], a2 = acc[5 * q + 2], a3 = acc[5 * q + 3], a4 = acc[5 * q + 4]
                        var t = lo
                        while t + 4 <= hi {
                            let wv = wp.loadUnaligned(fromByteOffset: t * stride, as: SIMD4<Double>.self)
                            let o = (base + t) * stride
                            a0 += wv * p0.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                            a1 += wv * p1.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                            a2 += wv * p2.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                            a3 += wv * p3.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                            a4 += wv * p4.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
                            t += 4
                        }
                        acc[5 * q] = a0; acc[5 * q + 1] = a1; acc[5 * q + 2] = a2; acc[5 * q + 3] = a3; acc[5 * q + 4] = a4
                        while t < hi {
                            let wt = w[t], p = base + t
                            tail[5 * q] += wt * f0[p]; tail[5 * q + 1] += wt * f1[p]; tail[5 * q + 2] += wt * f2[p]
                            tail[5 * q + 3] += wt * f3[p]; tail[5 * q + 4] += wt * f4[p]
                            t += 1
                        }
                    }
                }
            }
        }}}}}}}
        let total = totalWeight
        return (0..<n).map { q -> Moments in
            let s = (0..<5).map { acc[5 * q + $0].sum() + tail[5 * q + $0] }
            let onCrystal = s[0], onMount = s[1]
            guard onCrystal > 0 else { return (0, total > 0 ? onMount / total : 0, 0, 0, 0) }
            let mh = s[2] / onCrystal, mv = s[3] / onCrystal
            let rms = max(0, s[4] / onCrystal - mh * mh - mv * mv).squareRoot()
            return (onCrystal / total, onMount / total, mh, mv, rms)
        }
    }

    /// What the beam sees at one placement: the moments always, the weighted orientation
    /// samples when `samples` is true (TiltDistribution's, in the same order).
    public struct Placement: Sendable {
        public var fractionOnCrystal = 0.0, fractionOnMount = 0.0
        /// mrad
        public var meanThetaH = 0.0, meanThetaV = 0.0, rmsThetaH = 0.0, rmsThetaV = 0.0
        public var samples: [TiltSample] = []
    }

    /// Reusable per-thread histogram storage.
    public struct Scratch {
        var weight: [Double], sumH: [Double], sumV: [Double]
        var touched: [Int32] = []
        public init(bins: Int) {
            weight = [Double](repeating: 0, count: bins)
            sumH = weight
            sumV = weight
        }
    }

    public func makeScratch() -> Scratch { Scratch(bins: binsPerAxis * binsPerAxis) }

    /// The placement with offset step·(k, l).
    public func placement(k: Int, l: Int, samples wantSamples: Bool, scratch: inout Scratch) -> Placement {
        var onCrystal = 0.0, onMount = 0.0, sh = 0.0, sv = 0.0, shh = 0.0, svv = 0.0
        var outside: [Int64: (w: Double, h: Double, v: Double)] = [:]
        let minH = thetaHMin, minV = thetaVMin, bin = binWidth
        kinds.withUnsafeBufferPointer { kinds in
        thetaH.withUnsafeBufferPointer { hs in
        thetaV.withUnsafeBufferPointer { vs in
        bins.withUnsafeBufferPointer { bins in
            for (rowIndex, weights) in kernelWeights.enumerated() where !weights.isEmpty {
                let j = rowIndex - my
                let row = j - l - n0
                guard row >= 0, row < height else { continue }
                // Lattice column of kernel point i: i − k − m0.
                let first = kernelFirst[rowIndex]
                let lo = max(0, m0 + k - first), hi = min(weights.count, width + m0 + k - first)
                guard lo < hi else { continue }
                let base = row * width + first - k - m0
                for t in lo..<hi {
                    let p = base + t
                    let kind = kinds[p]
                    if kind == 0 { continue }
                    let w = weights[t]
                    if kind == 2 { onMount += w; continue }
                    onCrystal += w
                    let h = hs[p], v = vs[p]
                    sh += w * h; sv += w * v; shh += w * h * h; svv += w * v * v
                    guard wantSamples else { continue }
                    let b = Int(bins[p])
                    if b >= 0 {
                        if scratch.weight[b] == 0 { scratch.touched.append(Int32(b)) }
                        scratch.weight[b] += w; scratch.sumH[b] += w * h; scratch.sumV[b] += w * v
                    } else {
                        let bh = Int(((h - minH) / bin).rounded(.down)), bv = Int(((v - minV) / bin).rounded(.down))
                        let key = Int64(bv) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: bh)))
                        let c = outside[key, default: (0, 0, 0)]
                        outside[key] = (c.w + w, c.h + w * h, c.v + w * v)
                    }
                }
            }
        }}}}
        var out = Placement()
        let total = totalWeight
        let norm = onCrystal > 0 ? 1 / onCrystal : 0
        out.fractionOnCrystal = total > 0 ? onCrystal / total : 0
        out.fractionOnMount = total > 0 ? onMount / total : 0
        let mh = sh * norm, mv = sv * norm
        out.meanThetaH = mh
        out.meanThetaV = mv
        out.rmsThetaH = max(0, shh * norm - mh * mh).squareRoot()
        out.rmsThetaV = max(0, svv * norm - mv * mv).squareRoot()
        if wantSamples {
            // Bin order, as TiltDistribution emits them; then the out-of-range bins by key.
            scratch.touched.sort()
            var samples: [TiltSample] = []
            samples.reserveCapacity(scratch.touched.count + outside.count)
            for b32 in scratch.touched {
                let b = Int(b32)
                let w = scratch.weight[b]
                samples.append(TiltSample(thetaHOffsetMilliradians: scratch.sumH[b] / w, thetaVOffsetMilliradians: scratch.sumV[b] / w,
                                          weight: w * norm))
                scratch.weight[b] = 0; scratch.sumH[b] = 0; scratch.sumV[b] = 0
            }
            scratch.touched.removeAll(keepingCapacity: true)
            for key in outside.keys.sorted() {
                let c = outside[key]!
                samples.append(TiltSample(thetaHOffsetMilliradians: c.h / c.w, thetaVOffsetMilliradians: c.v / c.w, weight: c.w * norm))
            }
            out.samples = samples
        }
        return out
    }
}
