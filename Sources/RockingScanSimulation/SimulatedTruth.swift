/// What a simulated camera pixel looks at.
public enum SimulatedPixel: UInt8, Sendable, Codable, CaseIterable {
    /// Diffracting crystal: has a rocking curve.
    case crystal = 0
    /// Beside the crystal: background only.
    case outside = 1
    /// In the mount's shadow: background only, no diffraction.
    case mount = 2
    /// A hot camera pixel: bright and flat.
    case hot = 3
    /// A dead camera pixel: always zero.
    case dead = 4
}

/// The truth behind a simulated scan, on the camera's pixel grid (row 0 = the images' first row),
/// as it holds at the scan's middle angle (the y-walk slides the image about it).
public struct SimulatedTruth: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let kind: [SimulatedPixel]
    /// Peak position in the true angles, µrad (NaN where nothing diffracts).
    public let peakPosition: [Float]
    /// Peak height above the background at the first image's monitor, counts (0 where nothing diffracts).
    public let amplitude: [Float]
    /// The curve's σ (its FWHM / 2.3548) and Lorentzian fraction, the same for every crystal pixel.
    public let sigmaMicroradians: Double
    public let eta: Double
    /// Background (at the first monitor) and mean dark level per pixel, counts.
    public let backgroundCounts: Double
    public let dark: [Float]
    /// The motor's error per image: true angle = nominal + error, µrad.
    public let motorErrors: [Double]
    public let nominalAngles: [Double]
    /// Incident intensity per image (what the monitor read).
    public let monitor: [Double]
}
