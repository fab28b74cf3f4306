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
public struct SpectrumModel: Sendable {
    public let beamline: Beamline
    public let grid: EnergyGrid
    /// Photon energy fraction at each computed bin centre.
    public let x: [Double]
    let lattice: ReciprocalLattice
    let kinematics: CoherentKinematics
    let incoherentDNdx: [Double]
    let smearing: BeamCrystalSmearing
    /// Built on first use: single-orientation work never pays for it.
    private let averaging: LazyGrid
    var averagingGrid: KinematicLimitGrid { averaging.grid(x: x, grid: grid, beamEnergyGeV: beamline.beamEnergyGeV, kinematics: kinematics) }

    public init(beamline: Beamline, grid: EnergyGrid) {
        precondition(grid.computedCount > 0, "energy grid has no bins below the end point")
        self.beamline = beamline
        self.grid = grid
        x = grid.computedCentresGeV.map { $0 / beamline.beamEnergyGeV }
        let acceptance = CollimatorAcceptance(beamline: beamline)
        kinematics = CoherentKinematics(acceptance: acceptance)
        lattice = ReciprocalLattice(crystal: beamline.crystal, beamEnergyGeV: beamline.beamEnergyGeV,
                                    thicknessMeters: beamline.radiatorThicknessMeters)
        incoherentDNdx = IncoherentBremsstrahlung.dNdx(x: x, beamline: beamline, acceptance: acceptance)
        smearing = BeamCrystalSmearing(beamline: beamline, x: x)
        averaging = LazyGrid()
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
        let rowZ = orientation.rotationRows.z
        let unit = lattice.unitGeV
        let maxTheta2 = kinematics.acceptance.maxTheta2
        let wScale = wPerQz
        for g in lattice.reflections {
            let qz = (rowZ * g.hkl).sum() * unit
            guard qz > 0 else { continue }
            let c = weight * g.weightPerQT2 * (g.q2 - qz * qz)
            let w = wScale * qz
            let xmax = w / (w + 1)
            var i = lastBin(atOrBelow: xmax)
            while i >= 0 {
                let xi = x[i]
                let theta2 = max(0, (1 - xi) * xmax / (xi * (1 - xmax) + 1e-99) - 1)
                if theta2 > maxTheta2 { break }
                let d = kinematics.density(x: xi, theta2: theta2)
                total[i] += c * d.total
                polarized[i] += c * d.polarized
                i -= 1
            }
        }
        return CoherentSum(coherent: total, polarized: polarized, totalWeight: weight)
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
        var mass = KinematicLimitMass(cellCount: grid.nodes.count - 1)
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
                mass.deposit(sample.weight * weightPerQT2[r] * (q2[r] - qz * qz), at: wScale * qz, in: grid)
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

    /// The spectrum at one orientation.
    public func spectrum(at orientation: CrystalOrientation, smeared: Bool = true) -> Spectrum {
        spectrum(from: coherentSum(at: orientation), smeared: smeared)
    }

    /// The weighted average spectrum over an orientation set (fast path).
    public func spectrum(base: CrystalOrientation, samples: some Collection<TiltSample>, smeared: Bool = true) -> Spectrum {
        spectrum(from: coherentSum(base: base, samples: samples), smeared: smeared)
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
