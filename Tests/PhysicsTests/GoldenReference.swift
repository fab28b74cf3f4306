import Foundation
import Physics

/// The reference model's golden spectra from ../shared/testdata, with the tolerances written there.
struct GoldenCase: Decodable, Sendable, CustomStringConvertible {
    struct Params: Decodable, Sendable {
        let ebeam_energy: Double, rad_thetah: Double, rad_thetav: Double
        let pbeam_energy_min: Double, pbeam_energy_max: Double, pbeam_energy_resol: Double
        let ebeam_current: Double, ebeam_rms: Double, ebeam_emittance: Double, vspot_rms: Double
        let collimator_distance: Double, collimator_diameter: Double, rad_thickness: Double
        var rad_thetaz: Double? = nil
        var rad_crystal: String? = nil
        var collimated: Bool? = nil
    }
    struct Orientation: Decodable, Sendable {
        let thetah_offset_mr: Double, thetav_offset_mr: Double, weight: Double
    }
    let name: String
    let convolved: Bool
    let params: Params
    let edge_GeV: Double?
    let plane: String?
    let orientations: [Orientation]?
    let energy_GeV: [Double]
    let coherent_rate: [Double]
    let coherent_polarized_rate: [Double]
    let incoherent_rate: [Double]

    var description: String { "\(name) (\(convolved ? "smeared" : "raw"))" }

    /// The reference ignores `ebeam_rms`: its numbers are ours at zero spread.
    var beamline: Beamline { beamline(spreadGeV: 0) }

    func beamline(spreadGeV: Double) -> Beamline {
        Beamline(beamEnergyGeV: params.ebeam_energy, beamCurrentMicroamps: params.ebeam_current,
                 beamEnergySpreadGeV: spreadGeV, emittanceMeterRadians: params.ebeam_emittance,
                 virtualSpotRmsMeters: params.vspot_rms * 1e-3, collimatorDistanceMeters: params.collimator_distance,
                 collimatorDiameterMeters: params.collimator_diameter * 1e-3,
                 radiatorThicknessMeters: params.rad_thickness * 1e-6,
                 crystal: Crystal.named(params.rad_crystal ?? "diamond") ?? .diamond, collimated: params.collimated ?? true)
    }
    var grid: EnergyGrid {
        EnergyGrid(minGeV: params.pbeam_energy_min, maxGeV: params.pbeam_energy_max,
                   binWidthGeV: params.pbeam_energy_resol, beamEnergyGeV: params.ebeam_energy)
    }
    var orientation: CrystalOrientation {
        CrystalOrientation(thetaHMilliradians: params.rad_thetah, thetaVMilliradians: params.rad_thetav,
                           thetaZMilliradians: params.rad_thetaz ?? 0)
    }
    var samples: [TiltSample] {
        (orientations ?? []).map {
            TiltSample(thetaHOffsetMilliradians: $0.thetah_offset_mr, thetaVOffsetMilliradians: $0.thetav_offset_mr,
                       weight: $0.weight)
        }
    }

    static func load(_ file: String, from directory: URL = sharedTestData) -> [GoldenCase] {
        struct File: Decodable { let cases: [GoldenCase] }
        let url = directory.appendingPathComponent(file)
        guard let data = try? Data(contentsOf: url) else { return [] }
        return (try? JSONDecoder().decode(File.self, from: data).cases) ?? []
    }

    /// Tests/PhysicsTests/ReferenceData: numbers made with the reference C++ (see its README).
    static var ownReferenceData: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ReferenceData")
    }

    /// ../shared/testdata beside the checkout (or SPOTFINDER_TESTDATA).
    static var sharedTestData: URL {
        if let dir = ProcessInfo.processInfo.environment["SPOTFINDER_TESTDATA"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }
}

/// The testdata README's acceptance rule for one rate array, restricted to the window.
struct ToleranceReport: CustomStringConvertible {
    var bins = 0, checked = 0, withinHalfPercent = 0
    var worstRelative = 0.0, worstEnergy = 0.0
    var hardFailures: [String] = []

    init(energy: [Double], ours: [Double], reference: [Double], window: ClosedRange<Double>) {
        let maxRef = reference.max() ?? 0
        for (i, e) in energy.enumerated() where window.contains(e) {
            bins += 1
            let r = reference[i], o = ours[i]
            let diff = abs(o - r)
            let rel = r != 0 ? diff / abs(r) : (diff == 0 ? 0 : .infinity)
            if !(rel <= 0.03 || diff <= 0.002 * maxRef) {
                hardFailures.append(String(format: "E=%.3f ours=%.6g ref=%.6g rel=%.4f", e, o, r, rel))
            }
            if r < 0.01 * maxRef { continue }
            checked += 1
            if rel <= 0.005 { withinHalfPercent += 1 }
            if rel > worstRelative { worstRelative = rel; worstEnergy = e }
        }
    }

    var passes: Bool {
        hardFailures.isEmpty && Double(withinHalfPercent) >= 0.99 * Double(checked)
    }

    var description: String {
        String(format: "%d/%d bins within 0.5%%, worst %.4f%% at %.3f GeV; hard failures: %@",
               withinHalfPercent, checked, worstRelative * 100, worstEnergy, hardFailures.prefix(5).joined(separator: "; "))
    }
}
