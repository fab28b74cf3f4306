import Dispatch
import Foundation
import RockingCurve
import TIFFImage

/// How the motor's angle error is treated.
public enum MotorChoice: String, Sendable, CaseIterable {
    /// Not corrected: no `_moco` maps.
    case off
    /// One error per image.
    case free
    /// A Fourier series in the motor's step phase (needs the step: `motor_step_urad` or --motor-step).
    case periodic
}

/// What `spotfinder rci reduce` was asked for.
public struct ReduceSettings: Sendable {
    public var method = PeakMethod.moments
    /// nil: periodic when the motor's step is known (manifest or --motor-step), else free.
    public var motor: MotorChoice?
    /// Overrides the manifest's `motor_step_urad`.
    public var motorStepMicroradians: Double?
    public var motorHarmonics = 3
    /// Pixels of the motor sample at most (whole rows spread over the image).
    public var motorSamplePixels = 16384
    /// Bytes of raw pixels per band (all images); sets the rows per band.
    public var bandBytes = 32 << 20
    /// Bands reduced at once (each holds one band's pixels).
    public var workers = 2
    /// Reduces one tile: here by default; on the cluster with `--edge`/`--node` (RCIRemote.RemoteScanFlags).
    public var reduceTile: @Sendable (CurveTile, ScanFrames, ReductionOptions) throws(RockingCurveError) -> TileMaps = { (t, f, o) throws(RockingCurveError) in try TileReduction.reduce(t, frames: f, options: o) }
    public init() {}
}

/// A reduced scan in memory: the maps on the camera grid, the mask, and the report.
public struct ReducedScan: Sendable {
    public let width: Int
    public let height: Int
    /// Map name → values (NaN where invalid), row-major, row 0 = the images' first row.
    public let maps: [String: [Float]]
    /// PixelValidity codes (0 valid).
    public let mask: [UInt8]
    public let report: ReductionReport
}

/// The whole reduction of a scan folder, in process: scan-wide thresholds and the motor error
/// from a sample of rows, then every band of rows from every image, reduced tile by tile with
/// `TileReduction` on `workers` threads (a bounded number of bands in flight).
public enum ScanReducer {
    static let tilePixels = 256

    public static func reduce(_ input: ScanInput, settings: ReduceSettings,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ScanError) -> ReducedScan {
        let clock = Stopwatch()
        let w = input.width, h = input.height, n = input.frameCount
        var options = ReductionOptions(method: settings.method)
        options.saturationCounts = input.sampleType == .uint16 ? 65535 : .greatestFiniteMagnitude
        let nominal = input.frames

        // A sample of whole rows, spread over the image: thresholds and the motor error.
        let sampleRowCount = min(h, max(1, settings.motorSamplePixels / w))
        let sampleRows = (0..<sampleRowCount).map { ($0 * h + h / 2) / sampleRowCount }
        var sampleTiles: [CurveTile] = []
        for row in sampleRows { sampleTiles += try tiles(input, rows: row..<(row + 1)) }
        do {
            var all = [Float](), dark = [Float]()
            for t in sampleTiles { all += t.counts; dark += t.dark ?? [Float](repeating: 0, count: t.pixelCount) }
            let sample = try CurveTile(pixelCount: all.count / n, frameCount: n, counts: all, dark: dark)
            options = try options.derivingHotThreshold(from: sample, frames: nominal)
        } catch { throw ScanError("scan \(input.manifest.directory): \(error.message)") }
        let thresholdsTime = clock.lap()

        var motor: MotorErrorEstimate?
        var corrected: ScanFrames?
        let knownStep = settings.motorStepMicroradians ?? input.manifest.motorStepMicroradians
        let choice = settings.motor ?? (knownStep != nil ? .periodic : .free)
        if choice != .off {
            let model: MotorModel
            if choice == .periodic {
                guard let step = knownStep else {
                    throw ScanError("--motor periodic needs the motor's full step: give --motor-step URAD or motor_step_urad in scan.json")
                }
                model = .periodic(stepMicroradians: step, harmonics: settings.motorHarmonics)
            } else {
                model = .free
            }
            let sample = sampleTiles
            do {
                let estimate = try MotorCorrection.estimate(nominal: nominal, options: options, model: model) { (frames, fitOptions) throws(RockingCurveError) in
                    let sums = try parallelMap(sample.count, workers: settings.workers) { (i) throws(RockingCurveError) in
                        let maps = try settings.reduceTile(sample[i], frames, fitOptions)
                        return try MotorCorrection.residualSums(sample[i], frames: frames, maps: maps, options: fitOptions)
                    }
                    var total = MotorResidualSums(frameCount: n)
                    for s in sums { try total.add(s) }
                    return total
                }
                motor = estimate
                corrected = try estimate.correctedFrames(nominal)
            } catch { throw ScanError("motor correction of \(input.manifest.directory): \(error.message)") }
        }
        let motorTime = clock.lap()

        // Every band: maps at the nominal angles and, with the motor corrected, at the true ones.
        let bandRows = max(1, min(h, settings.bandBytes / max(input.bytesPerBandRow, 1)))
        let bands = stride(from: 0, to: h, by: bandRows).map { $0..<min($0 + bandRows, h) }
        let output = MapBuffers(pixels: w * h, names: mapNames(method: settings.method, corrected: corrected != nil))
        let done = Counter()
        let finalOptions = options
        try parallelMap(bands.count, workers: settings.workers) { (b) throws(ScanError) in
            let rows = bands[b]
            try forEachTile(input, rows: rows) { (index, tile) throws(ScanError) in
                let first = rows.lowerBound * w + index * tilePixels
                do throws(RockingCurveError) {
                    let atNominal = try settings.reduceTile(tile, nominal, finalOptions)
                    output.store(atNominal, at: first, names: [.hmu, .hsigma])
                    let final = try corrected.map { (frames) throws(RockingCurveError) in try settings.reduceTile(tile, frames, finalOptions) }
                    if let final { output.store(final, at: first, names: [.hmuMoco, .hsigmaMoco]) }
                    output.store(final ?? atNominal, at: first, names: extraMaps(method: settings.method))
                    output.storeMask(final ?? atNominal, at: first)
                } catch { throw ScanError("rows \(rows.lowerBound)..<\(rows.upperBound): \(error.message)") }
            }
            progress?(done.increment(), bands.count)
        }
        let reduceTime = clock.lap()

        var counts: [String: Int] = [:]
        for v in PixelValidity.allCases { counts[v.name] = 0 }
        for code in output.mask { counts[PixelValidity(rawValue: code)!.name, default: 0] += 1 }
        let report = ReductionReport(name: input.manifest.name, scanDirectory: input.manifest.directory, width: w, height: h, frames: n,
                                     sampleType: input.sampleType.rawValue, method: settings.method.rawValue, motor: motor, motorChoice: choice.rawValue,
                                     nominalAngles: nominal.anglesMicroradians, correctedAngles: corrected?.anglesMicroradians,
                                     counts: counts, hotBackgroundCounts: Double(options.hotBackgroundCounts),
                                     saturationCounts: Double(options.saturationCounts), bandRows: bandRows,
                                     bytesRead: Int64(h) * Int64(input.bytesPerBandRow) + Int64(sampleRows.count) * Int64(input.bytesPerBandRow),
                                     timings: ["thresholds_s": thresholdsTime, "motor_s": motorTime, "reduce_s": reduceTime],
                                     maps: output.names.map(\.rawValue) + ["mask"])
        return ReducedScan(width: w, height: h, maps: output.arrays(), mask: output.mask, report: report)
    }

