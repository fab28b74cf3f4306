import Physics

/// The JSON answer for an edge snap: the goniometer setting and how it was found.
public struct SnapResponse: Codable, Sendable, Equatable {
    public var rad_thetah: Double
    public var rad_thetav: Double
    public var snap_action: String
    public var snap_edge: Double
    public var ebeam_energy: Double
    /// Intensity-weighted mean tilt under the spot that was compensated, mrad.
    public var mean_tilt_h: Double
    public var mean_tilt_v: Double
    public var radiator_name: String

    public init(request: SpotfinderRequest, plane: PolarizationPlane, meanTiltH: Double, meanTiltV: Double,
                radiatorName: String) throws(ParameterError) {
        let edge = request["snap_edge"], energy = request["ebeam_energy"]
        do {
            let o = try EdgeSnapping.orientation(edgeGeV: edge, plane: plane, beamEnergyGeV: energy,
                                                 meanTiltHMilliradians: meanTiltH, meanTiltVMilliradians: meanTiltV,
                                                 crystal: request.crystal)
            rad_thetah = o.thetaH
            rad_thetav = o.thetaV
        } catch {
            throw ParameterError(parameter: "snap_edge", message: error.description)
        }
        snap_action = plane == .para ? "snap_para" : "snap_perp"
        snap_edge = edge
        ebeam_energy = energy
        mean_tilt_h = meanTiltH
        mean_tilt_v = meanTiltV
        radiator_name = radiatorName
    }
}
