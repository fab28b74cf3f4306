import Foundation
import RockingCurve
import Testing
import TIFFImage

/// `spotfinder rci simulate` then `spotfinder rci reduce`, as processes: the maps land on the
/// camera grid and match the simulator's truth; the same input gives the same bytes.
@Suite struct RCICommandLineTests {
    @Test func simulateThenReduceRecoversTheTruth() throws {
        let root = try ScanFolder.temporary("cli")
        defer { ScanFolder.remove(root) }
        let scan = "\(root)/scan"
        let simulated = try runProcess(spotfinderExecutable(), ["rci", "simulate", scan, "--radiator", "SF-E01", "--size", "40x36", "--frames", "90",
                                                                "--step", "2.4", "--sigma", "6", "--seed", "5", "--compression", "lzw"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let reduced = try runProcess(spotfinderExecutable(), ["rci", "reduce", scan, "--out", "\(root)/maps"])
        #expect(reduced.status == 0, "\(reduced.stderr)")
        #expect(reduced.stderr.isEmpty)  // no progress line without a terminal
        for name in ["hmu", "hmu_moco", "hsigma", "hsigma_moco", "hamp", "hbase", "hfwhm", "hintegral", "hmu_err", "hsnr", "mask"] {
            let info = try TIFFReader(path: "\(root)/maps/\(name).tif").page(0)
            #expect(info.width == 40 && info.height == 36, "\(name)")
            #expect(info.sampleType == (name == "mask" ? .uint16 : .float32))
        }
        let hmu = try TIFFReader(path: "\(root)/maps/hmu_moco.tif").readFloat(page: 0)
        let mask = try TIFFReader(path: "\(root)/maps/mask.tif").readUInt16(page: 0)
        let truth = try TIFFReader(path: "\(scan)/truth_hmu.tif").readFloat(page: 0)
        var d: [Double] = []
        for i in hmu.indices where mask[i] == 0 {
            #expect(hmu[i].isFinite)
            if truth[i].isFinite { d.append(Double(hmu[i] - truth[i])) }
        }
        for i in hmu.indices where mask[i] != 0 { #expect(hmu[i].isNaN) }
        #expect(d.count > 500)
        let mean = d.reduce(0, +) / Double(d.count)
        let rms = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d.count)).squareRoot()
        #expect(rms < 0.2, "hmu_moco − truth: \(rms) µrad rms")

        let plot = try Data(contentsOf: URL(fileURLWithPath: "\(root)/maps/motor.png"))
        #expect(plot.starts(with: [0x89, 0x50, 0x4E, 0x47]))  // a PNG: the recovered motor error per image
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/maps/reduction.json"))) as! [String: Any]
        #expect(report["motor_model"] as? String == "periodic")
        let counts = report["counts"] as! [String: Int]
        #expect(counts.values.reduce(0, +) == 40 * 36)
        #expect(counts["valid"] == d.count)

        // Determinism: reducing again writes identical maps.
        let again = try runProcess(spotfinderExecutable(), ["rci", "reduce", scan, "--out", "\(root)/again"])
        #expect(again.status == 0)
        for name in ["hmu", "hmu_moco", "hsigma_moco", "mask"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(root)/maps/\(name).tif")) == Data(contentsOf: URL(fileURLWithPath: "\(root)/again/\(name).tif")), "\(name)")
        }
    }

    @Test func badArgumentsAreRefusedWithTheirAllowedValues() throws {
        let r = try runProcess(spotfinderExecutable(), ["rci", "reduce", "/nonexistent/scan", "--method", "median"])
        #expect(r.status != 0 && r.stderr.contains("--method median: allowed moments, gauss, pvoigt"), "\(r.stderr)")
        let missing = try runProcess(spotfinderExecutable(), ["rci", "reduce", "/nonexistent/scan"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/scan: no such scan folder"), "\(missing.stderr)")
    }
}
