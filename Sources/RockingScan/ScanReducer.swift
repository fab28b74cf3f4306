import Dispatch
import Foundation
import RockingCurve
import TIFFImage

/// The whole reduction of a scan folder, in process: scan-wide thresholds and the motor error
/// from a sample of rows, then every band of rows from every image, reduced tile by tile with
/// `TileReduction` on `workers` threads (a bounded number of bands in flight).
public enum ScanReducer {
    /// Pixels per tile (in the sample: per row piece; in bands: consecutive pixels of the band).
    public static let tilePixels = 256

    public static func reduce(_ input: ScanInput, settings: ReduceSettings,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ScanError) -> ReducedScan {
        let clock = Stopwatch()
        let (sample, sampleRows) = try readSample(input, pixels: settings.motorSamplePixels)
        let options = try scanOptions(input, method: settings.method, sample: sample)
        let thresholdsTime = clock.lap()
        let knownStep = settings.motorStepMicroradians ?? input.manifest.motorStepMicroradians
        let choice = settings.motor ?? (knownStep != nil ? .periodic : .free)
        let motor = try estimateMotor(input, choice: choice, step: knownStep, settings: settings, options: options, sample: sample)
        let corrected: ScanFrames?
        do { corrected = try motor?.correctedFrames(input.frames) } catch { throw ScanError("motor correction: \(error.message)") }
        let motorTime = clock.lap()
        let bandRows = max(1, min(input.height, settings.bandBytes / max(input.bytesPerBandRow, 1)))
        let output = try reduceBands(input, bandRows: bandRows, settings: settings, options: options, corrected: corrected, progress: progress)
        let reduceTime = clock.lap()

        var counts: [String: Int] = [:]
        for v in PixelValidity.allCases { counts[v.name] = 0 }
        for code in output.mask { counts[PixelValidity(rawValue: code)!.name, default: 0] += 1 }
        let report = ReductionReport(name: input.manifest.name, scanDirectory: input.manifest.directory, width: input.width, height: input.height,
                                     frames: input.frameCount, sampleType: input.sampleType.rawValue, method: settings.method.rawValue,
                                     motor: motor, motorChoice: choice.rawValue, nominalAngles: input.frames.anglesMicroradians,
                                     correctedAngles: corrected?.anglesMicroradians, counts: counts,
                                     hotBackgroundCounts: Double(options.hotBackgroundCounts), saturationCounts: Double(options.saturationCounts),
                                     bandRows: bandRows, bytesRead: Int64(input.height + sampleRows) * Int64(input.bytesPerBandRow),
                                     timings: ["thresholds_s": thresholdsTime, "motor_s": motorTime, "reduce_s": reduceTime],
                                     maps: output.names.map(\.rawValue) + ["mask"])
        return ReducedScan(width: input.width, height: input.height, maps: output.arrays(), mask: output.mask, report: report)
    }

    /// Whole rows spread evenly over the image, about `pixels` pixels in all: the sample that sets the
    /// scan-wide thresholds and measures the motor error, as tiles of at most `tilePixels` pixels.
    ///
    /// A distributed reduction that must equal this one bit for bit uses these same tiles, in this
    /// order, and adds their motor sums in this order (floating-point sums depend on their order).
    public static func readSample(_ input: ScanInput, pixels: Int) throws(ScanError) -> (tiles: [CurveTile], rows: Int) {
        let count = min(input.height, max(1, pixels / input.width))
        var tiles: [CurveTile] = []
        for i in 0..<count {
            let row = (i * input.height + input.height / 2) / count
            tiles += try self.tiles(input, rows: row..<(row + 1))
        }
        return (tiles, count)
    }

