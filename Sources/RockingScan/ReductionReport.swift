import Foundation
import Render
import RockingCurve
import TIFFImage

/// `reduction.json`: what was done to the scan, with what, and what came out.
public struct ReductionReport: Sendable, Codable, Equatable {
    public let name: String
    public let scanDirectory: String
    public let width: Int
    public let height: Int
    public let frames: Int
    public let sampleType: String
    public let method: String
    /// The motor estimate (nil with --motor off): model, per-image error (µrad), iterations.
    public let motor: MotorErrorEstimate?
    public let motorChoice: String
    public let nominalAngles: [Double]
    /// Nominal + recovered error: the angles of the `_moco` maps.
    public let correctedAngles: [Double]?
    /// Pixels per validity (valid, dead, hot, saturated, too_weak, peak_at_scan_end, no_peak_in_range).
    public let counts: [String: Int]
    public let hotBackgroundCounts: Double
    public let saturationCounts: Double
    public let bandRows: Int
    public let bytesRead: Int64
    /// Seconds: thresholds_s, motor_s, reduce_s, (write_s, total_s added by the writer).
    public var timings: [String: Double]
    public let maps: [String]

    enum CodingKeys: String, CodingKey {
        case name, scanDirectory = "scan_dir", width, height, frames, sampleType = "sample_type", method, motor, motorChoice = "motor_model"
        case nominalAngles = "angles_nominal_urad", correctedAngles = "angles_used_urad", counts
        case hotBackgroundCounts = "hot_background_counts", saturationCounts = "saturation_counts", bandRows = "band_rows"
        case bytesRead = "bytes_read", timings, maps
    }
}

extension ReducedScan {
    /// Writes the maps (float32 TIFF, NaN where invalid), `mask.tif` (16-bit validity codes) and
    /// `reduction.json` into `directory` (created if needed). Each file is replaced atomically.
    /// The report gains `write_s` and, given when the command started, `total_s`.
    public func write(to directory: String, startedAt: Date? = nil) throws(ScanError) {
        let writeStart = Date()
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ScanError("\(directory): cannot create the output folder (\(error.localizedDescription))")
        }
        do {
            for (name, values) in maps.sorted(by: { $0.key < $1.key }) {
                try TIFFWriter.write([TIFFPage(width: width, height: height, float32: values)], to: "\(directory)/\(name).tif", compression: .deflate)
            }
            try TIFFWriter.write([TIFFPage(width: width, height: height, uint16: mask.map(UInt16.init))], to: "\(directory)/mask.tif", compression: .deflate)
        } catch { throw ScanError("\(error.file): \(error.problem)") }
        if let motor = report.motor { try writeMotorPlot(motor, to: "\(directory)/motor.png") }
        var report = report
        report.timings["write_s"] = Date().timeIntervalSince(writeStart)
        if let startedAt { report.timings["total_s"] = Date().timeIntervalSince(startedAt) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(report) else { throw ScanError("\(directory)/reduction.json: cannot encode the report") }
        let path = "\(directory)/reduction.json"
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ScanError("\(path): cannot write (\(error.localizedDescription))")
        }
    }

    /// `motor.png`: the recovered error of each image against its nominal angle, so a physicist
    /// sees at a glance what the motor did (the numbers are in reduction.json).
    func writeMotorPlot(_ motor: MotorErrorEstimate, to path: String) throws(ScanError) {
        var plot = SpectrumPlot(title: ["\(report.name): motor error recovered from the data",
                                        "model \(report.motorChoice), \(motor.pixels) pixels, \(motor.iterations) iterations"],
                                xTitle: "nominal angle (µrad)", yTitle: "true − nominal angle (µrad)",
                                curves: [.init(label: "recovered error", x: report.nominalAngles, y: motor.errorsMicroradians, color: SpectrumPlot.palette[0])])
        plot.width = 900
        plot.height = 500
        do {
            let png = try PNGEncoder.encode(plot.render())
            try png.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch { throw ScanError("\(path): cannot write the motor plot (\(error))") }
    }
}
