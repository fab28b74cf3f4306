import Foundation

/// The fast path for averaging over many orientations.
///
/// A reflection's whole effect at one orientation is its weight deposited at
/// w = 2E q_z/m_e² (θ² = w(1−x)/x − 1 is linear in w, and q_z is linear in the
/// tiny tilts). So an orientation set collapses into one mass distribution over
/// w, whatever the number of orientations, and the spectrum is a fixed banded
/// matrix (precomputed per beamline) applied to it.
///
/// Nodes in w: the kinematic thresholds w*(x_i) = x_i/(1−x_i) of every bin are
/// nodes, so the cliff at x = x_max always falls on a cell boundary and is
/// exact; between and above them, cells of relative width `relativeStep`.
/// Each cell keeps its own linear split of mass between its two ends, so the
/// result is linear interpolation of the smooth density inside a cell.
struct KinematicLimitGrid: Sendable {
    let nodes: [Double]
    /// Node index of threshold w*(x_i) for each computed bin i.
    let thresholdNode: [Int]
    /// Geometric cells above the last threshold start here.
    private let geometricStart: Double
    private let relativeStep: Double
    /// Per bin i: node range [thresholdNode[i], bandEnd[i]) and its densities.
    let bandEnd: [Int]
    let bandOffset: [Int]
    let bandTotal: [Double]
    let bandPolarized: [Double]
    private let binWidthOverE: Double
    private let firstBin: Int

    init(x: [Double], grid: EnergyGrid, beamEnergyGeV: Double, kinematics: CoherentKinematics,
         relativeStep: Double = 0.004, uncollimatedMaxTheta2: Double = 1e4) {
        let n = x.count
        self.relativeStep = relativeStep
        binWidthOverE = grid.binWidthGeV / beamEnergyGeV
        firstBin = grid.firstComputedBin
        let maxTheta2 = min(kinematics.acceptance.maxTheta2, uncollimatedMaxTheta2)
        let thresholds = x.map { $0 / (1 - $0) }
        var nodes: [Double] = []
        var thresholdNode: [Int] = []
        for i in 0..<n {
            thresholdNode.append(nodes.count)
            nodes.append(thresholds[i])
            if i + 1 < n {
                let lo = thresholds[i], hi = thresholds[i + 1]
                let cells = max(1, Int((log(hi / lo) / relativeStep).rounded(.up)))
                for s in 1..<cells { nodes.append(lo + (hi - lo) * Double(s) / Double(cells)) }
            }
        }
        // Above the last threshold: geometric nodes up to where the densest bin's θ² passes the cut.
        let last = thresholds[n - 1]
        geometricStart = last
        let top = (1 + maxTheta2) * x[n - 1] / (1 - x[n - 1])
        let extra = max(1, Int((log(top / last) / relativeStep).rounded(.up)))
        for k in 1...extra { nodes.append(last * exp(Double(k) * relativeStep)) }
        self.nodes = nodes
        self.thresholdNode = thresholdNode

        // Precompute the band of densities each bin sees.
        var bandEnd: [Int] = [], bandOffset: [Int] = [], total: [Double] = [], polarized: [Double] = []
        for i in 0..<n {
            let t = (1 - x[i]) / x[i]
            let start = thresholdNode[i]
            bandOffset.append(total.count)
            var j = start
            while j < nodes.count {
                let theta2 = max(0, t * nodes[j] - 1)
                if theta2 > maxTheta2 { break }
                let d = kinematics.density(x: x[i], theta2: j == start ? 0 : theta2)
                total.append(d.total)
                polarized.append(d.polarized)
                j += 1
            }
            bandEnd.append(j)
        }
        self.bandEnd = bandEnd
        self.bandOffset = bandOffset
        bandTotal = total
        bandPolarized = polarized
    }

