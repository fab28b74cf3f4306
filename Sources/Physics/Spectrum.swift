/// A photon spectrum over the output window: rates in photons/s/GeV at bin centres.
public struct Spectrum: Sendable, Equatable {
    public let energyGeV: [Double]
    public let coherent: [Double]
    public let coherentPolarized: [Double]
    public let incoherent: [Double]
    public let binWidthGeV: Double

    public init(energyGeV: [Double], coherent: [Double], coherentPolarized: [Double], incoherent: [Double],
                binWidthGeV: Double) {
        self.energyGeV = energyGeV
        self.coherent = coherent
        self.coherentPolarized = coherentPolarized
        self.incoherent = incoherent
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
                 binWidthGeV: binWidthGeV)
    }
}
