import API
import Dispatch
import Foundation
import Physics
import Synchronization
import Topography

/// What the map knows about one placement.
public struct PlacementResult: Sendable, Equatable {
    public var fractionOnCrystal = 0.0
    public var fractionOnMount = 0.0
    /// Intensity-weighted mean tilt under the spot, mrad.
    public var meanThetaH = 0.0, meanThetaV = 0.0
    /// √(rms θH² + rms θV²), µrad; NaN when the beam misses the crystal.
    public var rmsTiltMicroradians = Double.nan
    /// The figure of merit; NaN when the placement is excluded.
    public var value = Double.nan
    /// The goniometer used there (re-snapped or the request's), mrad.
    public var thetaH = 0.0, thetaV = 0.0
    public var allowed = false
    public init() {}
}

/// Computes placements of a plan: the lattice once, then per placement the window sum
/// (moments and orientation samples) and, for spectrum figures of merit, the spot-averaged
/// spectrum through the model's kinematic-limit grid. Pure; any subset of placements
/// can be computed anywhere (a node computes its chunk with its own lattice).
public struct MapEngine: Sendable {
    public let plan: MapPlan
    public let lattice: SpotLattice
    /// The spectrum model (beamline + energy grid); needed for spectrum figures of merit.
    public let model: SpectrumModel?

    /// `indices`: the placements this engine will be asked for (nil: all); the lattice covers just them.
    public init(plan: MapPlan, view: RadiatorView, model: SpectrumModel?, indices: [Int]? = nil) {
        self.plan = plan
        self.model = model
        let nx = plan.ks.count
        var kLo = plan.ks.first ?? 0, kHi = plan.ks.last ?? 0, lLo = plan.ls.first ?? 0, lHi = plan.ls.last ?? 0
        if let indices, !indices.isEmpty {
            let cols = indices.map { plan.ks[$0 % nx] }, rows = indices.map { plan.ls[$0 / nx] }
            kLo = cols.min()!; kHi = cols.max()!; lLo = rows.min()!; lHi = rows.max()!
        }
        let r = plan.request
        lattice = SpotLattice(view: view, rotationDegrees: r["rad_phideg"], spot: r.beamSpot, histogram: r.tiltHistogram,
                              ks: kLo...kHi, ls: lLo...lHi)
    }

    /// One placement (index row-major, y outer).
    public func compute(_ index: Int, scratch: inout SpotLattice.Scratch) -> PlacementResult {
        let nx = plan.ks.count
        let k = plan.ks[index % nx], l = plan.ls[index / nx]
        var out = PlacementResult()
        var samples: SpotLattice.Placement?
        if plan.fom.needsSpectrum {
            // The orientation samples come with the moments (TiltDistribution's numbers exactly).
            let p = lattice.placement(k: k, l: l, samples: true, scratch: &scratch)
            out.fractionOnCrystal = p.fractionOnCrystal
            out.fractionOnMount = p.fractionOnMount
            out.meanThetaH = p.meanThetaH
            out.meanThetaV = p.meanThetaV
            if p.fractionOnCrystal > 0 {
                out.rmsTiltMicroradians = (p.rmsThetaH * p.rmsThetaH + p.rmsThetaV * p.rmsThetaV).squareRoot() * 1e3
            }
            samples = p
        } else {
            out = finish(lattice.moments(k: k, l: l))
            return out
        }
        let orientation = plan.orientation(meanThetaH: out.meanThetaH, meanThetaV: out.meanThetaV)
        out.thetaH = orientation.thetaHRadians * 1e3
        out.thetaV = orientation.thetaVRadians * 1e3
        out.allowed = plan.allows(fractionOnCrystal: out.fractionOnCrystal, fractionOnMount: out.fractionOnMount)
        guard out.allowed else { return out }
        switch plan.fom {
        case .rmsTilt: out.value = out.rmsTiltMicroradians
        case .fractionOnCrystal: out.value = out.fractionOnCrystal
        default:
            guard let model, let p = samples else { preconditionFailure("a spectrum figure of merit needs a model") }
            let sum = model.coherentSum(base: orientation, samples: p.samples)
            let spectrum = model.spectrum(from: sum, smeared: plan.request.smeared).scaled(by: p.fractionOnCrystal)
            out.value = plan.fom.value(of: spectrum, window: plan.windowMinGeV, plan.windowMaxGeV)
        }
        return out
    }