    /// Cells are [nodes[c], nodes[c+1]]; the cell holding w, or nil outside the grid.
    @inline(__always)
    func cell(containing w: Double) -> Int? {
        guard w >= nodes[0], w < nodes[nodes.count - 1] else { return nil }
        if w >= geometricStart {
            let base = thresholdNode[thresholdNode.count - 1]
            var c = base + Int(log(w / geometricStart) / relativeStep)
            c = min(max(c, base), nodes.count - 2)
            while c > base && nodes[c] > w { c -= 1 }
            while c + 2 < nodes.count && nodes[c + 1] <= w { c += 1 }
            return c
        }
        // Which bin's threshold lies just below w: x = w/(1+w) sits in [x_i, x_{i+1}).
        let xw = w / (1 + w)
        var i = Int((xw / binWidthOverE - 0.5).rounded(.down)) - firstBin
        i = min(max(i, 0), thresholdNode.count - 2)
        while i > 0 && nodes[thresholdNode[i]] > w { i -= 1 }
        while i + 1 < thresholdNode.count - 1 && nodes[thresholdNode[i + 1]] <= w { i += 1 }
        let lo = thresholdNode[i], hi = thresholdNode[i + 1]
        let cells = hi - lo
        let width = (nodes[hi] - nodes[lo]) / Double(cells)
        var c = lo + min(cells - 1, Int((w - nodes[lo]) / width))
        while c > lo && nodes[c] > w { c -= 1 }
        while c + 1 < hi && nodes[c + 1] <= w { c += 1 }
        return c
    }
}

extension KinematicLimitGrid {
    /// The last bin whose kinematic threshold w*(x_i) is at or below w (−1 if none).
    func lastBin(atOrBelowThreshold w: Double) -> Int {
        let n = thresholdNode.count
        let xw = w / (1 + w)
        var i = Int((xw / binWidthOverEnergy - 0.5).rounded(.down)) - firstComputedBin
        i = min(max(i, -1), n - 1)
        while i >= 0 && nodes[thresholdNode[i]] > w { i -= 1 }
        while i + 1 < n && nodes[thresholdNode[i + 1]] <= w { i += 1 }
        return i
    }
    var binWidthOverEnergy: Double { binWidthOverE }
    var firstComputedBin: Int { firstBin }
}

/// Mass deposited on the grid: per cell, the linear split between its two ends.
struct KinematicLimitMass {
    var low: [Double]
    var high: [Double]
    /// Per bin: mass counted at the bin's threshold on top of the sharp cliff (beam-energy spread, `EdgeSpread`).
    var edgeCorrection: [Double]

    init(cellCount: Int, bins: Int = 0) {
        low = [Double](repeating: 0, count: cellCount)
        high = [Double](repeating: 0, count: cellCount)
        edgeCorrection = [Double](repeating: 0, count: bins)
    }

    @inline(__always)
    mutating func deposit(_ mass: Double, at w: Double, in grid: KinematicLimitGrid) {
        guard let c = grid.cell(containing: w) else { return }
        let f = (w - grid.nodes[c]) / (grid.nodes[c + 1] - grid.nodes[c])
        low[c] += mass * (1 - f)
        high[c] += mass * f
    }

    /// Coherent (total, polarized) dN/dx per bin: Σ over nodes at or above each
    /// bin's threshold; the cell just below a threshold does not count there.
    func spectrum(on grid: KinematicLimitGrid) -> (total: [Double], polarized: [Double]) {
        let n = grid.thresholdNode.count
        var total = [Double](repeating: 0, count: n), polarized = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let start = grid.thresholdNode[i], end = grid.bandEnd[i], offset = grid.bandOffset[i]
            var t = 0.0, p = 0.0
            if end > start {
                let m = low[start] + (edgeCorrection.isEmpty ? 0 : edgeCorrection[i])
                t += m * grid.bandTotal[offset]
                p += m * grid.bandPolarized[offset]
            }
            var j = start + 1
            while j < end {
                let m = high[j - 1] + (j < low.count ? low[j] : 0)
                if m != 0 {
                    t += m * grid.bandTotal[offset + j - start]
                    p += m * grid.bandPolarized[offset + j - start]
                }
                j += 1
            }
            total[i] = t
            polarized[i] = p
        }
        return (total, polarized)
    }
}
