import Foundation
import Testing
import Topography
@testable import RadiatorBuild

/// Four simulated scans of crystals of known elevation, with everything the beamline does to them
/// (misalignment, declared rotation and mirror, χ, dispersion, y-walk, noise, dead and hot pixels), built
/// into a radiator: tilts, elevation, the found numbers and the mask against the truth.
struct BuildTests {
    /// The four scans: front θH is the reference; the others are shifted, turned and scaled, the back ones
    /// taken turned by 90° (their camera axes lie along the crystal's other axes) and seen through the crystal.
    static func recipes(centre: (x: Double, y: Double)) -> [ScanRecipe] {
        var fh = ScanRecipe.standard("fh", .thetah, .front)
        fh.chiDegrees = 0.6; fh.dispersion = 0.8; fh.seed = 11
        var fv = ScanRecipe.standard("fv", .thetav, .front)
        fv.shiftX = 0.11; fv.shiftY = -0.07; fv.rotationDegrees = 1.7; fv.scale = 1.006
        fv.chiDegrees = -0.9; fv.dispersion = -1.2; fv.walk = 0.8; fv.seed = 12
        var bh = ScanRecipe.standard("bh", .thetah, .back, rotation: 90, mirror: true)
        bh.shiftX = -0.16; bh.shiftY = 0.09; bh.rotationDegrees = -2.4; bh.scale = 0.995
        bh.chiDegrees = 0.4; bh.dispersion = 0.5; bh.walk = -0.5; bh.seed = 13
        var bv = ScanRecipe.standard("bv", .thetav, .back, rotation: 90, mirror: true)
        bv.shiftX = 0.06; bv.shiftY = 0.13; bv.rotationDegrees = 0.8; bv.scale = 1.003
        bv.chiDegrees = -0.3; bv.dispersion = 1.0; bv.seed = 14
        return [fh, fv, bh, bv].map { var r = $0; r.centreX = centre.x; r.centreY = centre.y; return r }
    }

    /// The reference crystal's centroid in its own declared frame: the centre the residual rotation turns about.
    static func centre(_ crystal: SimulatedCrystal) throws -> (x: Double, y: Double) {
        Aligner(reference: try PreparedScan(crystal.scan(.standard("fh", .thetah, .front))), walk: 0).centre
    }

    /// Truth on the built radiator's grid: tilts (crystal mean removed) and outline, in the radiator's coordinates.
    static func truthView(_ crystal: SimulatedCrystal, like built: RadiatorView, centre: (x: Double, y: Double)) -> RadiatorView {
        let g = built.grid
        var h = [Float](repeating: 0, count: g.count), v = h
        var mask = [SurfaceKind](repeating: .nothing, count: g.count)
        for row in 0..<g.rows {
            for column in 0..<g.columns {
                let x = g.x(column: column) + centre.x, y = g.y(row: row) + centre.y
                let i = g.index(column: column, row: row)
                if crystal.inCrystal(x, y) {
                    mask[i] = .crystal
                    let t = crystal.tilt(x, y)
                    h[i] = Float(t.h); v[i] = Float(t.v)
                } else if crystal.inMount(x, y) { mask[i] = .mount }
            }
        }
        var view = RadiatorView(side: .front, grid: g, thetaHMicroradians: h, thetaVMicroradians: v, mask: mask)
        let stats = view.crystalStatistics
        for i in 0..<g.count where mask[i] == .crystal { view.thetaHMicroradians[i] -= Float(stats.meanH); view.thetaVMicroradians[i] -= Float(stats.meanV) }
        return view
    }

