/// One orientation offset of a weighted set: the crystal under part of the beam
/// spot is tilted by (Δθh, Δθv) from the goniometer setting, with this weight.
public struct TiltSample: Sendable, Hashable {
    public var thetaHOffsetRadians: Double
    public var thetaVOffsetRadians: Double
    public var weight: Double

    public init(thetaHOffsetRadians: Double, thetaVOffsetRadians: Double, weight: Double) {
        self.thetaHOffsetRadians = thetaHOffsetRadians
        self.thetaVOffsetRadians = thetaVOffsetRadians
        self.weight = weight
    }

    public init(thetaHOffsetMilliradians: Double, thetaVOffsetMilliradians: Double, weight: Double) {
        self.init(thetaHOffsetRadians: thetaHOffsetMilliradians * 1e-3,
                  thetaVOffsetRadians: thetaVOffsetMilliradians * 1e-3, weight: weight)
    }
}
