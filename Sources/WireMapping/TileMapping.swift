import Foundation
import RockingCurve
import RPC
import Wire

/// A ReduceTile request as validated domain values: one tile of a scan, the scan's frames and
/// options, and whether pass 2 of the motor correction runs on it too.
public struct TileReductionJob: Sendable, Equatable {
    public let tile: CurveTile
    public let frames: ScanFrames
    public let options: ReductionOptions
    /// Also compute `MotorCorrection.residualSums` over the tile (needs a fit method).
    public let motorResiduals: Bool

    public init(tile: CurveTile, frames: ScanFrames, options: ReductionOptions, motorResiduals: Bool = false) throws(RPCError) {
        guard tile.frameCount == frames.count else {
            throw RPCError(.invalidArgument, "frame_count: the tile has \(tile.frameCount) frames but the scan has \(frames.count) angles")
        }
        guard !motorResiduals || options.method != .moments else {
            throw RPCError(.invalidArgument, "motor_residuals: pass 2 of the motor correction needs the maps of a fit; use method gauss or pvoigt")
        }
        guard tile.pixelCount <= TileLimits.maxPixels else {
            throw RPCError(.invalidArgument, "pixel_count = \(tile.pixelCount): at most \(TileLimits.maxPixels) pixels per tile")
        }
        guard tile.pixelCount * tile.frameCount <= TileLimits.maxCounts else {
            throw RPCError(.invalidArgument, "counts: \(tile.pixelCount) pixels × \(tile.frameCount) frames = \(tile.pixelCount * tile.frameCount) values; "
                           + "at most \(TileLimits.maxCounts) per tile (one request must fit the 16 MiB RPC frame): use smaller tiles")
        }
        self.tile = tile
        self.frames = frames
        self.options = options
        self.motorResiduals = motorResiduals
    }
}

/// How large one ReduceTile request may be: its counts as float32 (14 MB) plus the rest fit the
/// 16 MiB frame; the answer (12 float maps and the validity) stays far below it.
public enum TileLimits {
    public static let maxPixels = 65_536
    public static let maxCounts = 3_500_000

    /// The most pixels of a tile with `frameCount` frames (what the CLI sizes its tiles by).
    public static func maxPixels(frameCount: Int) -> Int { min(maxPixels, maxCounts / max(1, frameCount)) }
}

extension RockingCurveError {
    /// The refusal as an RPC status: the input is wrong, and the sentence names the parameter.
    public var rpcError: RPCError { RPCError(.invalidArgument, "\(parameter): \(message)") }
}

extension ReductionOptionsMessage {
    public init(_ o: ReductionOptions) {
        self.init()
        method = o.method.rawValue
        saturationCounts = o.saturationCounts
        hotBackgroundCounts = o.hotBackgroundCounts.isFinite ? o.hotBackgroundCounts : nil
        minimumSignalToNoise = o.minimumSignalToNoise
        endFrames = o.endFrames.map { UInt32(clamping: $0) }
        windowSigmas = o.windowSigmas
        fitWindowSigmas = o.fitWindowSigmas
        maximumIterations = UInt32(clamping: o.maximumIterations)
    }

