import Foundation
import RockingScan
import RockingScanSimulation
import Topography

/// Small simulated scan folders on disk for the I/O and command tests.
enum ScanFolder {
    static func temporary(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "rci1-test-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A 24 × 24 × 40 scan (2 dark frames) of the first built-in radiator.
    static func write(_ label: String, _ configure: (inout SimulatedScanSpec) -> Void = { _ in }) throws -> String {
        var spec = SimulatedScanSpec()
        spec.width = 24; spec.height = 24; spec.frameCount = 40; spec.darkFrameCount = 2
        spec.stepMicroradians = 5; spec.startMicroradians = -97.5
        spec.pixelXMillimeters = 0.34; spec.pixelYMillimeters = 0.34
        configure(&spec)
        let folder = try temporary(label) + "/scan"
        try SimulatedScanWriter.write(try ScanSimulation(radiator: SyntheticRadiators.make(SyntheticRadiators.recipes[0]), spec: spec), to: folder)
        return folder
    }

    /// Removes a folder `write` or `temporary` made (the parent of a scan folder).
    static func remove(_ folder: String) {
        let root = folder.hasSuffix("/scan") ? String(folder.dropLast(5)) : folder
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: root + "/scan-stack")
    }

    static func editManifest(_ folder: String, _ edit: (inout [String: Any]) -> Void) throws {
        let url = URL(fileURLWithPath: "\(folder)/scan.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
    }
}

/// The `spotfinder` executable built beside the test bundle.
func spotfinderExecutable() -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for dir in [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent(),
                root.appendingPathComponent(".build/debug")] {
        let path = dir.appendingPathComponent("spotfinder").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return root.appendingPathComponent(".build/debug/spotfinder").path
}

/// Runs a program to completion: status, stdout, stderr.
func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
