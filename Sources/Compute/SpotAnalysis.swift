import API
import Physics
import Topography

/// A radiator under the beam: the tilt distribution, and from it the averaged
/// spectrum and the edge snap that compensates the spot's mean tilt.
public struct SpotAnalysis: Sendable {
    public let radiator: Radiator
    public let side: ViewSide
    public let tilt: TiltDistribution

    public init(radiator: Radiator, request: SpotfinderRequest) throws(ParameterError) {
        guard let view = radiator.view(request.viewSide) else {
            throw ParameterError(parameter: "radiator_view", message: "radiator_view = \(request.viewSide.rawValue): radiator \(radiator.name) has only \(radiator.views.map(\.side.rawValue).joined(separator: ", "))")
        }
        self.radiator = radiator
        side = request.viewSide
        tilt = TiltDistribution(view: view, placement: request.placement, spot: request.beamSpot, histogram: request.tiltHistogram)
    }

    /// The spot-averaged spectrum: crystal rates scaled by the fraction of the beam on the crystal,
    /// plus the mount's bremsstrahlung for the fraction on the mount. Give it `request(_:)`'s request.
    public func spectrum(for request: SpotfinderRequest, computation: SpectrumComputation) throws(ParameterError) -> Spectrum {
        guard tilt.fractionOnCrystal > 0 else {
            throw ParameterError(parameter: "rad_xoffset", message: "the beam spot misses the crystal of \(radiator.name) (\(side.rawValue) view): move it with rad_xoffset / rad_yoffset")
        }
        return computation.spectrum(for: request, samples: tilt.samples, fractionOnCrystal: tilt.fractionOnCrystal,
                                    fractionOnMount: tilt.fractionOnMount)
    }

    /// The request with this radiator's own thickness, crystal and mount where the caller gave none.
    public func request(_ request: SpotfinderRequest) -> SpotfinderRequest { request.withDefaults(of: radiator) }

    /// The snap for the spot's mean tilt, with the radiator's own crystal (its reciprocal vector sets the angle).
    public func snap(_ request: SpotfinderRequest, plane: PolarizationPlane) throws(ParameterError) -> SnapResponse {
        try SnapResponse(request: self.request(request), plane: plane, meanTiltH: tilt.meanThetaHMilliradians,
                         meanTiltV: tilt.meanThetaVMilliradians, radiatorName: radiator.name)
    }
}

extension SpotfinderRequest {
    /// This request with `radiator`'s own thickness, crystal and mount where the caller gave none.
    public func withDefaults(of radiator: Radiator) -> SpotfinderRequest {
        withRadiatorDefaults(thicknessMicrons: radiator.thicknessMicrons, crystal: radiator.crystal,
                             mountMaterial: radiator.mountMaterial, mountThicknessMillimeters: radiator.mountThicknessMillimeters)
    }
}
