import Foundation
import Synchronization

/// Coherent sums before normalisation and smearing: what a compute node returns
/// for its slice of an orientation set. Slices add; `SpectrumModel.spectrum(from:)`
/// turns the total into rates.
public struct CoherentSum: Sendable, Equatable {
    /// Σ weight · dN/dx (coherent), per computed bin.
    public var coherent: [Double]
    /// Σ weight · dN/dx weighted by linear polarization, per computed bin.
    public var polarized: [Double]
    /// Σ weight.
    public var totalWeight: Double

    public init(coherent: [Double], polarized: [Double], totalWeight: Double) {
        self.coherent = coherent
        self.polarized = polarized
        self.totalWeight = totalWeight
    }

    public static func zero(bins: Int) -> CoherentSum {
        CoherentSum(coherent: Array(repeating: 0, count: bins), polarized: Array(repeating: 0, count: bins), totalWeight: 0)
    }

    /// The sum of two slices of the same orientation set.
    public static func + (a: CoherentSum, b: CoherentSum) -> CoherentSum {
        precondition(a.coherent.count == b.coherent.count, "slices computed on different energy grids")
        return CoherentSum(coherent: zip(a.coherent, b.coherent).map(+), polarized: zip(a.polarized, b.polarized).map(+),
                           totalWeight: a.totalWeight + b.totalWeight)
    }
}

/// Everything that depends on the beamline and the energy grid but not on the
/// crystal orientation, computed once: acceptance table, reciprocal lattice,
/// incoherent spectrum, smearing kernel and the averaging grid. Spectra for any
/// orientation or orientation set are then cheap.
///
/// A beam-energy spread is applied where it acts at first order: at the
/// coherent edges (`EdgeSpread`), each reflection's one-bin cliff becomes the
/// probability that the beam energy reaches the bin.
public struct SpectrumModel: Sendable {
    public let beamline: Beamline
    public let grid: EnergyGrid
    /// Photon energy fraction at each computed bin centre (nominal beam energy).
    public let x: [Double]
    let lattice: ReciprocalLattice
    let kinematics: CoherentKinematics
    let incoherentDNdx: [Double]
    /// dN/dx per electron crossing the mount (empty without a mount).
    let mountDNdx: [Double]
    let smearing: BeamCrystalSmearing
    /// Built on first use: single-orientation work never pays for it.
    private let averaging: LazyGrid
    var averagingGrid: KinematicLimitGrid { averaging.grid(x: x, grid: grid, beamEnergyGeV: beamline.beamEnergyGeV, kinematics: kinematics) }
    /// The beam-energy spread at the coherent edges (nil without a spread).
    let edgeSpread: EdgeSpread?
    /// The mount's rate, photons/s/GeV on the output bins, as if the whole beam hit it
    /// (zeros without a mount).
    public let mountRateFullBeam: [Double]

    public init(beamline: Beamline, grid: EnergyGrid) {
        self.init(beamline: beamline, grid: grid, acceptanceEvaluation: .table)
    }

    init(beamline: Beamline, grid: EnergyGrid, acceptanceEvaluation: CollimatorAcceptance.Evaluation) {
        precondition(grid.computedCount > 0, "energy grid has no bins below the end point")
        self.beamline = beamline
        self.grid = grid
        let e = beamline.beamEnergyGeV
        x = grid.computedCentresGeV.map { $0 / e }
        let acceptance = CollimatorAcceptance(beamline: beamline, evaluation: acceptanceEvaluation)
        kinematics = CoherentKinematics(acceptance: acceptance)
        lattice = ReciprocalLattice(crystal: beamline.crystal, beamEnergyGeV: e,
                                    thicknessMeters: beamline.radiatorThicknessMeters)
        incoherentDNdx = IncoherentBremsstrahlung.dNdx(x: x, beamline: beamline, acceptance: acceptance)
        if let mount = beamline.mount, mount.thicknessMeters > 0 {
            let mountAcceptance = CollimatorAcceptance(
                beamline: beamline, multipleScatteringVariance: mount.multipleScatteringVariance(beamEnergyGeV: e),
                evaluation: acceptanceEvaluation)
            mountDNdx = AmorphousBremsstrahlung.dNdx(x: x, mount: mount, beamEnergyGeV: e, acceptance: mountAcceptance)
        } else {
            mountDNdx = []
        }
        smearing = BeamCrystalSmearing(beamline: beamline, x: x)
        averaging = LazyGrid()

        edgeSpread = beamline.beamEnergySpreadGeV > 0
            ? EdgeSpread(relativeSpread: beamline.beamEnergySpreadGeV / e, x: x) : nil
        let mount = Self.mountWindow(mountDNdx, grid: grid, rate: beamline.ratePerGeVPerDNdx)
        mountRateFullBeam = mount
    }

