import Foundation
import Physics

/// A fully validated request in the parameter vocabulary. Every value is
/// finite and in range, and the combinations make sense, or construction throws
/// a `ParameterError` naming the parameter and what is allowed.
public struct SpotfinderRequest: Sendable, Equatable {
    public var numbers: [String: Double]
    public var words: [String: String]
    /// `radiator_name`: "ideal" is a perfect crystal; nil means "the first radiator".
    public var radiatorName: String?

    public subscript(_ name: String) -> Double {
        guard let v = numbers[name] else { preconditionFailure("no numeric parameter \(name)") }
        return v
    }
    /// A parameter of `ParameterCatalog.optionalNumeric`: nil unless given.
    public func optional(_ name: String) -> Double? { numbers[name] }
    public func word(_ name: String) -> String {
        guard let v = words[name] else { preconditionFailure("no choice parameter \(name)") }
        return v
    }
    /// `compare` (up to `maxComparisons` times): queries of pinned spectra to overlay on spectrum plots.
    public var compareQueries: [String] = []
    /// `pin_name`: the name a pinned query carries (its legend label), if any.
    public var pinName: String?
    /// The first pinned query, if any.
    public var compareQuery: String? { compareQueries.first }
    /// How many pinned spectra one plot overlays.
    public static let maxComparisons = 4
    /// The parameters the caller gave (the rest are defaults): a named radiator's own
    /// properties replace defaults, never given values.
    public var given: Set<String> = []

    public init(query: String) throws(ParameterError) {
        try self.init(pairs: QueryString.parse(query))
    }

