import Foundation
import RadiatorBuild
import RadiatorStore
import RCIBuildCommand
import RockingScan
import RockingScanSimulation
import Testing
import Topography

/// Simulated camera images (part 1's simulator) → `rci reduce` (part 1) → `rci build` → the stored radiator's tilt
/// under a 1 mm beam spot against the radiator the images were made from.
struct EndToEndTests {
    static let truth = SyntheticRadiators.make(SyntheticRadiators.recipes[2])  // SF-G03: a good plate, 8 µrad/mm bow

    /// One scan: simulated, its manifest's rotation optionally mis-declared, reduced into DIR/reduced.
    static func scan(_ folder: String, _ rocking: RockingAxis, _ face: ViewSide, rotation: Double, declared: Double, chi: Double = 0,
                     dispersion: Double = 0, walk: Double = 0, mountBackground: Double? = nil, seed: UInt64) throws {
        var spec = SimulatedScanSpec()
        spec.name = "\(face.rawValue)-\(rocking.rawValue)"
        spec.width = 100; spec.height = 100; spec.pixelXMillimeters = 0.085; spec.pixelYMillimeters = 0.085
        spec.frameCount = 40; spec.stepMicroradians = 6; spec.startMicroradians = -117; spec.darkFrameCount = 2
        spec.rocking = rocking; spec.face = face; spec.sampleRotationDegrees = rotation; spec.mirror = face == .back
        spec.chiDegrees = chi; spec.dispersionMicroradiansPerMillimeter = dispersion; spec.yWalkMillimetersPerMilliradian = walk
        spec.seed = seed; spec.mountBackgroundCounts = mountBackground
        try SimulatedScanWriter.write(try ScanSimulation(radiator: truth, spec: spec), to: folder)
        if declared != rotation {
            let url = URL(fileURLWithPath: "\(folder)/scan.json")
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            json["sample_rotation_deg"] = declared
            try JSONSerialization.data(withJSONObject: json).write(to: url)
        }
        let reduced = try ScanReducer.reduce(try ScanInput.open(directory: folder), settings: ReduceSettings())
        try reduced.write(to: "\(folder)/reduced")
    }

    @Test func simulateReduceBuildThenTiltUnderTheSpot() throws {
        let root = NSTemporaryDirectory() + "rci-build-e2e-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The back scans' sample was turned by 91.6° but declared as 90°: the build must find the 1.6°.
        try Self.scan("\(root)/fh", .thetah, .front, rotation: 0, declared: 0, seed: 31)
        try Self.scan("\(root)/fv", .thetav, .front, rotation: 0, declared: 0, chi: 0.5, dispersion: 0.6, walk: 0.4, seed: 32)
        try Self.scan("\(root)/bh", .thetah, .back, rotation: 91.6, declared: 90, seed: 33)
        try Self.scan("\(root)/bv", .thetav, .back, rotation: 91.6, declared: 90, walk: -0.3, seed: 34)
        let overrides = "\(root)/overrides.json"
        try Data(#"{"front-v": {"dispersionMicroradiansPerMillimeter": 0.6}}"#.utf8).write(to: URL(fileURLWithPath: overrides))
        let output = RCIBuildCommand.run(["--name", "e2e", "--thickness-um", "50", "--front-h", "\(root)/fh", "--front-v", "\(root)/fv",
                                          "--back-h", "\(root)/bh", "--back-v", "\(root)/bv", "--data", "\(root)/data", "--report", "\(root)/report",
                                          "--overrides", overrides], environment: [:])
        let text: String
        switch output { case .success(let t): text = t; case .failure(let e): Issue.record("build refused: \(e.message)"); return }
        #expect(text.hasPrefix("built radiator e2e from 4 scans"))

        let built = try RadiatorStore(directory: "\(root)/data").load("e2e")
        let reportData = try Data(contentsOf: URL(fileURLWithPath: "\(root)/report/report.json"))
        let document = try JSONSerialization.jsonObject(with: reportData) as! [String: Any]
        let report = document["report"] as! [String: Any]
        let scans = report["scans"] as! [[String: Any]]
        #expect(FileManager.default.fileExists(atPath: "\(root)/report/elevation_front.tif"))
        for s in scans where (s["face"] as! String) == "back" {
            // A 100-pixel camera and a y-walk that shears like a rotation: within 0.15° here (0.05° on the maps-level tests).
            #expect(abs(s["rotation_deg"] as! Double - 1.6) < 0.15, "back scan rotation \(s["rotation_deg"]!)°, truth 1.6°")
        }
        let centre = (report["centre_in_reference_x_mm"] as! Double, report["centre_in_reference_y_mm"] as! Double)

        // The tilt under a 1 mm spot at several placements on the crystal: the built radiator against the truth.
        let front = try #require(built.view(.front)), truthFront = try #require(Self.truth.view(.front))
        let spot = BeamSpot(sigmaXMillimeters: 1.0, sigmaYMillimeters: 0.5, correlation: -0.6, stepMillimeters: 0.05)
        let histogram = TiltHistogramSpec(rangeMilliradians: 1, binMilliradians: 0.01)
        let stats = truthFront.crystalStatistics
        for (x, y) in [(0.0, 0.0), (-0.8, 0.6), (0.7, -0.7), (0.5, 0.9)] {
            let a = TiltDistribution(view: front, placement: RadiatorPlacement(xOffsetMillimeters: x, yOffsetMillimeters: y), spot: spot, histogram: histogram)
            let b = TiltDistribution(view: truthFront, placement: RadiatorPlacement(xOffsetMillimeters: x - centre.0, yOffsetMillimeters: y - centre.1),
                                     spot: spot, histogram: histogram)
            let meanH = (a.meanThetaHMilliradians - (b.meanThetaHMilliradians - stats.meanH * 1e-3)) * 1e3
            let meanV = (a.meanThetaVMilliradians - (b.meanThetaVMilliradians - stats.meanV * 1e-3)) * 1e3
            #expect(abs(meanH) < 1 && abs(meanV) < 1, "at (\(x), \(y)): mean tilt off by \(meanH), \(meanV) µrad")
            #expect(abs(a.rmsThetaHMilliradians / b.rmsThetaHMilliradians - 1) < 0.05, "at (\(x), \(y)): rms θH \(a.rmsThetaHMilliradians * 1e3) vs \(b.rmsThetaHMilliradians * 1e3) µrad")
            #expect(abs(a.rmsThetaVMilliradians / b.rmsThetaVMilliradians - 1) < 0.05, "at (\(x), \(y)): rms θV \(a.rmsThetaVMilliradians * 1e3) vs \(b.rmsThetaVMilliradians * 1e3) µrad")
        }
    }
}
