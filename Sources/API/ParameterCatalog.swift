import Physics

/// One numeric parameter of the vocabulary: its name (the original tool's),
/// unit, default and the allowed range.
public struct NumericParameter: Sendable {
    public let name: String
    public let unit: String
    public let defaultValue: Double
    public let lower: Double
    public let upper: Double
    /// Whether the bounds themselves are allowed.
    public let lowerInclusive: Bool
    public let upperInclusive: Bool
    public let meaning: String

    public var rangeText: String {
        "\(lowerInclusive ? "[" : "(")\(Self.format(lower)), \(Self.format(upper))\(upperInclusive ? "]" : ")")"
            + (unit.isEmpty ? "" : " \(unit)")
    }

    func contains(_ v: Double) -> Bool {
        (lowerInclusive ? v >= lower : v > lower) && (upperInclusive ? v <= upper : v < upper)
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e6 ? String(Int(v)) : "\(v)"
    }
}

/// One parameter taking a word from a fixed list.
public struct ChoiceParameter: Sendable {
    public let name: String
    public let choices: [String]
    public let defaultValue: String
    public let meaning: String
}

/// The whole vocabulary: web query, JSON API, CLI and proto fields all use these names.
public enum ParameterCatalog {
    static func n(_ name: String, _ unit: String, _ def: Double, _ lo: Double, _ hi: Double,
                  lowerInclusive: Bool = true, upperInclusive: Bool = true, _ meaning: String) -> NumericParameter {
        NumericParameter(name: name, unit: unit, defaultValue: def, lower: lo, upper: hi,
                         lowerInclusive: lowerInclusive, upperInclusive: upperInclusive, meaning: meaning)
    }

    public static let numeric: [NumericParameter] = [
        n("ebeam_energy", "GeV", 11.6, 0.1, 100, "electron beam energy"),
        n("ebeam_current", "µA", 2.2, 0, 1000, lowerInclusive: false, "electron beam current"),
        n("ebeam_rms", "GeV", 0, 0, 1, "rms beam energy spread (at most 1 % of ebeam_energy); spectra are averaged over it"),
        n("ebeam_xsigma", "mm", 1.0, 0.001, 10, "beam spot rms x at the radiator"),
        n("ebeam_ysigma", "mm", 0.5, 0.001, 10, "beam spot rms y at the radiator"),
        n("ebeam_xycorr", "", -0.6, -1, 1, lowerInclusive: false, upperInclusive: false, "beam spot x–y correlation"),
        n("ebeam_xyresol", "mm", 0.02, 0.001, 1, "beam spot sampling step"),
        n("ebeam_emittance", "m·rad", 4.2e-9, 0, 1e-6, lowerInclusive: false, "transverse emittance"),
        n("vspot_rms", "mm", 0.5, 0.001, 20, "virtual beam spot rms at the collimator"),
        n("rad_thickness", "µm", 50, 1, 5000, "radiator thickness (default: the named radiator's own, else 50)"),
        n("rad_mount_thickness", "mm", MountMaterial.defaultThicknessMillimeters, 0, 20, "thickness of the radiator's mount along the beam (default: the radiator's own, else 1; 0: it does not radiate)"),
        n("collimator_diameter", "mm", 3.4, 0, 200, lowerInclusive: false, "collimator aperture diameter"),
        n("collimator_distance", "m", 76, 1, 1000, "radiator to collimator distance"),
        n("rad_xoffset", "mm", 0, -50, 50, "radiator shift in x (beam view)"),
        n("rad_yoffset", "mm", 0, -50, 50, "radiator shift in y (beam view)"),
        n("rad_phideg", "deg", 0, -360, 360, "radiator rotation, counter-clockwise in beam view"),
        n("rad_thetah", "mrad", 1.2296467307569028, -1600, 1600, "goniometer tilt θH (rotation about x); default: the original snap_para (GlueX PERP 0/90), edge at 6 GeV for 11.6 GeV"),
        n("rad_thetav", "mrad", 50, -1600, 1600, "goniometer tilt θV (rotation about y)"),
        n("rad_thetaz", "mrad", 0, -3200, 3200, "crystal rotation about the beam axis (GlueX 0/90: 0; 45/135: 785.398163 = 45°)"),
        n("rad_tilt_range", "mrad", 1, 0, 20, lowerInclusive: false, "extent of the tilt histogram"),
        n("rad_tilt_resol", "mrad", 0.01, 0.0005, 1, "bin of the tilt histogram"),
        n("pbeam_energy_min", "GeV", 4.5, 0.001, 100, "photon energy window start"),
        n("pbeam_energy_max", "GeV", 7.0, 0.001, 100, "photon energy window end"),
        n("pbeam_energy_resol", "GeV", 0.02, 0.0005, 5, "photon energy bin width"),
        n("snap_edge", "GeV", 6.0, 0, 100, lowerInclusive: false, "coherent edge energy to snap to"),
        n("size_px", "px", 600, 200, 2000, "plot size"),
        n("min_on_crystal", "", 0.99, 0, 1, "spot map: least fraction of the beam on the crystal for a placement to be ranked"),
        n("ebeam_jitter", "mm", 0.3, 0, 5, "spot map: the beam's expected position jitter (radius); best spots are ranked by the worst value within it"),
    ]

