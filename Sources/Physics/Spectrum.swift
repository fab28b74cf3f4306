/// A photon spectrum over the output window: rates in photons/s/GeV at bin centres.
public struct Spectrum: Sendable, Equatable {
    public let energyGeV: [Double]
    public let coherent: [Double]
    public let coherentPolarized: [Double]
    /// Unpolarized rate: the crystal's incoherent part plus the mount's (`mount`).
    public let incoherent: [Double]
    /// The part of `incoherent` radiated by the radiator's mount (zeros for a bare crystal).
    public let mount: [Double]
    public let binWidthGeV: Double

    public init(energyGeV: [Double], coherent: [Double], coherentPolarized: [Double], incoherent: [Double],
                binWidthGeV: Double, mount: [Double]? = nil) {
        self.energyGeV = energyGeV
        self.coherent = coherent
        self.coherentPolarized = coherentPolarized
        self.incoherent = incoherent
        self.mount = mount ?? Array(repeating: 0, count: incoherent.count)
        self.binWidthGeV = binWidthGeV
    }

    /// Coherent plus incoherent, photons/s/GeV.
    public var total: [Double] { zip(coherent, incoherent).map(+) }

    /// (coherent + incoherent) / incoherent.
    public var enhancement: [Double] {
        zip(coherent, incoherent).map { c, i in i > 0 ? (c + i) / i : 1 }
    }

    /// coherent_polarized / (coherent + incoherent).
    public var polarization: [Double] {
        (0..<coherent.count).map { i in
            let t = coherent[i] + incoherent[i]
            return t > 0 ? coherentPolarized[i] / t : 0
        }
    }

    /// Photons/s in the window: Σ rate · bin width.
    public var totalRatePerSecond: Double { total.reduce(0, +) * binWidthGeV }

    /// Energy of the largest coherent rate: where the primary peak sits.
    public var coherentPeakEnergyGeV: Double? {
        coherent.indices.max { coherent[$0] < coherent[$1] }.map { energyGeV[$0] }
    }
}

extension Spectrum {
    /// Rates scaled by a factor (e.g. the fraction of the beam that hits the crystal); ratios unchanged.
    public func scaled(by factor: Double) -> Spectrum {
        Spectrum(energyGeV: energyGeV, coherent: coherent.map { $0 * factor },
                 coherentPolarized: coherentPolarized.map { $0 * factor }, incoherent: incoherent.map { $0 * factor },
                 binWidthGeV: binWidthGeV, mount: mount.map { $0 * factor })
    }

    /// The spectrum of a radiator under the beam: the crystal's rates scaled by the fraction
    /// of the beam on the crystal, plus the mount's amorphous bremsstrahlung (`mountRateFullBeam`,
    /// the rate with the whole beam on the mount) scaled by the fraction on the mount,
    /// added to the unpolarized part. Polarization is diluted accordingly.
    public func onRadiator(fractionOnCrystal: Double, fractionOnMount: Double, mountRateFullBeam: [Double]) -> Spectrum {
        let crystal = scaled(by: fractionOnCrystal)
        guard fractionOnMount > 0, mountRateFullBeam.count == incoherent.count else { return crystal }
        let mountPart = mountRateFullBeam.map { $0 * fractionOnMount }
        return Spectrum(energyGeV: energyGeV, coherent: crystal.coherent, coherentPolarized: crystal.coherentPolarized,
                        incoherent: zip(crystal.incoherent, mountPart).map(+), binWidthGeV: binWidthGeV,
                        mount: zip(crystal.mount, mountPart).map(+))
    }
}