    static func mapNames(method: PeakMethod, corrected: Bool) -> [MapName] {
        [.hmu, .hsigma] + (corrected ? [.hmuMoco, .hsigmaMoco] : []) + extraMaps(method: method)
    }

    static func extraMaps(method: PeakMethod) -> [MapName] {
        [.hamp, .hbase, .hfwhm, .hintegral, .hmuErr, .hsnr] + (method == .moments ? [] : method == .gauss ? [.hchi2] : [.hchi2, .heta])
    }

    /// The band's curves as tiles of `tilePixels` pixels (for the sample: kept in memory).
    static func tiles(_ input: ScanInput, rows: Range<Int>) throws(ScanError) -> [CurveTile] {
        var result: [CurveTile] = []
        try forEachTile(input, rows: rows) { (_, tile) throws(ScanError) in result.append(tile) }
        return result
    }

    /// Reads rows `rows` of every image once, then hands the band's curves to `body` a tile of
    /// `tilePixels` pixels at a time (transposed just before use, so a tile stays in cache).
    static func forEachTile(_ input: ScanInput, rows: Range<Int>, _ body: (Int, CurveTile) throws(ScanError) -> Void) throws(ScanError) {
        let bandPixels = rows.count * input.width, n = input.frameCount
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: rows.count * input.bytesPerBandRow, alignment: 16)
        defer { raw.deallocate() }
        try input.readBand(rows: rows, into: raw)
        let dark = try input.darkLevel(rows: rows)
        let result: Result<Void, ScanError> = dark.withOptionalBuffer { (darkBuffer) -> Result<Void, ScanError> in
            for (index, start) in stride(from: 0, to: bandPixels, by: tilePixels).enumerated() {
                let pixels = start..<min(start + tilePixels, bandPixels)
                let tile: CurveTile
                do throws(RockingCurveError) {
                    switch input.sampleType {
                    case .uint16:
                        tile = try FrameMajorBand.tile(UnsafeBufferPointer(raw.bindMemory(to: UInt16.self)), frameCount: n, bandPixels: bandPixels,
                                                       pixels: pixels, dark: darkBuffer)
                    case .float32:
                        tile = try FrameMajorBand.tile(UnsafeBufferPointer(raw.bindMemory(to: Float.self)), frameCount: n, bandPixels: bandPixels,
                                                       pixels: pixels, dark: darkBuffer)
                    }
                } catch { return .failure(ScanError("rows \(rows.lowerBound)..<\(rows.upperBound): \(error.message)")) }
                do throws(ScanError) { try body(index, tile) } catch { return .failure(error) }
            }
            return .success(())
        }
        try result.get()
    }
}

extension Optional where Wrapped == [Float] {
    func withOptionalBuffer<R>(_ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        switch self {
        case .none: body(nil)
        case .some(let values): values.withUnsafeBufferPointer { body($0) }
        }
    }
}