    /// w = 2E q_z / m_e² for unit q_z, per GeV.
    private var wPerQz: Double {
        2 * beamline.beamEnergyGeV / (PhysicalConstants.electronMassGeV * PhysicalConstants.electronMassGeV)
    }

    // MARK: One orientation, term by term

    /// Coherent dN/dx at one orientation, evaluated directly for every reflection and bin.
    public func coherentSum(at orientation: CrystalOrientation, weight: Double = 1) -> CoherentSum {
        let n = x.count
        var total = [Double](repeating: 0, count: n), polarized = [Double](repeating: 0, count: n)
        forEachTerm(at: orientation) { _, i, c, d in
            total[i] += weight * c * d.total
            polarized[i] += weight * c * d.polarized
        }
        if let spread = edgeSpread {
            // Bins around each reflection's cliff count with the probability that the beam energy reaches them.
            forEachEdge(at: orientation, spread: spread) { i, c, correction in
                let d = kinematics.density(x: x[i], theta2: 0)
                total[i] += weight * c * correction * d.total
                polarized[i] += weight * c * correction * d.polarized
            }
        }
        return CoherentSum(coherent: total, polarized: polarized, totalWeight: weight)
    }

    /// Every (reflection, bin) term of the coherent sum at one orientation: reflection index,
    /// bin, the reflection's weight c and the density per unit weight.
    @inline(__always)
    private func forEachTerm(at orientation: CrystalOrientation,
                             _ body: (Int, Int, Double, (total: Double, polarized: Double)) -> Void) {
        let rowZ = orientation.rotationRows.z
        let unit = lattice.unitGeV
        let maxTheta2 = kinematics.acceptance.maxTheta2
        let wScale = wPerQz
        for (r, g) in lattice.reflections.enumerated() {
            let qz = (rowZ * g.hkl).sum() * unit
            guard qz > 0 else { continue }
            let c = g.weightPerQT2 * (g.q2 - qz * qz)
            let w = wScale * qz
            let xmax = w / (w + 1)
            var i = lastBin(atOrBelow: xmax)
            while i >= 0 {
                let xi = x[i]
                let theta2 = max(0, (1 - xi) * xmax / (xi * (1 - xmax) + 1e-99) - 1)
                if theta2 > maxTheta2 { break }
                body(r, i, c, kinematics.density(x: xi, theta2: theta2))
                i -= 1
            }
        }
    }

    /// For each reflection, the bins whose kinematic threshold lies within the beam-energy
    /// spread's reach of its w: reflection weight c and (probability − what the sharp cliff counted).
    private func forEachEdge(at orientation: CrystalOrientation, spread: EdgeSpread, _ body: (Int, Double, Double) -> Void) {
        let rowZ = orientation.rotationRows.z
        let unit = lattice.unitGeV
        let wScale = wPerQz
        for g in lattice.reflections {
            let qz = (rowZ * g.hkl).sum() * unit
            guard qz > 0 else { continue }
            let w = wScale * qz
            let c = g.weightPerQT2 * (g.q2 - qz * qz)
            spread.corrections(w: w, nearBin: lastBin(atOrBelow: w / (w + 1))) { i, corr in body(i, c, corr) }
        }
    }