    public init(pairs: [(name: String, value: String)]) throws(ParameterError) {
        var numbers = Dictionary(uniqueKeysWithValues: ParameterCatalog.numeric.map { ($0.name, $0.defaultValue) })
        var words = Dictionary(uniqueKeysWithValues: ParameterCatalog.choices.map { ($0.name, $0.defaultValue) })
        var given: Set<String> = []  // to refuse a parameter given twice
        var radiatorName: String?
        var compare: [String] = []
        var pinName: String?
        for (name, value) in pairs {
            guard name == "compare" || !given.contains(name) else {
                throw ParameterError(parameter: name, message: "\(name) is given more than once; give it once")
            }
            given.insert(name)
            if let spec = ParameterCatalog.numeric.first(where: { $0.name == name })
                ?? ParameterCatalog.optionalNumeric.first(where: { $0.name == name }) {
                numbers[name] = try Self.number(value, spec)
            } else if let spec = ParameterCatalog.choices.first(where: { $0.name == name }) {
                guard spec.choices.contains(value) else {
                    throw ParameterError(parameter: name, message: "\(name) = '\(QueryString.shown(Substring(value)))' is not allowed: must be one of \(spec.choices.joined(separator: ", "))")
                }
                words[name] = value
            } else if name == "radiator_name" {
                guard value.count <= 64, !value.isEmpty,
                      value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
                      !value.hasPrefix(".") else {
                    throw ParameterError(parameter: name, message: "radiator_name = '\(QueryString.shown(Substring(value)))' is not allowed: 1–64 letters, digits, '-', '_' or '.', not starting with '.'")
                }
                radiatorName = value
            } else if name == "compare" {
                guard compare.count < Self.maxComparisons else {
                    throw ParameterError(parameter: name, message: "compare is given more than \(Self.maxComparisons) times; overlay at most \(Self.maxComparisons) pinned spectra")
                }
                compare.append(value)
            } else if name == "pin_name" {
                guard value.count <= ParameterCatalog.maxPinNameLength, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw ParameterError(parameter: name, message: "pin_name is not allowed: at most \(ParameterCatalog.maxPinNameLength) characters, no control characters")
                }
                pinName = value
            } else if ParameterCatalog.text.contains(name) {
                continue
            } else {
                throw ParameterError(parameter: QueryString.shown(Substring(name)), message: "unknown parameter '\(QueryString.shown(Substring(name)))'; the known ones are listed in the README's parameter table")
            }
        }
        self.numbers = numbers
        self.words = words
        self.radiatorName = radiatorName
        self.compareQueries = compare
        self.pinName = pinName
        self.given = given
        try checkConsistency()
    }

    static func number(_ text: String, _ spec: NumericParameter) throws(ParameterError) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard isDecimal(trimmed), let v = Double(trimmed) else {
            throw ParameterError(parameter: spec.name, message: "\(spec.name) = '\(QueryString.shown(Substring(text)))' is not a number: must be a number in \(spec.rangeText)")
        }
        guard v.isFinite else {
            throw ParameterError(parameter: spec.name, message: "\(spec.name) = \(trimmed) is not allowed: must be a finite number in \(spec.rangeText)")
        }
        guard spec.contains(v) else {
            throw ParameterError(parameter: spec.name, message: "\(spec.name) = \(trimmed) is out of range: must be in \(spec.rangeText)")
        }
        return v
    }

    /// Plain decimal notation only (`-1.5`, `2e-3`): Swift's parser also takes hex (`0x10`), `nan` and `inf`.
    static func isDecimal(_ text: String) -> Bool {
        var u = Substring(text).utf8[...]
        func digits() -> Int {
            let n = u.prefix { (0x30...0x39).contains($0) }.count
            u = u.dropFirst(n)
            return n
        }
        if u.first == UInt8(ascii: "+") || u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        var mantissa = digits()
        if u.first == UInt8(ascii: ".") { u = u.dropFirst(); mantissa += digits() }
        guard mantissa > 0 else { return false }
        if u.first == UInt8(ascii: "e") || u.first == UInt8(ascii: "E") {
            u = u.dropFirst()
            if u.first == UInt8(ascii: "+") || u.first == UInt8(ascii: "-") { u = u.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return u.isEmpty
    }

    private func checkConsistency() throws(ParameterError) {
        let e = self["ebeam_energy"]
        // A snap's edge first: past the beam energy it is the cause, and a window derived from it is not.
        if words["snap_action"] != "off" {
            let edge = self["snap_edge"]
            guard edge < e else {
                throw ParameterError(parameter: "snap_edge", message: "snap_edge = \(edge) GeV is past the beam energy: must be in (0, \(e)) GeV")
            }
        }
        let lo = self["pbeam_energy_min"], hi = self["pbeam_energy_max"], w = self["pbeam_energy_resol"]
        guard lo < hi else {
            throw ParameterError(parameter: "pbeam_energy_min", message: "pbeam_energy_min = \(lo) GeV must be below pbeam_energy_max = \(hi) GeV")
        }
        guard hi < e else {
            throw ParameterError(parameter: "pbeam_energy_max", message: "pbeam_energy_max = \(hi) GeV is past the beam energy: must be below ebeam_energy = \(e) GeV")
        }
        guard w <= hi - lo else {
            throw ParameterError(parameter: "pbeam_energy_resol", message: "pbeam_energy_resol = \(w) GeV is wider than the window: must be at most pbeam_energy_max − pbeam_energy_min = \(hi - lo) GeV")
        }
        let bins = (hi - lo + 0.4) / w
        guard bins <= Double(ParameterCatalog.maxEnergyBins) else {
            let smallest = (hi - lo + 0.4) / Double(ParameterCatalog.maxEnergyBins)
            throw ParameterError(parameter: "pbeam_energy_resol", message: String(format: "pbeam_energy_resol = %g GeV makes %.0f bins: must be at least %.4g GeV for this window (at most %d bins)", w, bins, smallest, ParameterCatalog.maxEnergyBins))
        }
        let rms = self["ebeam_rms"], largestRms = ParameterCatalog.maxRelativeEnergySpread * e
        guard rms <= largestRms else {
            throw ParameterError(parameter: "ebeam_rms", message: String(format: "ebeam_rms = %g GeV is more than 1 %% of ebeam_energy: must be in [0, %.4g] GeV at %g GeV", rms, largestRms, e))
        }
        let range = self["rad_tilt_range"], resol = self["rad_tilt_resol"]
        guard resol <= range else {
            throw ParameterError(parameter: "rad_tilt_resol", message: "rad_tilt_resol = \(resol) mrad is larger than rad_tilt_range = \(range) mrad")
        }
        guard range / resol <= Double(ParameterCatalog.maxTiltBinsPerAxis) else {
            throw ParameterError(parameter: "rad_tilt_resol", message: "rad_tilt_resol = \(resol) mrad makes \(Int(range / resol)) bins per axis: must be at least \(range / Double(ParameterCatalog.maxTiltBinsPerAxis)) mrad (at most \(ParameterCatalog.maxTiltBinsPerAxis) bins)")
        }
        let step = self["ebeam_xyresol"]
        let samples = (10 * self["ebeam_xsigma"] / step) * (10 * self["ebeam_ysigma"] / step)
        guard samples <= Double(ParameterCatalog.maxSpotSamples) else {
            let smallest = (100 * self["ebeam_xsigma"] * self["ebeam_ysigma"] / Double(ParameterCatalog.maxSpotSamples)).squareRoot()
            throw ParameterError(parameter: "ebeam_xyresol", message: String(format: "ebeam_xyresol = %g mm samples the spot at %.0f points: must be at least %.3g mm for this spot (at most %d points)", step, samples, smallest, ParameterCatalog.maxSpotSamples))
        }
    }

    // MARK: Physics views

    public var crystal: Crystal { Crystal.named(word("rad_crystal")) ?? .diamond }

    public var beamline: Beamline {
        Beamline(beamEnergyGeV: self["ebeam_energy"], beamCurrentMicroamps: self["ebeam_current"],
                 beamEnergySpreadGeV: self["ebeam_rms"], emittanceMeterRadians: self["ebeam_emittance"],
                 virtualSpotRmsMeters: self["vspot_rms"] * 1e-3, collimatorDistanceMeters: self["collimator_distance"],
                 collimatorDiameterMeters: self["collimator_diameter"] * 1e-3,
                 radiatorThicknessMeters: self["rad_thickness"] * 1e-6, crystal: crystal,
                 collimated: word("collimated") == "on", mount: mount)
    }

    /// The radiator's mount; none for the ideal crystal (nothing of it is under the beam).
    public var mount: RadiatorMount? {
        guard !isIdealRadiator, self["rad_mount_thickness"] > 0,
              let material = MountMaterial.named(word("rad_mount_material")) else { return nil }
        return RadiatorMount(material: material, thicknessMeters: self["rad_mount_thickness"] * 1e-3)
    }

    /// This request for a named radiator: its own thickness, crystal and mount replace the
    /// defaults of `rad_thickness`, `rad_crystal`, `rad_mount_thickness` and `rad_mount_material`
    /// (values the caller gave win). The result shows them in `understood`.
    public func withRadiatorDefaults(thicknessMicrons: Double, crystal: String, mountMaterial: String,
                                     mountThicknessMillimeters: Double) -> SpotfinderRequest {
        var r = self
        func number(_ name: String, _ value: Double) {
            guard !given.contains(name), let spec = ParameterCatalog.numeric.first(where: { $0.name == name }),
                  spec.contains(value) else { return }
            r.numbers[name] = value
        }
        func choice(_ name: String, _ value: String) {
            guard !given.contains(name), let spec = ParameterCatalog.choices.first(where: { $0.name == name }),
                  spec.choices.contains(value) else { return }
            r.words[name] = value
        }
        number("rad_thickness", thicknessMicrons)
        number("rad_mount_thickness", mountThicknessMillimeters)
        choice("rad_crystal", crystal)
        choice("rad_mount_material", mountMaterial)
        return r
    }

    public var energyGrid: EnergyGrid {
        EnergyGrid(minGeV: self["pbeam_energy_min"], maxGeV: self["pbeam_energy_max"],
                   binWidthGeV: self["pbeam_energy_resol"], beamEnergyGeV: self["ebeam_energy"])
    }

    public var orientation: CrystalOrientation {
        CrystalOrientation(thetaHMilliradians: self["rad_thetah"], thetaVMilliradians: self["rad_thetav"],
                           thetaZMilliradians: self["rad_thetaz"])
    }

    public var smeared: Bool { word("beam_crystal_smearing") == "on" }

    /// The snap (which goniometer angle carries the small tilt), or nil when snap_action=off. GlueX's
    /// PARA / PERP choose it from θz (`GlueXPlane.snapPlane`); snap_para / snap_perp are the original
    /// tool's buttons and keep their meaning.
    public var snapPlane: PolarizationPlane? {
        switch word("snap_action") {
        case "snap_para": return .para
        case "snap_perp": return .perp
        case "PARA": return GlueXPlane.snapPlane(for: .para, thetaZMilliradians: self["rad_thetaz"])
        case "PERP": return GlueXPlane.snapPlane(for: .perp, thetaZMilliradians: self["rad_thetaz"])
        default: return nil
        }
    }

    public var isIdealRadiator: Bool { radiatorName == "ideal" }
}
