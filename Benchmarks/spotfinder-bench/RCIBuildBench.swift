import Foundation
import RadiatorBuild
import Topography

/// Issue 18's targets: an 850 × 850 masked surface ≤ 1 s; the whole build of a four-scan crystal ≤ 5 s.
/// The scans are simulated maps (10 µm pixels, a 7 × 7 mm crystal with a cut corner and a glued tab, a
/// mild bow with a local defect; misalignment, χ, dispersion, y-walk, noise, dead and hot pixels).
enum RCIBuildBench {
    static let side = 850
    static let pixel = 0.01

    static func run(into table: inout BenchTable) throws {
        let crystal = SimulatedCrystal.defect().outlineScaled(by: 1.75)

        // The masked surface alone: the crystal's outline with a hole, the truth's gradients.
        var mask = [Bool](repeating: false, count: side * side)
        var gx = [Double](repeating: 0, count: side * side), gy = gx
        for row in 0..<side {
            for column in 0..<side {
                let x = (Double(column) - Double(side - 1) / 2) * pixel, y = (Double(row) - Double(side - 1) / 2) * pixel
                let hole = (x - 1.5) * (x - 1.5) + (y - 1.0) * (y - 1.0) < 0.09
                guard crystal.inCrystal(x, y), !hole else { continue }
                let i = row * side + column
                mask[i] = true
                let g = crystal.gradient(x, y)
                gx[i] = g.x; gy[i] = g.y
            }
        }
        var iterations = 0
        var cpu = processSeconds()
        let surface = Timing.measure(repetitions: 7, warmup: 1) {
            iterations = SurfaceIntegration.integrate(gradientX: gx, gradientY: gy, mask: mask, columns: side, rows: side, pixel: pixel).iterations
        }
        let surfaceCPU = (processSeconds() - cpu) / 8
        table.add("rci-build", "masked surface, \(side)×\(side) (\(mask.filter { $0 }.count) crystal px, outline with a hole)",
                  ms(surface.median), ms(surface.p90),
                  "multigrid-preconditioned CG, \(iterations) iterations to 1e-7; \(ms(surfaceCPU)) CPU per solve (both cores); target ≤ 1 s")

        let scans = simulatedScans(crystal)
        var found: ScanAlignment?
        cpu = processSeconds()
        let align = Timing.measure(repetitions: 5, warmup: 1) { found = try! ScanAlignment.align(scans[1], to: scans[0]) }
        let alignCPU = (processSeconds() - cpu) / 6
        let a = found!
        // The simulation turns about the camera centre, the alignment about the reference's centroid c: the same
        // motion has shift t₀ = t + c − s·R(θ)·c about the camera centre.
        let th = a.rotation_deg * .pi / 180
        let t0x = a.shift_x_px * pixel + a.centre_x_mm - a.scale * (cos(th) * a.centre_x_mm - sin(th) * a.centre_y_mm)
        let t0y = a.shift_y_px * pixel + a.centre_y_mm - a.scale * (sin(th) * a.centre_x_mm + cos(th) * a.centre_y_mm)
        table.add("rci-build", "align one \(side)×\(side) scan (both prepared: hot pixels, spikes, outline)", ms(align.median), ms(align.p90),
                  "\(ms(alignCPU)) CPU; found \(BuildReport.fixed(t0x / pixel, 2)), \(BuildReport.fixed(t0y / pixel, 2)) px about the camera centre, \(BuildReport.fixed(a.rotation_deg, 3))°, scale \(BuildReport.fixed(a.scale, 4)), walk \(BuildReport.fixed(a.walk_mm_per_mrad, 2)) (truth 11, −7 px, 1.7°, 1.006, 0.8)")

        var report: BuildReport?
        cpu = processSeconds()
        let build = Timing.measure(repetitions: 5, warmup: 1) {
            report = try! RadiatorBuilder.build(scans, options: BuildOptions(name: "bench", thicknessMicrons: 50)).report
        }
        let buildCPU = (processSeconds() - cpu) / 6
        let r = report!
        table.add("rci-build", "whole build, four \(side)×\(side) scans → radiator \(r.grid_columns)×\(r.grid_rows)", ms(build.median), ms(build.p90),
                  "\(ms(buildCPU)) CPU; curl rms \(r.views.map { BuildReport.fixed($0.curl_rms_urad_per_mm, 2) }.joined(separator: "/")) µrad/mm, residual rms \(r.views.map { BuildReport.fixed($0.residual_rms_urad, 2) }.joined(separator: "/")) µrad; target ≤ 5 s")
    }

    /// CPU seconds this process has used (all threads): on a shared machine the wall clock alone says little.
    static func processSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// The build tests' four scans at full size.
    static func simulatedScans(_ crystal: SimulatedCrystal) -> [ScanMaps] {
        func recipe(_ name: String, _ rocking: RockingDirection, _ face: ViewSide, rotation: Double, mirror: Bool) -> ScanRecipe {
            var r = ScanRecipe(manifest: ScanManifest(name: name, rocking: rocking, face: face, sampleRotationDegrees: rotation, mirror: mirror,
                                                      pixelXMillimeters: pixel, pixelYMillimeters: pixel))
            r.columns = side; r.rows = side
            r.peakNoise = 0.11
            return r
        }
        var fh = recipe("fh", .thetah, .front, rotation: 0, mirror: false)
        fh.chiDegrees = 0.6; fh.seed = 11
        var fv = recipe("fv", .thetav, .front, rotation: 0, mirror: false)
        fv.shiftX = 0.11; fv.shiftY = -0.07; fv.rotationDegrees = 1.7; fv.scale = 1.006; fv.chiDegrees = -0.9; fv.walk = 0.8; fv.seed = 12
        var bh = recipe("bh", .thetah, .back, rotation: 90, mirror: true)
        bh.shiftX = -0.16; bh.shiftY = 0.09; bh.rotationDegrees = -2.4; bh.scale = 0.995; bh.chiDegrees = 0.4; bh.walk = -0.5; bh.seed = 13
        var bv = recipe("bv", .thetav, .back, rotation: 90, mirror: true)
        bv.shiftX = 0.06; bv.shiftY = 0.13; bv.rotationDegrees = 0.8; bv.scale = 1.003; bv.chiDegrees = -0.3; bv.seed = 14
        let recipes = [fh, fv, bh, bv]
        return recipes.map(crystal.scan)
    }
}
