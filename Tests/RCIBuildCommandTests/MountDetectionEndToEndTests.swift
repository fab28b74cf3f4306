import Foundation
import RCIBuildCommand
import Testing

/// Part 1's `hbase` carries the measured background of pixels without a peak, so `rci build` without
/// `--mount-polygon` finds the glued mount (a different background, no diffraction) from the reduced scans alone.
struct MountDetectionEndToEndTests {
    @Test func theMountIsDetectedFromPartOnesBaseline() throws {
        let root = NSTemporaryDirectory() + "rci-build-mount-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try EndToEndTests.scan("\(root)/fh", .thetah, .front, rotation: 0, declared: 0, mountBackground: 90, seed: 41)
        try EndToEndTests.scan("\(root)/fv", .thetav, .front, rotation: 0, declared: 0, mountBackground: 90, seed: 42)
        let output = RCIBuildCommand.run(["--name", "mount", "--thickness-um", "50", "--front-h", "\(root)/fh", "--front-v", "\(root)/fv",
                                          "--data", "\(root)/data", "--report", "\(root)/report"], environment: [:])
        if case .failure(let e) = output { Issue.record("build refused: \(e.message)"); return }
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(root)/report/report.json"))
        let report = (try JSONSerialization.jsonObject(with: data) as! [String: Any])["report"] as! [String: Any]
        #expect(report["mount_source"] as? String == "detected in the baseline")
        // SF-G03's tab outside the plate covers about 1.6 × 0.6 mm on a 0.085 mm camera: a few hundred pixels.
        let pixels = report["mount_pixels"] as? Int ?? 0
        #expect(pixels > 50, "mount pixels \(pixels)")
    }
}
