import API
import Physics

/// The compute step every caller shares (CLI, cobrems-node, edge in-process):
/// a validated request plus an orientation set → a spectrum.
public struct SpectrumComputation: Sendable {
    public let cache: ModelCache

    public init(cache: ModelCache = ModelCache()) {
        self.cache = cache
    }

    public func model(for request: SpotfinderRequest) -> SpectrumModel {
        cache.model(beamline: request.beamline, grid: request.energyGrid)
    }

    /// Σ weight · coherent dN/dx for a slice of orientation offsets around the request's orientation
    /// (one orientation with weight 1 when `samples` is nil).
    public func coherentSum(for request: SpotfinderRequest, samples: [TiltSample]?) -> CoherentSum {
        let model = model(for: request)
        guard let samples else { return model.coherentSum(at: request.orientation) }
        return model.coherentSum(base: request.orientation, samples: samples)
    }

    /// The finished spectrum from a (possibly summed-up) coherent sum.
    public func spectrum(for request: SpotfinderRequest, sum: CoherentSum) -> Spectrum {
        model(for: request).spectrum(from: sum, smeared: request.smeared)
    }

    public func spectrum(for request: SpotfinderRequest, samples: [TiltSample]?) -> Spectrum {
        spectrum(for: request, sum: coherentSum(for: request, samples: samples))
    }

    /// A radiator under the beam: crystal rates × fraction on the crystal, plus the mount's
    /// bremsstrahlung × fraction on the mount (added to the incoherent part).
    public func spectrum(for request: SpotfinderRequest, samples: [TiltSample]?, fractionOnCrystal: Double,
                         fractionOnMount: Double) -> Spectrum {
        spectrum(for: request, samples: samples).onRadiator(fractionOnCrystal: fractionOnCrystal, fractionOnMount: fractionOnMount,
                                                            mountRateFullBeam: model(for: request).mountRateFullBeam)
    }

    /// The plane of linear polarization at the request's orientation.
    public func polarizationPlane(for request: SpotfinderRequest) -> PolarizationAzimuth? {
        model(for: request).polarizationPlane(at: request.orientation)
    }

    public func response(for request: SpotfinderRequest, samples: [TiltSample]?, radiatorName: String) -> SpectrumResponse {
        SpectrumResponse(spectrum: spectrum(for: request, samples: samples), request: request,
                         radiatorName: radiatorName, orientationsAveraged: samples?.count ?? 1,
                         plane: polarizationPlane(for: request))
    }
}