    /// The options with unset fields at their defaults (checked against the scan by `ReductionOptions.validate`).
    public func reductionOptions() throws(RPCError) -> ReductionOptions {
        var o = ReductionOptions()
        if !method.isEmpty {
            guard let m = PeakMethod(rawValue: method) else {
                throw RPCError(.invalidArgument, "options.method = '\(method)': allowed \(PeakMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            o.method = m
        }
        if let v = saturationCounts { o.saturationCounts = v }
        if let v = hotBackgroundCounts { o.hotBackgroundCounts = v }
        if let v = minimumSignalToNoise { o.minimumSignalToNoise = v }
        if let v = endFrames { o.endFrames = Int(v) }
        if let v = windowSigmas { o.windowSigmas = v }
        if let v = fitWindowSigmas { o.fitWindowSigmas = v }
        if let v = maximumIterations { o.maximumIterations = Int(v) }
        return o
    }
}

extension ReduceTileRequestMessage {
    /// The job as a request: counts that are all integers in 0…65535 (a 16-bit scan) travel as
    /// little-endian uint16 (half the bytes), any others as float32.
    public init(_ job: TileReductionJob) {
        self.init()
        pixelCount = UInt32(job.tile.pixelCount)
        frameCount = UInt32(job.tile.frameCount)
        let counts = job.tile.counts
        if counts.allSatisfy({ $0 >= 0 && $0 <= 65535 && $0.rounded(.towardZero) == $0 }) {
            var bytes = Data(count: counts.count * 2)
            bytes.withUnsafeMutableBytes { raw in
                for (i, c) in counts.enumerated() { raw.storeBytes(of: UInt16(c).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            }
            countsU16 = bytes
        } else {
            self.counts = counts
        }
        dark = job.tile.dark ?? []
        anglesUrad = job.frames.anglesMicroradians
        monitorScale = job.frames.monitorScale.allSatisfy { $0 == 1 } ? [] : job.frames.monitorScale
        options = ReductionOptionsMessage(job.options)
        motorResiduals = job.motorResiduals
    }

    /// The request checked field by field: sizes within `TileLimits`, counts and dark finite, angles
    /// finite and monotonic, options within their ranges. Every refusal is INVALID_ARGUMENT naming the field.
    public func job() throws(RPCError) -> TileReductionJob {
        let pixels = Int(pixelCount), frameCount = Int(self.frameCount)
        guard pixels <= TileLimits.maxPixels else {
            throw RPCError(.invalidArgument, "pixel_count = \(pixels): at most \(TileLimits.maxPixels) pixels per tile")
        }
        guard frameCount >= ScanFrames.minimumCount, frameCount <= TileLimits.maxCounts else {
            throw RPCError(.invalidArgument, "frame_count = \(frameCount): allowed \(ScanFrames.minimumCount) to \(TileLimits.maxCounts)")
        }
        let n = pixels * frameCount
        guard n <= TileLimits.maxCounts else {
            throw RPCError(.invalidArgument, "counts: \(pixels) pixels × \(frameCount) frames = \(n) values; at most \(TileLimits.maxCounts) per tile (one request must fit the 16 MiB RPC frame): use smaller tiles")
        }
        let values: [Float]
        switch (countsU16.isEmpty, counts.isEmpty) {
        case (false, true):
            guard countsU16.count == 2 * n else {
                throw RPCError(.invalidArgument, "counts_u16: \(countsU16.count) bytes for \(pixels) pixels × \(frameCount) frames; need \(2 * n) (2 bytes a count)")
            }
            values = countsU16.withUnsafeBytes { raw in
                (0..<n).map { Float(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
            }
        case (true, false):
            guard counts.count == n else {
                throw RPCError(.invalidArgument, "counts: \(counts.count) values for \(pixels) pixels × \(frameCount) frames; need \(n)")
            }
            if let i = counts.firstIndex(where: { !$0.isFinite }) {
                throw RPCError(.invalidArgument, "counts: value \(i) (pixel \(i / frameCount), frame \(i % frameCount)) is \(counts[i]); counts must be finite")
            }
            values = counts
        case (true, true) where n == 0:
            values = []
        default:
            throw RPCError(.invalidArgument, "counts: set exactly one of counts_u16 (16-bit scans) and counts (float32); \(countsU16.isEmpty ? "neither" : "both") set")
        }
        guard dark.isEmpty || dark.count == pixels else {
            throw RPCError(.invalidArgument, "dark: \(dark.count) values for \(pixels) pixels; give one per pixel or none")
        }
        if let i = dark.firstIndex(where: { !$0.isFinite }) {
            throw RPCError(.invalidArgument, "dark: value \(i) is \(dark[i]); dark levels must be finite counts")
        }
        guard anglesUrad.count == frameCount else {
            throw RPCError(.invalidArgument, "angles_urad: \(anglesUrad.count) angles for frame_count = \(frameCount); give one per image")
        }
        guard monitorScale.isEmpty || monitorScale.count == frameCount else {
            throw RPCError(.invalidArgument, "monitor_scale: \(monitorScale.count) values for frame_count = \(frameCount); give one per image or none")
        }
        if let k = monitorScale.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw RPCError(.invalidArgument, "monitor_scale: value \(k) is \(monitorScale[k]); scales must be positive and finite")
        }
        if let first = monitorScale.first, first != 1 {
            throw RPCError(.invalidArgument, "monitor_scale: image 0 has \(first); scales are monitor₀ / monitorₖ, so image 0's is 1")
        }
        let options = try (self.options ?? ReductionOptionsMessage()).reductionOptions()
        let tile: CurveTile, frames: ScanFrames
        do throws(RockingCurveError) {
            tile = try CurveTile(pixelCount: pixels, frameCount: frameCount, counts: values, dark: dark.isEmpty ? nil : dark)
            // ScanFrames keeps scale_k = Float(m₀ / m_k): monitors 1 / scale_k (with scale₀ = 1) give back exactly scale_k.
            frames = try ScanFrames(anglesMicroradians: anglesUrad, monitor: monitorScale.isEmpty ? nil : monitorScale.map { 1 / Double($0) })
            try options.validate(frameCount: frameCount)
        } catch {
            throw error.rpcError
        }
        return try TileReductionJob(tile: tile, frames: frames, options: options, motorResiduals: motorResiduals)
    }
}

extension TileMapsMessage {
    public init(_ m: TileMaps) {
        self.init()
        pixelCount = UInt32(m.pixelCount)
        method = m.method.rawValue
        hmu = m.position; hsigma = m.sigma; hfwhm = m.fwhm; hamp = m.amplitude; hbase = m.background
        hbaseSlope = m.backgroundSlope; hintegral = m.integral; hmuErr = m.positionError; hsnr = m.signalToNoise
        hchi2 = m.reducedChiSquare; heta = m.eta; hnoise = m.backgroundNoise
        validity = Data(m.validity.map(\.rawValue))
    }

    /// The maps of a tile of `pixelCount` pixels; a message of another size or method (a node of
    /// another version, a broken one) is refused (INTERNAL: the answer, not the request, is wrong).
    public func tileMaps(pixelCount expected: Int, method expectedMethod: PeakMethod) throws(RPCError) -> TileMaps {
        guard Int(pixelCount) == expected, method == expectedMethod.rawValue else {
            throw RPCError(.internalError, "malformed tile maps: \(pixelCount) pixels by \(method) for a tile of \(expected) pixels by \(expectedMethod.rawValue)")
        }
        var m = TileMaps(pixelCount: expected, method: expectedMethod)
        let columns: [(String, [Float], WritableKeyPath<TileMaps, [Float]>)] = [
            ("hmu", hmu, \.position), ("hsigma", hsigma, \.sigma), ("hfwhm", hfwhm, \.fwhm), ("hamp", hamp, \.amplitude),
            ("hbase", hbase, \.background), ("hbase_slope", hbaseSlope, \.backgroundSlope), ("hintegral", hintegral, \.integral),
            ("hmu_err", hmuErr, \.positionError), ("hsnr", hsnr, \.signalToNoise), ("hchi2", hchi2, \.reducedChiSquare),
            ("heta", heta, \.eta), ("hnoise", hnoise, \.backgroundNoise),
        ]
        for (name, values, path) in columns {
            guard values.count == expected else {
                throw RPCError(.internalError, "malformed tile maps: \(name) has \(values.count) values for \(expected) pixels")
            }
            m[keyPath: path] = values
        }
        guard validity.count == expected else {
            throw RPCError(.internalError, "malformed tile maps: validity has \(validity.count) bytes for \(expected) pixels")
        }
        var reasons: [PixelValidity] = []
        reasons.reserveCapacity(expected)
        for b in validity {
            guard let v = PixelValidity(rawValue: b) else { throw RPCError(.internalError, "malformed tile maps: validity code \(b) is not 0 to 6") }
            reasons.append(v)
        }
        m.validity = reasons
        return m
    }
}

extension MotorResidualSumsMessage {
    public init(_ s: MotorResidualSums) {
        self.init(numerator: s.numerator, denominator: s.denominator, pixels: UInt64(s.pixels))
    }

    /// The sums of a scan of `frameCount` images (refused, as INTERNAL, when sizes or values are off).
    public func sums(frameCount: Int) throws(RPCError) -> MotorResidualSums {
        guard numerator.count == frameCount, denominator.count == frameCount,
              numerator.allSatisfy(\.isFinite), denominator.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw RPCError(.internalError, "malformed motor sums: \(numerator.count) / \(denominator.count) values for \(frameCount) images, or not finite")
        }
        do throws(RockingCurveError) {
            return try MotorResidualSums(numerator: numerator, denominator: denominator, pixels: Int(clamping: pixels))
        } catch {
            throw RPCError(.internalError, "malformed motor sums: \(error.message)")
        }
    }
}
