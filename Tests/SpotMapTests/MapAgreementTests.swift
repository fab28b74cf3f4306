import API
import Compute
import Foundation
import Physics
import SpotMap
import Testing
import Topography

/// Every map value against the single-placement answer computed the ordinary way
/// (TiltDistribution at that offset, the snap for its mean tilt, the spot-averaged spectrum).
@Suite struct MapAgreementTests {
    static let radiators = Dictionary(uniqueKeysWithValues: SyntheticRadiators.all.map { ($0.name, $0) })
    static let computation = SpectrumComputation()

    /// The single-placement figure of merit for `request` moved to (x, y).
    static func single(_ query: String, x: Double, y: Double, plan: MapPlan) throws -> (value: Double?, fraction: Double, rms: Double?, thetaH: Double, thetaV: Double) {
        var q = query + "&rad_xoffset=\(x)&rad_yoffset=\(y)"
        let request0 = try SpotfinderRequest(query: q)
        let radiator = radiators[request0.radiatorName!]!
        let analysis = try SpotAnalysis(radiator: radiator, request: request0)
        let t = analysis.tilt
        let rms: Double? = t.fractionOnCrystal > 0 ? (t.rmsThetaHMilliradians * t.rmsThetaHMilliradians + t.rmsThetaVMilliradians * t.rmsThetaVMilliradians).squareRoot() * 1e3 : nil
        var thetaH = request0["rad_thetah"], thetaV = request0["rad_thetav"]
        if let plane = plan.resnap {
            let snap = try analysis.snap(request0, plane: plane)
            thetaH = snap.rad_thetah; thetaV = snap.rad_thetav
            q += "&rad_thetah=\(snap.rad_thetah)&rad_thetav=\(snap.rad_thetav)"
        }
        let allowed = t.fractionOnCrystal >= plan.minOnCrystal && t.fractionOnMount <= MapPlan.maxOnMount && t.fractionOnCrystal > 0
        guard allowed else { return (nil, t.fractionOnCrystal, rms, thetaH, thetaV) }
        switch plan.fom {
        case .rmsTilt: return (rms, t.fractionOnCrystal, rms, thetaH, thetaV)
        case .fractionOnCrystal: return (t.fractionOnCrystal, t.fractionOnCrystal, rms, thetaH, thetaV)
        default:
            let request = try SpotfinderRequest(query: q)
            let spectrum = try SpotAnalysis(radiator: radiator, request: request).spectrum(for: request, computation: computation)
            return (plan.fom.value(of: spectrum, window: plan.windowMinGeV, plan.windowMaxGeV), t.fractionOnCrystal, rms, thetaH, thetaV)
        }
    }

    static func close(_ a: Double, _ b: Double, rel: Double = 0.005, abs absTol: Double = 1e-9) -> Bool {
        abs(a - b) <= max(absTol, rel * max(abs(a), abs(b)))
    }

    @Test(arguments: [
        // near the edges and the mount (tab lower right: negative x offsets move it under the beam… both signs covered)
        ("radiator_name=SF-E01&fom=peak_polarization&map_resnap=off&ebeam_xsigma=0.5&ebeam_ysigma=0.3&map_xmin=-3.6&map_xmax=3.6&map_ymin=-3.6&map_ymax=3.6&map_step=1.8", "SF-E01"),
        ("radiator_name=SF-G03&fom=window_polarization&map_resnap=on&snap_action=snap_para&map_xmin=-3.2&map_xmax=2.8&map_ymin=-3&map_ymax=3&map_step=1.5&min_on_crystal=0.9", "SF-G03"),
        ("radiator_name=SF-P07&fom=p2n&map_resnap=on&rad_phideg=30&map_xmin=-3&map_xmax=3&map_ymin=-3&map_ymax=3&map_step=1.5&min_on_crystal=0.5", "SF-P07"),
        ("radiator_name=SF-G04&fom=window_flux&map_resnap=off&radiator_view=back&ebeam_xsigma=0.4&ebeam_ysigma=0.4&ebeam_xycorr=0.2&map_xmin=-2.5&map_xmax=2.5&map_ymin=-3&map_ymax=3&map_step=1.5", "SF-G04"),
        ("radiator_name=SF-F05&fom=rms_tilt&map_xmin=-3.5&map_xmax=3.5&map_ymin=-3&map_ymax=3&map_step=1.4&min_on_crystal=0", "SF-F05"),
        ("radiator_name=SF-E02&fom=fraction_on_crystal&rad_phideg=-75&map_step=1.6&min_on_crystal=0.3", "SF-E02"),
    ])
    func mapEqualsSinglePlacements(query: String, name: String) throws {
        let request = try SpotfinderRequest(query: query)
        let radiator = Self.radiators[name]!
        let view = radiator.view(request.viewSide)!
        let model = Self.computation.model(for: request)
        let map = try LocalMap.compute(request: request, view: view, radiatorName: name, model: model)
        let plan = try MapPlan(request: request, view: view)
        #expect(map.placements == map.x_offsets_mm.count * map.y_offsets_mm.count)
        var compared = 0, valued = 0
        for (row, y) in map.y_offsets_mm.enumerated() {
            for (column, x) in map.x_offsets_mm.enumerated() {
                let i = row * map.x_offsets_mm.count + column
                let s = try Self.single(query, x: x, y: y, plan: plan)
                // Sample points that fall exactly between two topograph pixels may round either way: 1e-3.
                #expect(Self.close(map.fraction_on_crystal[i], s.fraction, rel: 1e-3), "fraction at (\(x), \(y))")
                #expect((map.rms_tilt_urad[i] == nil) == (s.rms == nil))
                if let a = map.rms_tilt_urad[i], let b = s.rms { #expect(Self.close(a, b, rel: 0.005, abs: 1e-6), "rms at (\(x), \(y)): \(a) vs \(b)") }
                #expect((map.values[i] == nil) == (s.value == nil), "exclusion at (\(x), \(y))")
                if let a = map.values[i], let b = s.value {
                    let polarization = plan.fom == .peakPolarization || plan.fom == .windowPolarization
                    #expect(Self.close(a, b, rel: polarization ? 0 : 0.005, abs: polarization ? 0.002 : 1e-9), "\(plan.fom) at (\(x), \(y)): \(a) vs \(b)")
                    valued += 1
                }
                compared += 1
            }
        }
        #expect(compared >= 20)
        #expect(valued >= 5)
        // Best spots: the first is the optimum among allowed placements, all respect the constraints.
        let allowedValues = map.values.compactMap { $0 }
        if let first = map.best.first {
            #expect(first.value == (plan.fom.higherIsBetter ? allowedValues.max()! : allowedValues.min()!))
        }
        for b in map.best {
            #expect(b.fraction_on_crystal >= plan.minOnCrystal)
            let i = map.y_offsets_mm.firstIndex(of: b.rad_yoffset)! * map.x_offsets_mm.count + map.x_offsets_mm.firstIndex(of: b.rad_xoffset)!
            #expect(map.fraction_on_mount[i] <= MapPlan.maxOnMount)
            let s = try Self.single(query, x: b.rad_xoffset, y: b.rad_yoffset, plan: plan)
            #expect(abs(b.rad_thetah - s.thetaH) < 2e-4 && abs(b.rad_thetav - s.thetaV) < 2e-4, "goniometer at best spot")
        }
    }
}
