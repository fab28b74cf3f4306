import Topography

/// The JSON answer for the tilt distribution under the beam spot (angles in mrad).
public struct TiltResponse: Codable, Sendable, Equatable {
    public var radiator_name: String
    public var radiator_view: String
    /// Bin edges along θH and θV, mrad (bins + 1 each).
    public var thetah_edges_mr: [Double]
    public var thetav_edges_mr: [Double]
    /// weights[iv][ih]: fraction of the on-crystal beam in each bin.
    public var weights: [[Double]]
    public var fraction_on_crystal: Double
    public var fraction_on_mount: Double
    public var fraction_outside: Double
    public var mean_thetah_mr: Double
    public var mean_thetav_mr: Double
    public var rms_thetah_mr: Double
    public var rms_thetav_mr: Double
    /// On-crystal beam with tilts beyond the histogram (widen rad_tilt_range to see it).
    public var fraction_outside_histogram: Double
    public var occupied_bins: Int
    /// Spot points sampled (0 when the distribution came from the tilt-service).
    public var sampled_points: Int

    public init(_ t: TiltDistribution, radiatorName: String, view: ViewSide) {
        radiator_name = radiatorName
        radiator_view = view.rawValue
        thetah_edges_mr = (0...t.bins).map { t.thetaHMinMilliradians + Double($0) * t.binMilliradians }
        thetav_edges_mr = (0...t.bins).map { t.thetaVMinMilliradians + Double($0) * t.binMilliradians }
        weights = (0..<t.bins).map { row in Array(t.weights[(row * t.bins)..<((row + 1) * t.bins)]) }
        fraction_on_crystal = t.fractionOnCrystal
        fraction_on_mount = t.fractionOnMount
        fraction_outside = t.fractionOutside
        mean_thetah_mr = t.meanThetaHMilliradians
        mean_thetav_mr = t.meanThetaVMilliradians
        rms_thetah_mr = t.rmsThetaHMilliradians
        rms_thetav_mr = t.rmsThetaVMilliradians
        fraction_outside_histogram = t.fractionOutsideHistogram
        occupied_bins = t.samples.count
        sampled_points = t.sampledPoints
    }
}