    private func lastBin(atOrBelow xmax: Double) -> Int {
        var lo = 0, hi = x.count  // first index with x > xmax
        while lo < hi {
            let mid = (lo + hi) / 2
            if x[mid] <= xmax { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }

    // MARK: Many orientations at once

    /// Σ weight · coherent dN/dx over an orientation set, through the kinematic-limit
    /// grid: cost O(samples × reflections + bins × band), memory independent of the set size.
    public func coherentSum(base: CrystalOrientation, samples: some Collection<TiltSample>) -> CoherentSum {
        let grid = averagingGrid
        var mass = KinematicLimitMass(cellCount: grid.nodes.count - 1, bins: edgeSpread == nil ? 0 : x.count)
        let unit = lattice.unitGeV
        let wScale = wPerQz
        var totalWeight = 0.0
        let hkl = lattice.reflections.map(\.hkl)
        let q2 = lattice.reflections.map(\.q2)
        let weightPerQT2 = lattice.reflections.map(\.weightPerQT2)
        for sample in samples where sample.weight != 0 {
            totalWeight += sample.weight
            let rowZ = base.tilted(byH: sample.thetaHOffsetRadians, byV: sample.thetaVOffsetRadians).rotationRows.z * unit
            for r in 0..<hkl.count {
                let qz = (rowZ * hkl[r]).sum()
                guard qz > 0 else { continue }
                let m = sample.weight * weightPerQT2[r] * (q2[r] - qz * qz), w = wScale * qz
                mass.deposit(m, at: w, in: grid)
                if let spread = edgeSpread {
                    spread.corrections(w: w, nearBin: grid.lastBin(atOrBelowThreshold: w)) { i, corr in
                        mass.edgeCorrection[i] += m * corr
                    }
                }
            }
        }
        let s = mass.spectrum(on: grid)
        return CoherentSum(coherent: s.total, polarized: s.polarized, totalWeight: totalWeight)
    }

    /// The same sum computed orientation by orientation: the reference the fast path is tested against.
    public func bruteForceCoherentSum(base: CrystalOrientation, samples: some Collection<TiltSample>) -> CoherentSum {
        samples.reduce(CoherentSum.zero(bins: x.count)) { sum, s in
            sum + coherentSum(at: base.tilted(byH: s.thetaHOffsetRadians, byV: s.thetaVOffsetRadians), weight: s.weight)
        }
    }

    // MARK: Rates

    /// Normalise, smear (optionally) and convert to photons/s/GeV over the output window.
    public func spectrum(from sum: CoherentSum, smeared: Bool = true) -> Spectrum {
        precondition(sum.totalWeight > 0, "an orientation set needs positive total weight")
        precondition(sum.coherent.count == x.count, "coherent sum of \(sum.coherent.count) bins for a model of \(x.count)")
        let norm = 1 / sum.totalWeight
        var coherent = sum.coherent.map { $0 * norm }
        var polarized = sum.polarized.map { $0 * norm }
        if smeared {
            coherent = smearing.apply(coherent)
            polarized = smearing.apply(polarized)
        }
        let rate = beamline.ratePerGeVPerDNdx
        let window = grid.outputOffset..<(grid.outputOffset + max(0, grid.outputCount))
        return Spectrum(energyGeV: grid.outputCentresGeV,
                        coherent: window.map { coherent[$0] * rate },
                        coherentPolarized: window.map { polarized[$0] * rate },
                        incoherent: window.map { incoherentDNdx[$0] * rate },
                        binWidthGeV: grid.binWidthGeV)
    }

    static func mountWindow(_ dNdx: [Double], grid: EnergyGrid, rate: Double) -> [Double] {
        (0..<max(0, grid.outputCount)).map { k in
            let j = grid.outputOffset + k
            return dNdx.isEmpty || j >= dNdx.count ? 0 : dNdx[j] * rate
        }
    }

    /// The spectrum at one orientation.
    public func spectrum(at orientation: CrystalOrientation, smeared: Bool = true) -> Spectrum {
        spectrum(from: coherentSum(at: orientation), smeared: smeared)
    }

    /// The weighted average spectrum over an orientation set (fast path).
    public func spectrum(base: CrystalOrientation, samples: some Collection<TiltSample>, smeared: Bool = true) -> Spectrum {
        spectrum(from: coherentSum(base: base, samples: samples), smeared: smeared)
    }

    // MARK: Polarization plane

    /// The plane of linear polarization at one orientation: the azimuth of the transverse
    /// momentum transfer q_T of the reflection that gives the most polarized flux in the
    /// output window (the photon's electric vector lies along q_T), or nil when no
    /// reflection radiates there.
    public func polarizationPlane(at orientation: CrystalOrientation) -> PolarizationAzimuth? {
        var flux = [Double](repeating: 0, count: lattice.reflections.count)
        let window = grid.outputOffset..<(grid.outputOffset + max(0, grid.outputCount))
        forEachTerm(at: orientation) { r, i, c, d in
            if window.contains(i) { flux[r] += c * d.polarized }
        }
        guard let best = flux.indices.max(by: { flux[$0] < flux[$1] }), flux[best] > 0 else { return nil }
        let rows = orientation.rotationRows
        let g = lattice.reflections[best].hkl
        return PolarizationAzimuth(qx: (rows.x * g).sum(), qy: (rows.y * g).sum(), hkl: g)
    }
}

/// The averaging grid of a model, made once when first needed (thread-safe).
final class LazyGrid: Sendable {
    private let value = Mutex<KinematicLimitGrid?>(nil)
    func grid(x: [Double], grid: EnergyGrid, beamEnergyGeV: Double, kinematics: CoherentKinematics) -> KinematicLimitGrid {
        value.withLock { v in
            if let v { return v }
            let made = KinematicLimitGrid(x: x, grid: grid, beamEnergyGeV: beamEnergyGeV, kinematics: kinematics)
            v = made
            return made
        }
    }
}
