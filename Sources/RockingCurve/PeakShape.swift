#if canImport(Glibc)
import Glibc
#endif

/// The peak models of the fits and the motor correction: a pseudo-Voigt of full width Γ at half
/// maximum, `η·L + (1−η)·G` with G a Gaussian and L a Lorentzian of that same FWHM; η = 0 is
/// the Gaussian. Heights are 1 at the centre.
public struct PeakShape: Sendable, Hashable {
    public var centre: Double
    public var fwhm: Double
    public var eta: Double

    public init(centre: Double, fwhm: Double, eta: Double) {
        self.centre = centre
        self.fwhm = fwhm
        self.eta = eta
    }

    static let fourLn2 = 4 * log(2.0)

    /// The profile at angle a.
    @inline(__always)
    public func value(_ a: Double) -> Double {
        let d = (a - centre) / fwhm, x2 = d * d
        return eta / (1 + 4 * x2) + (1 - eta) * exp(-PeakShape.fourLn2 * x2)
    }

    /// The profile and its partial derivatives at angle a: by the centre, by the FWHM, by η.
    @inline(__always)
    func valueAndDerivatives(_ a: Double) -> (value: Double, dCentre: Double, dFwhm: Double, dEta: Double) {
        let d = a - centre, inverse = 1 / fwhm
        let u = d * inverse, x2 = u * u
        let g = exp(-PeakShape.fourLn2 * x2)
        let l = 1 / (1 + 4 * x2)
        // d/dd of G = G·(−8 ln2·d/Γ²); of L = −L²·8d/Γ². d/dΓ of G = G·8 ln2·d²/Γ³; of L = L²·8d²/Γ³.
        let gSlope = -2 * PeakShape.fourLn2 * u * inverse * g
        let lSlope = -8 * u * inverse * l * l
        let profileSlope = eta * lSlope + (1 - eta) * gSlope
        return (eta * l + (1 - eta) * g, -profileSlope, -profileSlope * u, l - g)
    }

    /// The area under a profile of unit height, µrad.
    public var area: Double {
        fwhm * (eta * Double.pi / 2 + (1 - eta) * (Double.pi / PeakShape.fourLn2).squareRoot())
    }
}
