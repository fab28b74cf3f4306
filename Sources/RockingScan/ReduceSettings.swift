import Foundation
import RockingCurve

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
    /// Polled before every tile: true when nobody waits for the reduction any more (the edge's caller
    /// went away or its deadline passed); the reduction then stops with an error instead of finishing.
    public var shouldStop: @Sendable () -> Bool = { false }
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