    /// A placement from its moments alone (figures of merit without a spectrum).
    func finish(_ m: SpotLattice.Moments) -> PlacementResult {
        var out = PlacementResult()
        out.fractionOnCrystal = m.onCrystal
        out.fractionOnMount = m.onMount
        out.meanThetaH = m.meanH
        out.meanThetaV = m.meanV
        if m.onCrystal > 0 { out.rmsTiltMicroradians = m.rms * 1e3 }
        let orientation = plan.orientation(meanThetaH: out.meanThetaH, meanThetaV: out.meanThetaV)
        out.thetaH = orientation.thetaHRadians * 1e3
        out.thetaV = orientation.thetaVRadians * 1e3
        out.allowed = plan.allows(fractionOnCrystal: out.fractionOnCrystal, fractionOnMount: out.fractionOnMount)
        if out.allowed { out.value = plan.fom == .rmsTilt ? out.rmsTiltMicroradians : out.fractionOnCrystal }
        return out
    }

    /// Several placements, spread over `threads` threads (one scratch each). Once `shouldStop` says so
    /// (a deadline passed: nobody waits for the answer) the rest are skipped and nil is returned.
    public func compute(_ indices: [Int], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                        shouldStop: @Sendable () -> Bool = { false }) -> [PlacementResult]? {
        if !plan.fom.needsSpectrum { return computeMoments(indices, threads: threads, shouldStop: shouldStop) }
        let stopped = Atomic(false)
        let results = Mutex([PlacementResult](repeating: PlacementResult(), count: indices.count))
        let next = Atomic<Int>(0)
        let workers = max(1, min(threads, indices.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var scratch = lattice.makeScratch()
            var local: [(Int, PlacementResult)] = []
            while !stopped.load(ordering: .relaxed) {
                if shouldStop() { stopped.store(true, ordering: .relaxed); break }
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < indices.count else { break }
                local.append((i, compute(indices[i], scratch: &scratch)))
            }
            results.withLock { r in for (i, v) in local { r[i] = v } }
        }
        return stopped.load(ordering: .relaxed) ? nil : results.withLock { $0 }
    }

    /// Moment-only maps, a map row at a time (the rows' lattice reads stay in cache).
    func computeMoments(_ indices: [Int], threads: Int, shouldStop: @Sendable () -> Bool) -> [PlacementResult]? {
        let nx = plan.ks.count
        guard !indices.isEmpty else { return [] }
        // Runs of the same map row, in the given order.
        var found: [Range<Int>] = []
        var start = 0
        for i in 1...indices.count where i == indices.count || indices[i] / nx != indices[start] / nx {
            found.append(start..<i)
            start = i
        }
        let runs = found
        let results = Mutex([PlacementResult](repeating: PlacementResult(), count: indices.count))
        let next = Atomic<Int>(0), stopped = Atomic(false)
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, runs.count))) { _ in
            while !stopped.load(ordering: .relaxed) {
                if shouldStop() { stopped.store(true, ordering: .relaxed); break }
                let r = next.add(1, ordering: .relaxed).oldValue
                guard r < runs.count else { break }
                let run = runs[r]
                let l = plan.ls[indices[run.lowerBound] / nx]
                let moments = lattice.moments(ks: run.map { plan.ks[indices[$0] % nx] }, l: l)
                let done = moments.map(finish)
                results.withLock { out in for (offset, i) in run.enumerated() { out[i] = done[offset] } }
            }
        }
        return stopped.load(ordering: .relaxed) ? nil : results.withLock { $0 }
    }
}
