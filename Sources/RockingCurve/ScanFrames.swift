/// The images of a scan as the reduction sees them: one rocking angle per image and
/// the factor that brings each image to the first image's incident intensity.
///
/// Every pixel of a scan shares these, so a tile request carries them once.
public struct ScanFrames: Sendable, Hashable, Codable {
    /// The rocking angle of each image, µrad, strictly monotonic (either direction).
    public let anglesMicroradians: [Double]
    /// Multiply image k's dark-subtracted counts by `monitorScale[k]` (= monitor₀ / monitorₖ);
    /// all ones without a monitor.
    public let monitorScale: [Float]

    public var count: Int { anglesMicroradians.count }

    /// - Parameters:
    ///   - anglesMicroradians: one per image, finite, strictly increasing or strictly decreasing, at least 5.
    ///   - monitor: the incident intensity per image (positive, finite) or nil for a constant beam.
    public init(anglesMicroradians: [Double], monitor: [Double]? = nil) throws(RockingCurveError) {
        guard anglesMicroradians.count >= ScanFrames.minimumCount else {
            throw RockingCurveError(parameter: "angles_urad",
                                    message: "\(anglesMicroradians.count) images; a rocking curve needs at least \(ScanFrames.minimumCount)")
        }
        if let k = anglesMicroradians.firstIndex(where: { !$0.isFinite }) {
            throw RockingCurveError(parameter: "angles_urad", message: "angle \(k) is \(anglesMicroradians[k]); angles must be finite numbers (µrad)")
        }
        let rising = anglesMicroradians[1] > anglesMicroradians[0]
        for k in 1..<anglesMicroradians.count {
            let step = anglesMicroradians[k] - anglesMicroradians[k - 1]
            guard rising ? step > 0 : step < 0 else {
                throw RockingCurveError(parameter: "angles_urad",
                                        message: "angles are not monotonic: image \(k - 1) at \(anglesMicroradians[k - 1]) µrad, image \(k) at \(anglesMicroradians[k]) µrad")
            }
        }
        self.anglesMicroradians = anglesMicroradians
        if let monitor {
            guard monitor.count == anglesMicroradians.count else {
                throw RockingCurveError(parameter: "monitor", message: "\(monitor.count) monitor values for \(anglesMicroradians.count) images; give one per image")
            }
            if let k = monitor.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw RockingCurveError(parameter: "monitor", message: "monitor value \(k) is \(monitor[k]); it must be a positive finite intensity")
            }
            monitorScale = monitor.map { Float(monitor[0] / $0) }
        } else {
            monitorScale = [Float](repeating: 1, count: anglesMicroradians.count)
        }
    }

    /// The same images at other angles (the motor-corrected ones), keeping the monitor.
    public func withAngles(_ angles: [Double]) throws(RockingCurveError) -> ScanFrames {
        guard angles.count == count else {
            throw RockingCurveError(parameter: "angles_urad", message: "\(angles.count) angles for \(count) images")
        }
        let checked = try ScanFrames(anglesMicroradians: angles)
        return ScanFrames(validatedAngles: checked.anglesMicroradians, monitorScale: monitorScale)
    }

    private init(validatedAngles: [Double], monitorScale: [Float]) {
        self.anglesMicroradians = validatedAngles
        self.monitorScale = monitorScale
    }

    public static let minimumCount = 5

    enum CodingKeys: String, CodingKey { case anglesMicroradians = "angles_urad", monitorScale = "monitor_scale" }

    /// Decoded frames (e.g. from a tile request) are checked like constructed ones.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let angles = try c.decode([Double].self, forKey: .anglesMicroradians)
        let scale = try c.decode([Float].self, forKey: .monitorScale)
        let checked = try ScanFrames(anglesMicroradians: angles)
        guard scale.count == angles.count, scale.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw RockingCurveError(parameter: "monitor_scale", message: "\(scale.count) factors for \(angles.count) images; one positive finite factor per image")
        }
        self.init(validatedAngles: checked.anglesMicroradians, monitorScale: scale)
    }
}
