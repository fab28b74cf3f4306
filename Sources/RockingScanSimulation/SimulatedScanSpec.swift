import Topography

/// Which lattice tilt a scan measures: rocking about the camera's horizontal axis (θH) or its
/// vertical axis (θV). Spelled as in `scan.json`.
public enum RockingAxis: String, Sendable, Codable, CaseIterable {
    case thetah, thetav
}

/// Everything a simulated scan depends on besides the radiator. Defaults: a CLS-like scan of a
/// good plate (2.4 µrad steps, a 21 µrad motor step with a 0.8 µrad error, σ = 8 µrad curves with
/// Lorentzian tails, about 4000 counts at the peak over 40 of background).
public struct SimulatedScanSpec: Sendable, Hashable, Codable {
    public var name = "simulated"
    /// Camera pixels.
    public var width = 64
    public var height = 64
    /// Camera pixel size on the sample, mm (x, y).
    public var pixelXMillimeters = 0.12
    public var pixelYMillimeters = 0.12
    public var rocking = RockingAxis.thetah
    public var face = ViewSide.front
    public var sampleRotationDegrees = 0.0
    public var mirror = false
    /// Angle between the rocking axis and the camera axis, degrees (χ).
    public var chiDegrees = 0.0
    /// Peak shift per mm along the camera's horizontal axis, µrad/mm.
    public var dispersionMicroradiansPerMillimeter = 0.0
    /// Image slide along the camera's vertical axis per mrad of rocking, mm/mrad (positive: up, to lower rows).
    public var yWalkMillimetersPerMilliradian = 0.0
    /// Nominal angles: start + k·step, µrad.
    public var frameCount = 100
    public var startMicroradians = -120.0
    public var stepMicroradians = 2.4
    /// The scan's constant (Bragg angle, motor zero) added to every peak position, µrad.
    public var peakOffsetMicroradians = 0.0
    /// Curve: Gaussian σ of the pseudo-Voigt's FWHM (FWHM = 2.3548 σ), µrad, and its Lorentzian fraction η.
    public var sigmaMicroradians = 8.0
    public var eta = 0.2
    /// Peak height at the crystal's brightest, counts at the first image's monitor.
    public var peakCounts = 4000.0
    /// Relative intensity variation across the crystal (0: uniform; 0.3: 70 %–100 %).
    public var intensityVariation = 0.3
    /// Diffuse background, counts (everywhere, also outside the crystal; it follows the beam).
    public var backgroundCounts = 40.0
    /// Background in the mount's shadow, counts (nil: the same as `backgroundCounts`). A glued tab scatters
    /// (or absorbs) differently from the empty frame, which is what part 2 detects the mount by.
    public var mountBackgroundCounts: Double?
    /// Camera dark offset (mean, counts), its fixed-pattern spread and the read noise (σ, counts).
    public var darkCounts = 100.0
    public var darkPatternCounts = 3.0
    public var readNoiseCounts = 2.0
    public var darkFrameCount = 4
    /// Fractions of hot (bright, flat) and dead (zero) pixels.
    public var hotPixelFraction = 0.002
    public var deadPixelFraction = 0.002
    /// Stepper-motor error: a Fourier series in phase = nominal / step (first and second harmonic amplitudes, µrad).
    public var motorStepMicroradians = 21.0
    public var motorErrorMicroradians = 0.8
    public var motorSecondHarmonicMicroradians = 0.3
    /// Beam decay: the monitor falls by this fraction over the scan.
    public var beamDecay = 0.1
    /// Poisson noise on (true: realistic; false: the expected counts, rounded).
    public var noise = true
    public var seed: UInt64 = 1

    public init() {}

    public var nominalAngles: [Double] { (0..<frameCount).map { startMicroradians + Double($0) * stepMicroradians } }
}
