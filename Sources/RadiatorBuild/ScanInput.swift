import Topography

/// Which tilt component a scan measures: the crystal is rocked about the sample's horizontal axis
/// (`thetah`, the tilt about x) or its vertical axis (`thetav`, the tilt about y).
public enum RockingDirection: String, Sendable, Codable, CaseIterable {
    case thetah, thetav
}

/// The facts a scan's manifest declares (docs/rci-conventions.md): they take the camera image to the
/// sample frame before any automatic alignment.
public struct ScanManifest: Sendable, Equatable, Codable {
    /// The scan's name in reports (e.g. its folder name).
    public var name: String
    public var rocking: RockingDirection
    /// Which face was towards the X-ray beam.
    public var face: ViewSide
    /// In-plane rotation of the sample, counter-clockwise, degrees (180: a complementary scan).
    public var sampleRotationDegrees: Double
    /// The image is seen through the crystal: camera u is negated.
    public var mirror: Bool
    public var pixelXMillimeters: Double
    public var pixelYMillimeters: Double
    /// This scan repeats another of the same face and rocking direction with the sample turned by 180°:
    /// half their difference is tilt, half their sum the d-spacing term.
    public var complementary: Bool

    public init(name: String, rocking: RockingDirection, face: ViewSide, sampleRotationDegrees: Double = 0, mirror: Bool = false,
                pixelXMillimeters: Double, pixelYMillimeters: Double, complementary: Bool = false) {
        self.name = name
        self.rocking = rocking
        self.face = face
        self.sampleRotationDegrees = sampleRotationDegrees
        self.mirror = mirror
        self.pixelXMillimeters = pixelXMillimeters
        self.pixelYMillimeters = pixelYMillimeters
        self.complementary = complementary
    }
}

/// Numbers the physicist fixes by hand instead of letting the build find them; nil = find it.
public struct ScanOverrides: Sendable, Equatable, Codable {
    /// Residual shift of the scan relative to the reference, front-view mm (after the declared transform).
    public var shiftXMillimeters: Double?
    public var shiftYMillimeters: Double?
    /// Residual rotation, degrees counter-clockwise, and scale (1 = as declared).
    public var rotationDegrees: Double?
    public var scale: Double?
    /// Image slide along the camera's vertical axis (+v, up) per mrad of rocking angle, mm/mrad.
    public var walkMillimetersPerMilliradian: Double?
    /// Angle between the rocking axis and its nominal camera axis, degrees.
    public var chiDegrees: Double?
    /// Peak-position ramp along the camera's horizontal axis u, µrad/mm.
    public var dispersionMicroradiansPerMillimeter: Double?

    public init(shiftXMillimeters: Double? = nil, shiftYMillimeters: Double? = nil, rotationDegrees: Double? = nil, scale: Double? = nil,
                walkMillimetersPerMilliradian: Double? = nil, chiDegrees: Double? = nil, dispersionMicroradiansPerMillimeter: Double? = nil) {
        self.shiftXMillimeters = shiftXMillimeters
        self.shiftYMillimeters = shiftYMillimeters
        self.rotationDegrees = rotationDegrees
        self.scale = scale
        self.walkMillimetersPerMilliradian = walkMillimetersPerMilliradian
        self.chiDegrees = chiDegrees
        self.dispersionMicroradiansPerMillimeter = dispersionMicroradiansPerMillimeter
    }
}

/// One reduced scan on its camera grid (row 0 = the first, top, image row; column 0 left).
public struct ScanMaps: Sendable, Equatable {
    public var manifest: ScanManifest
    public var columns: Int
    public var rows: Int
    /// Peak position per pixel, µrad; NaN where the reduction found no peak.
    public var peakMicroradians: [Float]
    /// Integrated intensity (or amplitude) per pixel, counts; NaN = not measured.
    public var intensity: [Float]
    /// The reduction's own validity mask (nil: valid wherever the peak is finite).
    public var valid: [Bool]?
    /// The rocking curves' baseline per pixel (counts), when the reduction gives it: a mount that does not
    /// diffract but absorbs or scatters shows here. nil: the mount is looked for in `intensity`.
    public var baseline: [Float]?
    public var overrides: ScanOverrides

    public init(manifest: ScanManifest, columns: Int, rows: Int, peakMicroradians: [Float], intensity: [Float], valid: [Bool]? = nil,
                baseline: [Float]? = nil, overrides: ScanOverrides = ScanOverrides()) {
        self.manifest = manifest
        self.columns = columns
        self.rows = rows
        self.peakMicroradians = peakMicroradians
        self.intensity = intensity
        self.valid = valid
        self.baseline = baseline
        self.overrides = overrides
    }

    /// Whether pixel i has a usable peak position.
    @inline(__always) func isValid(_ i: Int) -> Bool {
        peakMicroradians[i].isFinite && (valid?[i] ?? true)
    }
}

/// A point in the reference scan's camera pixels (column to the right, row downwards), for a hand-drawn mount.
public struct CameraPoint: Sendable, Equatable, Codable {
    public var column: Double
    public var row: Double
    public init(column: Double, row: Double) { self.column = column; self.row = row }
}

/// Everything about the radiator that is not in the scans, and the build's switches.
public struct BuildOptions: Sendable, Equatable {
    public var name: String
    public var thicknessMicrons: Double
    public var crystal: String
    public var mountMaterial: String
    public var mountThicknessMillimeters: Double
    /// The glued mount drawn by hand on the reference (front θH) scan, camera pixels; nil: detect it.
    public var mountPolygon: [CameraPoint]?
    /// Store the surface's gradient (the curl-free part) as the radiator's tilts instead of the measured tilts.
    public var curlFreeTilts: Bool
    /// Find the dispersion ramps from the curl and the front/back redundancy (else 0 unless overridden). Off by
    /// default: on a crystal whose surface is close to a quadric the tilts are linear in x and y, exactly like a
    /// dispersion ramp or a χ mixing, so only local features (defects) tell them apart.
    public var estimateDispersion: Bool
    /// Least correlation between a scan's and the reference's outline image after alignment.
    public var minimumCorrelation: Double
    /// Least fraction of a scan's crystal pixels with a valid peak.
    public var minimumValidFraction: Double
    /// Largest residual scale (|scale − 1|) alignment may absorb before pixel sizes are called wrong.
    public var maximumScaleError: Double
    /// Largest residual rotation searched, degrees (either way).
    public var rotationSearchDegrees: Double

    public init(name: String, thicknessMicrons: Double, crystal: String = "diamond", mountMaterial: String = Radiator.defaultMountMaterial,
                mountThicknessMillimeters: Double = Radiator.defaultMountThicknessMillimeters, mountPolygon: [CameraPoint]? = nil,
                curlFreeTilts: Bool = false, estimateDispersion: Bool = false, minimumCorrelation: Double = 0.8,
                minimumValidFraction: Double = 0.5, maximumScaleError: Double = 0.05, rotationSearchDegrees: Double = 10) {
        self.name = name
        self.thicknessMicrons = thicknessMicrons
        self.crystal = crystal
        self.mountMaterial = mountMaterial
        self.mountThicknessMillimeters = mountThicknessMillimeters
        self.mountPolygon = mountPolygon
        self.curlFreeTilts = curlFreeTilts
        self.estimateDispersion = estimateDispersion
        self.minimumCorrelation = minimumCorrelation
        self.minimumValidFraction = minimumValidFraction
        self.maximumScaleError = maximumScaleError
        self.rotationSearchDegrees = rotationSearchDegrees
    }
}