    /// Builds the four scans (`give` sets each scan's overrides from its recipe) and checks everything against the truth.
    func check(_ crystal: SimulatedCrystal, label: String, estimateDispersion: Bool = false, peakNoise: Double = 0.3,
               give: (ScanRecipe) -> ScanOverrides = { ScanOverrides(dispersionMicroradiansPerMillimeter: $0.dispersion) }) throws -> (RadiatorBuildResult, [ScanRecipe]) {
        let centre = try Self.centre(crystal)
        let recipes = Self.recipes(centre: centre).map { var r = $0; r.peakNoise = peakNoise; return r }
        let scans = recipes.map { r in var s = crystal.scan(r); s.overrides = give(r); return s }
        let result = try RadiatorBuilder.build(scans, options: BuildOptions(name: "sim-\(label)", thicknessMicrons: 50, estimateDispersion: estimateDispersion))
        let report = result.report
        let p = report.pixel_mm

        // The found numbers.
        for (recipe, found) in zip(recipes, report.scans) {
            #expect(abs(found.shift_x_mm - recipe.shiftX) / p < 0.2, "\(label) \(found.name): shift x \(found.shift_x_px) px, truth \(recipe.shiftX / p)")
            #expect(abs(found.shift_y_mm - recipe.shiftY) / p < 0.2, "\(label) \(found.name): shift y \(found.shift_y_px) px, truth \(recipe.shiftY / p)")
            #expect(abs(found.rotation_deg - recipe.rotationDegrees) < 0.05, "\(label) \(found.name): rotation \(found.rotation_deg)°, truth \(recipe.rotationDegrees)°")
            #expect(abs(found.scale / recipe.scale - 1) < 0.001, "\(label) \(found.name): scale \(found.scale), truth \(recipe.scale)")
            #expect(abs(found.walk_mm_per_mrad - recipe.walk) < 0.15, "\(label) \(found.name): walk \(found.walk_mm_per_mrad), truth \(recipe.walk)")
        }

        // Tilts against the truth.
        let front = try #require(result.radiator.view(.front))
        let truth = Self.truthView(crystal, like: front, centre: (report.centre_in_reference_x_mm, report.centre_in_reference_y_mm))
        var errors: [Double] = []
        let interior = MaskOperations.eroded(front.mask.map { $0 == .crystal }, width: front.grid.columns, height: front.grid.rows, radius: 2)
        for i in 0..<front.grid.count where interior[i] && truth.mask[i] == .crystal {
            errors.append(Double(front.thetaHMicroradians[i] - truth.thetaHMicroradians[i]))
            errors.append(Double(front.thetaVMicroradians[i] - truth.thetaVMicroradians[i]))
        }
        let tiltRMS = (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
        #expect(tiltRMS < 1.0, "\(label): tilt error rms \(tiltRMS) µrad")

        // The beam's view: tilt under a 1 mm spot at several placements.
        let spot = BeamSpot(sigmaXMillimeters: 1.0, sigmaYMillimeters: 0.5, correlation: -0.6, stepMillimeters: 0.05)
        let histogram = TiltHistogramSpec(rangeMilliradians: 1, binMilliradians: 0.01)
        for (x, y) in [(0.0, 0.0), (-0.6, 0.5), (0.5, -0.4), (0.2, 0.7)] {
            let placement = RadiatorPlacement(xOffsetMillimeters: x, yOffsetMillimeters: y)
            let a = TiltDistribution(view: front, placement: placement, spot: spot, histogram: histogram)
            let b = TiltDistribution(view: truth, placement: placement, spot: spot, histogram: histogram)
            #expect(abs(a.meanThetaHMilliradians - b.meanThetaHMilliradians) * 1e3 < 1, "\(label) at (\(x), \(y)): mean θH \(a.meanThetaHMilliradians * 1e3) vs \(b.meanThetaHMilliradians * 1e3) µrad")
            #expect(abs(a.meanThetaVMilliradians - b.meanThetaVMilliradians) * 1e3 < 1, "\(label) at (\(x), \(y)): mean θV \(a.meanThetaVMilliradians * 1e3) vs \(b.meanThetaVMilliradians * 1e3) µrad")
            #expect(abs(a.rmsThetaHMilliradians / b.rmsThetaHMilliradians - 1) < 0.05, "\(label) at (\(x), \(y)): rms θH \(a.rmsThetaHMilliradians * 1e3) vs \(b.rmsThetaHMilliradians * 1e3) µrad")
            #expect(abs(a.rmsThetaVMilliradians / b.rmsThetaVMilliradians - 1) < 0.05, "\(label) at (\(x), \(y)): rms θV \(a.rmsThetaVMilliradians * 1e3) vs \(b.rmsThetaVMilliradians * 1e3) µrad")
        }

        // Elevation within 2 % of its range.
        let elevation = try #require(result.diagnostic("elevation front"))
        var z: [Double] = [], zt: [Double] = [], xs: [Double] = [], ys: [Double] = []
        for i in 0..<front.grid.count where interior[i] && elevation.values[i].isFinite {
            let x = front.grid.x(column: i % front.grid.columns), y = front.grid.y(row: i / front.grid.columns)
            z.append(Double(elevation.values[i]))
            zt.append(crystal.elevation(x + report.centre_in_reference_x_mm, y + report.centre_in_reference_y_mm))
            xs.append(x); ys.append(y)
        }
        let difference = Self.planeRemoved(zip(z, zt).map { $0 - $1 }, xs, ys)
        let range = zt.max()! - zt.min()!
        let worst = difference.map(abs).max()!
        #expect(worst < 0.02 * range, "\(label): elevation error up to \(worst) nm of a \(range) nm range")

        // The mask: crystal and mount where the truth has them (up to the outline's pixels).
        let crystalAgree = Self.overlap(front.mask.map { $0 == .crystal }, truth.mask.map { $0 == .crystal })
        let mountAgree = Self.overlap(front.mask.map { $0 == .mount }, truth.mask.map { $0 == .mount })
        #expect(crystalAgree > 0.97, "\(label): crystal overlap \(crystalAgree)")
        #expect(mountAgree > 0.8, "\(label): mount overlap \(mountAgree)")
        #expect(result.radiator.notes.contains("\"rci_build\":1"), "the provenance is in the notes")
        return (result, recipes)
    }

    /// Each found χ within `tolerance` or three of its reported standard errors (the error bars are honest), and
    /// the common χ (what turns every tilt together) within 0.15°. On 128 × 128 maps a χ of 0.1° moves tilts by
    /// ~0.05 µrad: that is as far as the curl can see it.
    func checkChi(_ result: RadiatorBuildResult, _ recipes: [ScanRecipe], label: String, tolerance: Double = 0.1, useErrors: Bool) {
        for (recipe, found) in zip(recipes, result.report.scans) {
            let error = found.chi_error_deg ?? 0
            #expect(abs(found.chi_deg - recipe.chiDegrees) < max(tolerance, useErrors ? 3 * error : 0),
                    "\(label) \(found.name): χ \(found.chi_deg)° ± \(error)°, truth \(recipe.chiDegrees)°")
        }
        let common = result.report.scans.map(\.chi_deg).reduce(0, +) / 4, truth = recipes.map(\.chiDegrees).reduce(0, +) / 4
        #expect(abs(common - truth) < 0.15, "\(label): mean χ \(common)°, truth \(truth)°")
    }

