import Physics

/// The JSON answer for an edge snap: the goniometer setting and how it was found.
public struct SnapResponse: Codable, Sendable, Equatable {
    public var rad_thetah: Double
    public var rad_thetav: Double
    /// As asked: PARA / PERP, or the original tool's snap_para / snap_perp.
    public var snap_action: String
    /// The original tool's button that gives this setting (snap_para: small angle in θH; snap_perp: in θV).
    public var snapped_as: String?
    /// The plane this snap gives in GlueX's words ("PARA 0/90", …; nil for a θz GlueX has no name for) and
    /// its Hall D azimuth (x to beam left, y up), degrees in (−90, 90]: from the geometry (the (0 2 2)
    /// plane turned by θz); the spectrum's `gluex_plane` is the computed one.
    public var gluex_plane: String?
    public var polarization_plane_halld_deg: Double?
    public var snap_edge: Double
    public var ebeam_energy: Double
    /// Intensity-weighted mean tilt under the spot that was compensated, mrad.
    public var mean_tilt_h: Double
    public var mean_tilt_v: Double
    public var radiator_name: String

    public init(request: SpotfinderRequest, plane: PolarizationPlane, meanTiltH: Double, meanTiltV: Double,
                radiatorName: String) throws(ParameterError) {
        let edge = request["snap_edge"], energy = request["ebeam_energy"], thetaZ = request["rad_thetaz"]
        do {
            let o = try EdgeSnapping.orientation(edgeGeV: edge, plane: plane, beamEnergyGeV: energy,
                                                 meanTiltHMilliradians: meanTiltH, meanTiltVMilliradians: meanTiltV,
                                                 thetaZMilliradians: thetaZ, crystal: request.crystal)
            rad_thetah = o.thetaH
            rad_thetav = o.thetaV
        } catch {
            throw ParameterError(parameter: "snap_edge", message: error.description)
        }
        let word = plane == .para ? "snap_para" : "snap_perp"
        snap_action = request.words["snap_action"].flatMap { $0 == "off" ? nil : $0 } ?? word
        snapped_as = word
        let g = GlueXPlane(beamViewDegrees: (plane == .para ? 90 : 0) + thetaZ * 1e-3 * 180 / Double.pi)
        gluex_plane = g.label
        polarization_plane_halld_deg = (g.hallDDegrees * 1e6).rounded() / 1e6
        snap_edge = edge
        ebeam_energy = energy
        mean_tilt_h = meanTiltH
        mean_tilt_v = meanTiltV
        radiator_name = radiatorName
    }
}

extension SpotfinderRequest {
    /// This request with the goniometer snapped when `snap_action` asks for it (else unchanged): the
    /// original tool answered a snap on its spectrum page, so a spectrum request with a snap word acts on it.
    /// The snapped rad_thetah / rad_thetav replace given ones and so appear in `understood`.
    public func snapped(meanTiltH: Double, meanTiltV: Double, radiatorName: String) throws(ParameterError) -> SpotfinderRequest {
        guard let plane = snapPlane else { return self }
        let s = try SnapResponse(request: self, plane: plane, meanTiltH: meanTiltH, meanTiltV: meanTiltV, radiatorName: radiatorName)
        var r = self
        r.numbers["rad_thetah"] = s.rad_thetah
        r.numbers["rad_thetav"] = s.rad_thetav
        return r
    }
}