    /// Numeric parameters without a fixed default: absent unless given (the spot map derives
    /// them from the radiator and the other parameters); validated like the others.
    public static let optionalNumeric: [NumericParameter] = [
        n("fom_window_min", "GeV", .nan, 0, 100, lowerInclusive: false, "spot map: tagging window start (default snap_edge − 0.6)"),
        n("fom_window_max", "GeV", .nan, 0, 100, lowerInclusive: false, "spot map: tagging window end (default snap_edge)"),
        n("map_xmin", "mm", .nan, -50, 50, "spot map: smallest rad_xoffset (default: the whole crystal)"),
        n("map_xmax", "mm", .nan, -50, 50, "spot map: largest rad_xoffset"),
        n("map_ymin", "mm", .nan, -50, 50, "spot map: smallest rad_yoffset"),
        n("map_ymax", "mm", .nan, -50, 50, "spot map: largest rad_yoffset"),
        n("map_step", "mm", .nan, 0.001, 50, "spot map: placement step (default: about 41 × 41 placements)"),
    ]

    public static let choices: [ChoiceParameter] = [
        ChoiceParameter(name: "radiator_view", choices: ["front", "back"], defaultValue: "front", meaning: "side facing upstream"),
        ChoiceParameter(name: "snap_action", choices: ["off", "snap_para", "snap_perp", "PARA", "PERP"], defaultValue: "off",
                        meaning: "snap the primary edge: PARA / PERP (GlueX's planes for the θz setup), or the original tool's snap_para (GlueX PERP at θz = 0) / snap_perp (GlueX PARA)"),
        ChoiceParameter(name: "plot_type", choices: ["spot", "tilt", "intense", "enhance", "polar", "map"], defaultValue: "tilt", meaning: "which plot"),
        ChoiceParameter(name: "beam_crystal_smearing", choices: ["on", "off"], defaultValue: "on", meaning: "beam–crystal smearing of the coherent peaks"),
        ChoiceParameter(name: "collimated", choices: ["on", "off"], defaultValue: "on", meaning: "collimated (on) or all-angle (off) rates"),
        ChoiceParameter(name: "rad_crystal", choices: ["diamond", "silicon"], defaultValue: "diamond", meaning: "crystal of an ideal radiator (default: a named radiator's own)"),
        ChoiceParameter(name: "rad_mount_material", choices: MountMaterial.all.map(\.name), defaultValue: MountMaterial.defaultMaterial.name,
                        meaning: "material of the radiator's mount (default: the radiator's own)"),
        ChoiceParameter(name: "format", choices: ["png", "csv", "json"], defaultValue: "png", meaning: "plot output format"),
        ChoiceParameter(name: "map_quantity", choices: ["thetah", "thetav", "elevation"], defaultValue: "thetah", meaning: "what the spot plot's topograph shows"),
        ChoiceParameter(name: "palette", choices: ["default", "viridis", "bird", "diverging"], defaultValue: "default", meaning: "colour map of map plots"),
        ChoiceParameter(name: "transparent", choices: ["off", "on"], defaultValue: "off", meaning: "transparent plot background"),
        ChoiceParameter(name: "fom", choices: ["peak_polarization", "window_polarization", "p2n", "window_flux", "rms_tilt", "fraction_on_crystal"],
                        defaultValue: "peak_polarization", meaning: "spot map: the figure of merit"),
        ChoiceParameter(name: "map_resnap", choices: ["on", "off"], defaultValue: "on", meaning: "spot map: re-snap the goniometer at every placement"),
        ChoiceParameter(name: "map_scale", choices: ["honest", "stretch"], defaultValue: "honest",
                        meaning: "spot map colours: honest (the colour bar spans at least 10 % of the best value, so a small spread looks uniform) or stretch (lowest to highest value)"),
    ]

    /// Free-text parameters; `iteration` (the original page's cache-buster) and `panels` (the page layout) are accepted and ignored; `compare` holds a pinned query;
    /// `pin_name` (inside a `compare` query) names that pinned curve in the plot's legend and downloads.
    public static let text: [String] = ["radiator_name", "iteration", "compare", "panels", "pin_name"]
    /// Longest `pin_name`, characters.
    public static let maxPinNameLength = 80

    /// Largest ebeam_rms as a fraction of ebeam_energy. The default is 0 (the reference model and
    /// the original tool ignore the spread, so default answers are the reference's). The edge-probability treatment of the spread is first order in σ/E:
    /// it matches a brute-force average to 1e-3 of the peak at σ/E ≤ 1e-3 (tested).
    public static let maxRelativeEnergySpread = 0.01

    /// Largest number of computed energy bins: the smearing is O(bins²).
    public static let maxEnergyBins = 4000
    /// Largest number of beam-spot sample points (±5σ box at the sampling step).
    public static let maxSpotSamples = 4_000_000
    /// Largest tilt histogram side, bins: 500² weights (plus the occupied bins' samples) fit the
    /// 16 MiB RPC frame with room to spare, and its CSV export stays near 15 MB.
    public static let maxTiltBinsPerAxis = 500
}
