import Foundation

/// Where the radiator sits relative to the fixed beam: shifted by (x, y) mm
/// and rotated counter-clockwise by φ (beam view) about its own centre, from
/// the nominal position with the beam on the radiator centre.
///
/// A radiator point r appears in the lab (beam at the origin) at
///     L = R(φ)·(r − c) + (x, y),
/// so the lab point p lies over radiator point r = c + R(−φ)·(p − (x, y)).
/// The page draws the image with the same transform; the tilt-service samples with its inverse.
public struct RadiatorPlacement: Sendable, Hashable {
    public var xOffsetMillimeters: Double
    public var yOffsetMillimeters: Double
    public var rotationDegrees: Double

    public init(xOffsetMillimeters: Double = 0, yOffsetMillimeters: Double = 0, rotationDegrees: Double = 0) {
        self.xOffsetMillimeters = xOffsetMillimeters
        self.yOffsetMillimeters = yOffsetMillimeters
        self.rotationDegrees = rotationDegrees
    }

    /// Lab point → radiator-frame point, for a radiator whose centre is `centre`.
    @inline(__always)
    public func radiatorPoint(labX: Double, labY: Double, centre: (x: Double, y: Double)) -> (x: Double, y: Double) {
        let phi = rotationDegrees * Double.pi / 180
        let c = cos(phi), s = sin(phi)
        let dx = labX - xOffsetMillimeters, dy = labY - yOffsetMillimeters
        return (centre.x + c * dx + s * dy, centre.y - s * dx + c * dy)
    }

    /// Radiator-frame point → lab point.
    public func labPoint(radiatorX: Double, radiatorY: Double, centre: (x: Double, y: Double)) -> (x: Double, y: Double) {
        let phi = rotationDegrees * Double.pi / 180
        let c = cos(phi), s = sin(phi)
        let dx = radiatorX - centre.x, dy = radiatorY - centre.y
        return (c * dx - s * dy + xOffsetMillimeters, s * dx + c * dy + yOffsetMillimeters)
    }
}

/// The electron beam at the radiator: a 2D Gaussian centred on the lab origin.
public struct BeamSpot: Sendable, Hashable {
    public var sigmaXMillimeters: Double
    public var sigmaYMillimeters: Double
    public var correlation: Double
    /// Sampling step, mm.
    public var stepMillimeters: Double

    public init(sigmaXMillimeters: Double = 1.0, sigmaYMillimeters: Double = 0.5, correlation: Double = -0.6, stepMillimeters: Double = 0.02) {
        self.sigmaXMillimeters = sigmaXMillimeters
        self.sigmaYMillimeters = sigmaYMillimeters
        self.correlation = correlation
        self.stepMillimeters = stepMillimeters
    }

    /// How far out the spot is integrated, in σ.
    public static let reachSigmas = 5.0

    /// Relative intensity at lab point (x, y) (1 at the centre).
    @inline(__always)
    public func intensity(x: Double, y: Double) -> Double {
        let u = x / sigmaXMillimeters, v = y / sigmaYMillimeters
        let q = (u * u - 2 * correlation * u * v + v * v) / (1 - correlation * correlation)
        return exp(-0.5 * q)
    }
}
