import Foundation
import Testing
import Topography
@testable import RadiatorBuild
struct TmpDebug {
    @Test func givenTerms() throws {
        let crystal = SimulatedCrystal.bow()
        let centre = try BuildTests.centre(crystal)
        let recipes = BuildTests.recipes(centre: centre)
        var scans = recipes.map(crystal.scan)
        for k in scans.indices { scans[k].overrides.dispersionMicroradiansPerMillimeter = recipes[k].dispersion }

        let result = try RadiatorBuilder.build(scans, options: BuildOptions(name: "x", thicknessMicrons: 50, estimateDispersion: false))
        print(result.report.scans.map { "\($0.name) chi \($0.chi_deg) ± \($0.chi_error_deg ?? -1) disp \($0.dispersion_urad_per_mm) ± \($0.dispersion_error_urad_per_mm ?? -1)" }.joined(separator: "\n"))
        print("fit residual", result.report.instrument_fit_residual_urad, result.report.views)
        let front = result.radiator.view(.front)!
        let truth = BuildTests.truthView(crystal, like: front, centre: (result.report.centre_in_reference_x_mm, result.report.centre_in_reference_y_mm))
        var eh = 0.0, ev = 0.0, k = 0.0
        for i in 0..<front.grid.count where front.mask[i] == .crystal && truth.mask[i] == .crystal {
            eh += pow(Double(front.thetaHMicroradians[i] - truth.thetaHMicroradians[i]), 2); ev += pow(Double(front.thetaVMicroradians[i] - truth.thetaVMicroradians[i]), 2); k += 1
        }
        print("rms err h", (eh / k).squareRoot(), "v", (ev / k).squareRoot())
        let back = result.radiator.view(.back)!.mirrored()
        eh = 0; ev = 0; k = 0
        for i in 0..<front.grid.count where back.mask[i] == .crystal && truth.mask[i] == .crystal {
            eh += pow(Double(back.thetaHMicroradians[i] - truth.thetaHMicroradians[i]), 2); ev += pow(Double(back.thetaVMicroradians[i] - truth.thetaVMicroradians[i]), 2); k += 1
        }
        print("back rms err h", (eh / k).squareRoot(), "v", (ev / k).squareRoot())
    }
}
