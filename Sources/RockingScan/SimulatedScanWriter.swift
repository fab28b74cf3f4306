import Foundation
import RockingScanSimulation
import TIFFImage
import Topography

/// Writes a simulated scan as a beamline would, plus its truth: `img_0000.tif`… (16-bit),
/// `dark_000.tif`…, `scan.json` (nominal angles, monitor, dark frames, geometry), and for tests
/// `truth.json` (spec, nominal and true angles, motor error) with `truth_hmu.tif` (true peak
/// position, NaN where nothing diffracts), `truth_amplitude.tif` and `truth_kind.tif`
/// (0 crystal, 1 outside, 2 mount, 3 hot, 4 dead).
public enum SimulatedScanWriter {
    public static func write(_ simulation: ScanSimulation, to directory: String, compression: TIFFCompression = .none,
                             workers: Int = 2) throws(ScanError) {
        let spec = simulation.spec
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ScanError("\(directory): cannot create the scan folder (\(error.localizedDescription))")
        }
        let names = (0..<spec.frameCount).map { String(format: "img_%04d.tif", $0) }
        let darkNames = (0..<spec.darkFrameCount).map { String(format: "dark_%03d.tif", $0) }
        do {
            try parallelMap(spec.frameCount + spec.darkFrameCount, workers: workers) { (i) throws(TIFFError) in
                let isDark = i >= spec.frameCount
                let pixels = isDark ? simulation.darkImage(i - spec.frameCount) : simulation.image(i)
                let name = isDark ? darkNames[i - spec.frameCount] : names[i]
                try TIFFWriter.write([TIFFPage(width: spec.width, height: spec.height, uint16: pixels)], to: "\(directory)/\(name)", compression: compression)
            }
            let t = simulation.truth
            try TIFFWriter.write([TIFFPage(width: t.width, height: t.height, float32: t.peakPosition)], to: "\(directory)/truth_hmu.tif")
            try TIFFWriter.write([TIFFPage(width: t.width, height: t.height, float32: t.amplitude)], to: "\(directory)/truth_amplitude.tif")
            try TIFFWriter.write([TIFFPage(width: t.width, height: t.height, uint16: t.kind.map { UInt16($0.rawValue) })], to: "\(directory)/truth_kind.tif")
        } catch { throw ScanError("\(error.file): \(error.problem)") }
        let manifest: [String: Any] = [
            "name": spec.name, "images": names, "angles_urad": simulation.truth.nominalAngles,
            "pixel_mm": [spec.pixelXMillimeters, spec.pixelYMillimeters], "rocking": spec.rocking.rawValue, "face": spec.face.rawValue,
            "sample_rotation_deg": spec.sampleRotationDegrees, "mirror": spec.mirror, "monitor": simulation.truth.monitor,
            "dark": darkNames, "motor_step_urad": spec.motorStepMicroradians,
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let truth = TruthFile(spec: spec, nominalAnglesMicroradians: simulation.truth.nominalAngles, trueAnglesMicroradians: simulation.trueAngles,
                              motorErrorsMicroradians: simulation.truth.motorErrors, sigmaMicroradians: spec.sigmaMicroradians, eta: spec.eta)
        guard let scanJSON = try? JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]),
              let truthJSON = try? encoder.encode(truth) else { throw ScanError("\(directory): cannot encode scan.json") }
        guard FileManager.default.createFile(atPath: "\(directory)/truth.json", contents: truthJSON),
              FileManager.default.createFile(atPath: "\(directory)/scan.json", contents: scanJSON) else {
            throw ScanError("\(directory): cannot write scan.json")
        }
    }

    /// `truth.json`.
    public struct TruthFile: Codable, Sendable {
        public let spec: SimulatedScanSpec
        public let nominalAnglesMicroradians: [Double]
        public let trueAnglesMicroradians: [Double]
        public let motorErrorsMicroradians: [Double]
        public let sigmaMicroradians: Double
        public let eta: Double
    }
}
