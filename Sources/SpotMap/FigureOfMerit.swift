import Physics

/// What the spot map ranks placements by (`fom`).
public enum FigureOfMerit: String, Sendable, CaseIterable {
    /// Largest linear polarization in the photon window.
    case peakPolarization = "peak_polarization"
    /// Flux-weighted mean polarization in the tagging window: Σ P·N / Σ N.
    case windowPolarization = "window_polarization"
    /// Σ P²·N over the tagging window (photons/s): the statistical figure of merit of a polarization measurement.
    case p2n
    /// Collimated coherent + incoherent rate in the tagging window, photons/s.
    case windowFlux = "window_flux"
    /// rms crystal tilt under the spot, µrad (lower is better).
    case rmsTilt = "rms_tilt"
    /// Share of the beam on the crystal.
    case fractionOnCrystal = "fraction_on_crystal"

    public var needsSpectrum: Bool { self != .rmsTilt && self != .fractionOnCrystal }
    public var higherIsBetter: Bool { self != .rmsTilt }

    public var title: String {
        switch self {
        case .peakPolarization: return "peak polarization"
        case .windowPolarization: return "mean polarization in the tagging window"
        case .p2n: return "P²·N in the tagging window (photons/s)"
        case .windowFlux: return "photon rate in the tagging window (photons/s)"
        case .rmsTilt: return "rms tilt under the spot (µrad)"
        case .fractionOnCrystal: return "fraction of the beam on the crystal"
        }
    }

    /// The figure of merit of a finished spectrum; the tagging window takes bins whose centres lie in [lo, hi] GeV.
    public func value(of s: Spectrum, window lo: Double, _ hi: Double) -> Double {
        switch self {
        case .peakPolarization:
            return s.polarization.max() ?? 0
        case .windowPolarization, .p2n, .windowFlux:
            var pn = 0.0, p2n = 0.0, n = 0.0
            for i in s.energyGeV.indices where s.energyGeV[i] >= lo && s.energyGeV[i] <= hi {
                let total = s.coherent[i] + s.incoherent[i]
                guard total > 0 else { continue }
                let p = s.coherentPolarized[i] / total
                n += total * s.binWidthGeV
                pn += p * total * s.binWidthGeV
                p2n += p * p * total * s.binWidthGeV
            }
            switch self {
            case .windowPolarization: return n > 0 ? pn / n : 0
            case .p2n: return p2n
            default: return n
            }
        case .rmsTilt, .fractionOnCrystal:
            preconditionFailure("\(rawValue) needs no spectrum")
        }
    }
}
