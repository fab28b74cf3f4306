import Physics

/// The JSON answer for a spectrum: the arrays the plots need, the headline
/// numbers the original tool printed, and the request as understood.
public struct SpectrumResponse: Codable, Sendable, Equatable {
    public struct Orientation: Codable, Sendable, Equatable {
        public var rad_thetah: Double
        public var rad_thetav: Double
        public var rad_thetaz: Double
    }
    public struct Summary: Codable, Sendable, Equatable {
        public var coherent_peak_GeV: Double?
        public var peak_intensity_per_s_per_GeV: Double
        public var total_rate_per_s: Double
        public var peak_enhancement: Double
        public var mean_enhancement: Double
        public var peak_polarization: Double
        public var mean_polarization: Double
    }

    public var radiator_name: String
    public var orientation: Orientation
    public var orientations_averaged: Int
    public var beam_crystal_smearing: Bool
    public var collimated: Bool
    public var parameters: [String: String]
    public var energy_GeV: [Double]
    public var coherent: [Double]
    public var coherent_polarized: [Double]
    public var incoherent: [Double]
    public var enhancement: [Double]
    public var polarization: [Double]
    public var summary: Summary
    public var units: [String: String]
    /// For a radiator: the fraction of the beam on the crystal (the crystal's rates are scaled by it).
    public var fraction_on_crystal: Double?
    /// For a radiator: the fraction of the beam on its mount, whose amorphous bremsstrahlung (`mount`)
    /// is added to `incoherent`.
    public var fraction_on_mount: Double?
    /// photons/s/GeV from the mount (included in `incoherent`; zeros for the ideal crystal).
    public var mount: [Double]
    /// The plane of linear polarization, beam view: azimuth from the horizontal in [0, 180) degrees
    /// (the dominant reflection's q_T), and "horizontal", "vertical" or "oblique"; nil when nothing
    /// radiates coherently in the window.
    public var polarization_plane_deg: Double?
    public var polarization_plane: String?
    /// The same plane in Hall D coordinates (x to beam left, y up; `GlueXPlane`), degrees in (−90, 90],
    /// and its GlueX name ("PARA 0/90", "PERP 0/90", "PARA 45/135", "PERP 45/135"; nil for other planes).
    public var polarization_plane_halld_deg: Double?
    public var gluex_plane: String?
    /// (h, k, l) of the reflection that sets the plane.
    public var dominant_reflection: [Int]?

    /// Degrees to 10⁻⁶ as the JSON answer writes them, so RPC answers (WireMapping) carry the same number.
    public static func roundedDegrees(_ degrees: Double) -> Double { (degrees * 1e6).rounded() / 1e6 }

    public init(spectrum: Spectrum, request: SpotfinderRequest, radiatorName: String, orientationsAveraged: Int,
                fractionOnCrystal: Double? = nil, fractionOnMount: Double? = nil, plane: PolarizationAzimuth? = nil) {
        fraction_on_crystal = fractionOnCrystal
        fraction_on_mount = fractionOnMount
        mount = spectrum.mount
        polarization_plane_deg = plane.map { ($0.degrees * 1e6).rounded() / 1e6 }
        polarization_plane = plane?.label.rawValue
        polarization_plane_halld_deg = plane.map { Self.roundedDegrees($0.gluex.hallDDegrees) }
        gluex_plane = plane?.gluex.label
        dominant_reflection = plane.map { [Int($0.hkl.x), Int($0.hkl.y), Int($0.hkl.z)] }
        radiator_name = radiatorName
        orientation = Orientation(rad_thetah: request["rad_thetah"], rad_thetav: request["rad_thetav"],
                                  rad_thetaz: request["rad_thetaz"])
        orientations_averaged = orientationsAveraged
        beam_crystal_smearing = request.smeared
        collimated = request.beamline.collimated
        parameters = request.understood
        energy_GeV = spectrum.energyGeV
        coherent = spectrum.coherent
        coherent_polarized = spectrum.coherentPolarized
        incoherent = spectrum.incoherent
        let enhancement = spectrum.enhancement, polarization = spectrum.polarization
        self.enhancement = enhancement
        self.polarization = polarization
        let total = spectrum.total
        func mean(_ a: [Double]) -> Double { a.isEmpty ? 0 : a.reduce(0, +) / Double(a.count) }
        summary = Summary(coherent_peak_GeV: spectrum.coherentPeakEnergyGeV,
                          peak_intensity_per_s_per_GeV: total.max() ?? 0,
                          total_rate_per_s: spectrum.totalRatePerSecond,
                          peak_enhancement: enhancement.max() ?? 0, mean_enhancement: mean(enhancement),
                          peak_polarization: polarization.max() ?? 0, mean_polarization: mean(polarization))
        units = ["energy_GeV": "GeV", "coherent": "photons/s/GeV", "coherent_polarized": "photons/s/GeV",
                 "incoherent": "photons/s/GeV", "mount": "photons/s/GeV", "enhancement": "ratio", "polarization": "fraction",
                 "orientation": "mrad", "polarization_plane_deg": "degrees", "polarization_plane_halld_deg": "degrees"]
    }
}

extension SpotfinderRequest {
    /// Every parameter as the server understood it (defaults filled in), for echoing back.
    public var understood: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in numbers { out[k] = "\(v)" }
        for (k, v) in words { out[k] = v }
        out["radiator_name"] = radiatorName ?? ""
        return out
    }
}