    /// Intersection over union.
    static func overlap(_ a: [Bool], _ b: [Bool]) -> Double {
        let both = zip(a, b).filter { $0 && $1 }.count, either = zip(a, b).filter { $0 || $1 }.count
        return either > 0 ? Double(both) / Double(either) : 1
    }

    static func planeRemoved(_ d: [Double], _ x: [Double], _ y: [Double]) -> [Double] {
        var a = [Double](repeating: 0, count: 9), b = [Double](repeating: 0, count: 3)
        for k in d.indices {
            let f = [1, x[k], y[k]]
            for i in 0..<3 { b[i] += f[i] * d[k]; for j in 0..<3 { a[i * 3 + j] += f[i] * f[j] } }
        }
        let c = SmallLinearSolve.solve(a, b, size: 3)!
        return d.indices.map { d[$0] - c[0] - c[1] * x[$0] - c[2] * y[$0] }
    }

    /// An elliptic bow: everything found but the dispersion (a bow's tilts are linear, like a dispersion ramp).
    /// A quadric leaves one mixing of θH and θV invisible to the curl; χ is as good as its error bars say.
    @Test func bowIsRecoveredWithItsChi() throws {
        let (result, recipes) = try check(.bow(curvatureX: 12, curvatureY: 40), label: "bow")
        checkChi(result, recipes, label: "bow", useErrors: true)
        #expect(result.report.scans.allSatisfy { $0.verdict.hasPrefix("good") }, "\(result.report.scans.map(\.verdict))")
    }

    /// A twist has no curl signature for χ at all: χ and dispersion given by hand (the override path).
    @Test func twistIsRecoveredWithGivenTerms() throws {
        let (result, recipes) = try check(.twist(), label: "twist") {
            ScanOverrides(chiDegrees: $0.chiDegrees, dispersionMicroradiansPerMillimeter: $0.dispersion)
        }
        for (recipe, found) in zip(recipes, result.report.scans) {
            #expect(abs(found.chi_deg - recipe.chiDegrees) < 1e-9 && found.given.contains("chi") && found.given.contains("dispersion"))
        }
    }

    /// A local defect on a mild bow is no quadric: with the y-walk known and peaks as good as a windowed centroid
    /// gives (0.1 µrad), every χ is found within 0.1° (with the walk found from the outlines too, χ is as good
    /// as its error bars: see the dispersion test).
    @Test func defectIsRecoveredWithItsChi() throws {
        let (result, recipes) = try check(.defect(), label: "defect", peakNoise: 0.1) {
            ScanOverrides(walkMillimetersPerMilliradian: $0.walk, dispersionMicroradiansPerMillimeter: $0.dispersion)
        }
        checkChi(result, recipes, label: "defect", useErrors: false)
    }

    /// With the dispersion estimated too, the defect still comes out right, each ramp within its error bars.
    @Test func defectIsRecoveredWithItsDispersion() throws {
        let (result, recipes) = try check(.defect(), label: "defect-dispersion", estimateDispersion: true) { _ in ScanOverrides() }
        for (recipe, found) in zip(recipes, result.report.scans) {
            let error = try #require(found.dispersion_error_urad_per_mm)
            #expect(abs(found.dispersion_urad_per_mm - recipe.dispersion) < max(0.2, 3 * error), "defect \(found.name): dispersion \(found.dispersion_urad_per_mm) ± \(error), truth \(recipe.dispersion)")
        }
        checkChi(result, recipes, label: "defect-dispersion", useErrors: true)
    }
}
