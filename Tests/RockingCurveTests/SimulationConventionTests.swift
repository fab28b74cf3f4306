import Foundation
import RockingScanSimulation
import Testing
import Topography

/// The simulator follows docs/rci-conventions.md (the radiator build inverts exactly this):
/// camera pixel → sample point (centre, flip rows, mirror u, rotate), the rocking axis carried
/// the same way and projected on the tilt, plus χ and the dispersion ramp.
@Suite struct SimulationConventionTests {
    static let radiator = SyntheticRadiators.make(SyntheticRadiators.recipes[2])

    static func truth(_ configure: (inout SimulatedScanSpec) -> Void) throws -> SimulatedTruth {
        var spec = SimulatedScanSpec()
        spec.width = 31; spec.height = 27; spec.pixelXMillimeters = 0.3; spec.pixelYMillimeters = 0.3
        spec.hotPixelFraction = 0; spec.deadPixelFraction = 0
        configure(&spec)
        return try ScanSimulation(radiator: radiator, spec: spec).truth
    }

    /// Pairs (a, b) of peak positions where both pixels see crystal.
    static func pairs(_ a: SimulatedTruth, _ b: SimulatedTruth, map: (Int, Int) -> (Int, Int)) -> [(Float, Float)] {
        var out: [(Float, Float)] = []
        for r in 0..<a.height {
            for c in 0..<a.width {
                let (c2, r2) = map(c, r)
                let x = a.peakPosition[r * a.width + c], y = b.peakPosition[r2 * b.width + c2]
                if x.isFinite, y.isFinite { out.append((x, y)) }
            }
        }
        return out
    }

    @Test func rotatingBy180DegreesFlipsTheImageAndTheTilt() throws {
        let plain = try Self.truth { _ in }, turned = try Self.truth { $0.sampleRotationDegrees = 180 }
        let p = Self.pairs(turned, plain) { (30 - $0, 26 - $1) }
        #expect(p.count > 300)
        #expect(p.allSatisfy { abs($0.0 + $0.1) < 1e-3 })
    }

    @Test func aMirroredImageFlipsColumnsAndTheHorizontalRockingAxis() throws {
        let plainH = try Self.truth { _ in }, mirroredH = try Self.truth { $0.mirror = true }
        #expect(Self.pairs(mirroredH, plainH) { (30 - $0, $1) }.allSatisfy { abs($0.0 + $0.1) < 1e-3 })
        let plainV = try Self.truth { $0.rocking = .thetav }, mirroredV = try Self.truth { $0.rocking = .thetav; $0.mirror = true }
        let v = Self.pairs(mirroredV, plainV) { (30 - $0, $1) }
        #expect(v.count > 300 && v.allSatisfy { abs($0.0 - $0.1) < 1e-3 })
    }

    @Test func chiMixesTheTwoTiltsAndDispersionAddsARamp() throws {
        let h = try Self.truth { _ in }, v = try Self.truth { $0.rocking = .thetav }
        let chi = try Self.truth { $0.chiDegrees = 30 }
        let c = cos(30 * Double.pi / 180), s = sin(30 * Double.pi / 180)
        for i in h.peakPosition.indices where h.peakPosition[i].isFinite {
            #expect(abs(Double(chi.peakPosition[i]) - (c * Double(h.peakPosition[i]) + s * Double(v.peakPosition[i]))) < 1e-3)
        }
        let ramp = try Self.truth { $0.dispersionMicroradiansPerMillimeter = 2 }
        for r in 0..<h.height {
            for col in 0..<h.width where h.peakPosition[r * h.width + col].isFinite {
                let u = (Double(col) - 15) * 0.3
                #expect(abs(Double(ramp.peakPosition[r * h.width + col] - h.peakPosition[r * h.width + col]) - 2 * u) < 1e-3)
            }
        }
    }

    @Test func theBackFaceSeesTheMirroredView() throws {
        let back = try Self.truth { $0.face = .back }, front = try Self.truth { _ in }
        // The back view is the front turned over about the vertical axis: x → −x, θH → −θH.
        let p = Self.pairs(back, front) { (30 - $0, $1) }
        #expect(p.count > 300 && p.allSatisfy { abs($0.0 + $0.1) < 1e-3 })
    }

    @Test func rowZeroIsTheTopOfTheSample() throws {
        // The mount tab is at the radiator's lower right: in the camera image, the last rows, last columns.
        let t = try Self.truth { _ in }
        let mountRows = t.kind.indices.filter { t.kind[$0] == .mount }.map { $0 / t.width }
        #expect(!mountRows.isEmpty && mountRows.allSatisfy { $0 > t.height / 2 })
        let mountColumns = t.kind.indices.filter { t.kind[$0] == .mount }.map { $0 % t.width }
        #expect(mountColumns.allSatisfy { $0 > t.width / 2 })
    }

    @Test func theYWalkSlidesTheImageUpAsTheAngleGrows() throws {
        // 21 images of 2.4 µrad: the last is 24 µrad past the middle; 5 mm/mrad × 0.024 mrad = 0.12 mm = one row.
        var spec = SimulatedScanSpec()
        spec.width = 31; spec.height = 27; spec.pixelXMillimeters = 0.3; spec.pixelYMillimeters = 0.12
        spec.frameCount = 21; spec.startMicroradians = -24; spec.stepMicroradians = 2.4
        spec.hotPixelFraction = 0; spec.deadPixelFraction = 0; spec.darkPatternCounts = 0; spec.noise = false
        spec.motorErrorMicroradians = 0; spec.motorSecondHarmonicMicroradians = 0; spec.sigmaMicroradians = 20
        let plain = try ScanSimulation(radiator: Self.radiator, spec: spec)
        spec.yWalkMillimetersPerMilliradian = 5
        let walking = try ScanSimulation(radiator: Self.radiator, spec: spec)
        let last = 20, a = plain.image(last), b = walking.image(last), w = spec.width
        var differing = 0
        for r in 0..<(spec.height - 1) {
            for c in 0..<w { #expect(abs(Int(b[r * w + c]) - Int(a[(r + 1) * w + c])) <= 1) }
        }
        for i in 0..<(w * (spec.height - 1)) where a[i] != b[i] { differing += 1 }
        #expect(differing > 50)  // the slide is visible
        #expect(walking.image(10) == plain.image(10))  // the middle image does not move
    }
}