    /// The options every tile of the scan is reduced with: the method, the saturation level of the
    /// images' type, and the hot-pixel threshold from the sample.
    public static func scanOptions(_ input: ScanInput, method: PeakMethod, sample: [CurveTile]) throws(ScanError) -> ReductionOptions {
        var options = ReductionOptions(method: method)
        options.saturationCounts = input.sampleType == .uint16 ? 65535 : .greatestFiniteMagnitude
        do {
            var all = [Float](), dark = [Float]()
            for t in sample { all += t.counts; dark += t.dark ?? [Float](repeating: 0, count: t.pixelCount) }
            let joined = try CurveTile(pixelCount: all.count / input.frameCount, frameCount: input.frameCount, counts: all, dark: dark)
            return try options.derivingHotThreshold(from: joined, frames: input.frames)
        } catch { throw ScanError("scan \(input.manifest.directory): \(error.message)") }
    }

    /// The motor error from the sample (passes 1 and 2 over its tiles on the workers), or nil when off.
    static func estimateMotor(_ input: ScanInput, choice: MotorChoice, step: Double?, settings: ReduceSettings, options: ReductionOptions,
                              sample: [CurveTile]) throws(ScanError) -> MotorErrorEstimate? {
        let model: MotorModel
        switch choice {
        case .off: return nil
        case .free: model = .free
        case .periodic:
            guard let step else {
                throw ScanError("--motor periodic needs the motor's full step: give --motor-step URAD or motor_step_urad in scan.json")
            }
            model = .periodic(stepMicroradians: step, harmonics: settings.motorHarmonics)
        }
        let n = input.frameCount
        do {
            return try MotorCorrection.estimate(nominal: input.frames, options: options, model: model) { (frames, fitOptions) throws(RockingCurveError) in
                let sums = try parallelMap(sample.count, workers: settings.workers) { (i) throws(RockingCurveError) in
                    if settings.shouldStop() { throw RockingCurveError(parameter: "tile", message: stoppedMessage) }
                    let maps = try settings.reduceTile(sample[i], frames, fitOptions)
                    return try MotorCorrection.residualSums(sample[i], frames: frames, maps: maps, options: fitOptions)
                }
                var total = MotorResidualSums(frameCount: n)
                for s in sums { try total.add(s) }  // in tile order: reproducible
                return total
            }
        } catch { throw ScanError("motor correction of \(input.manifest.directory): \(error.message)") }
    }

    /// Every band of `bandRows` rows on the workers: maps at the nominal angles and, with the motor
    /// corrected, at the corrected ones (which then give the extra maps and the mask).
    static func reduceBands(_ input: ScanInput, bandRows: Int, settings: ReduceSettings, options: ReductionOptions, corrected: ScanFrames?,
                            progress: (@Sendable (Int, Int) -> Void)?) throws(ScanError) -> MapBuffers {
        let w = input.width, nominal = input.frames
        let bands = stride(from: 0, to: input.height, by: bandRows).map { $0..<min($0 + bandRows, input.height) }
        let output = MapBuffers(pixels: w * input.height, names: mapNames(method: settings.method, corrected: corrected != nil))
        let done = Counter()
        let extras = extraMaps(method: settings.method)
        try parallelMap(bands.count, workers: settings.workers) { (b) throws(ScanError) in
            let rows = bands[b]
            try forEachTile(input, rows: rows) { (index, tile) throws(ScanError) in
                let first = rows.lowerBound * w + index * tilePixels
                if settings.shouldStop() { throw ScanError(stoppedMessage) }
                do throws(RockingCurveError) {
                    let atNominal = try settings.reduceTile(tile, nominal, options)
                    output.store(atNominal, at: first, names: [.hmu, .hsigma])
                    let final = try corrected.map { (frames) throws(RockingCurveError) in try settings.reduceTile(tile, frames, options) }
                    if let final { output.store(final, at: first, names: [.hmuMoco, .hsigmaMoco]) }
                    output.store(final ?? atNominal, at: first, names: extras)
                    output.storeMask(final ?? atNominal, at: first)
                } catch { throw ScanError("rows \(rows.lowerBound)..<\(rows.upperBound): \(error.message)") }
            }
            progress?(done.increment(), bands.count)
        }
        return output
    }

    static let stoppedMessage = "the reduction was stopped: its caller went away or its deadline passed"

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
