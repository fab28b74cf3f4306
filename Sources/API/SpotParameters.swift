import Topography

extension SpotfinderRequest {
    public var placement: RadiatorPlacement {
        RadiatorPlacement(xOffsetMillimeters: self["rad_xoffset"], yOffsetMillimeters: self["rad_yoffset"],
                          rotationDegrees: self["rad_phideg"])
    }

    public var beamSpot: BeamSpot {
        BeamSpot(sigmaXMillimeters: self["ebeam_xsigma"], sigmaYMillimeters: self["ebeam_ysigma"],
                 correlation: self["ebeam_xycorr"], stepMillimeters: self["ebeam_xyresol"])
    }

    public var tiltHistogram: TiltHistogramSpec {
        TiltHistogramSpec(rangeMilliradians: self["rad_tilt_range"], binMilliradians: self["rad_tilt_resol"])
    }

    public var viewSide: ViewSide { ViewSide(rawValue: word("radiator_view")) ?? .front }
}
