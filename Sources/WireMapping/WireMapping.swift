import API
import Physics
import RPC
import Wire

// Wire messages ↔ the domain's validated values. Every request that arrives by
// RPC goes through the same parameter vocabulary and validation as the web API.

extension SpotfinderRequest {
    /// Validate proto fields exactly as the query string would be: unset fields take defaults.
    public init(beamline: BeamlineParameters?, orientation: Orientation?) throws(ParameterError) {
        var pairs: [(name: String, value: String)] = []
        func add(_ name: String, _ v: Double?) { if let v { pairs.append((name, "\(v)")) } }
        func add(_ name: String, _ v: Bool?) { if let v { pairs.append((name, v ? "on" : "off")) } }
        if let b = beamline {
            add("ebeam_energy", b.ebeamEnergy); add("ebeam_current", b.ebeamCurrent); add("ebeam_rms", b.ebeamRms)
            add("ebeam_emittance", b.ebeamEmittance); add("vspot_rms", b.vspotRms); add("rad_thickness", b.radThickness)
            add("collimator_diameter", b.collimatorDiameter); add("collimator_distance", b.collimatorDistance)
            add("pbeam_energy_min", b.pbeamEnergyMin); add("pbeam_energy_max", b.pbeamEnergyMax)
            add("pbeam_energy_resol", b.pbeamEnergyResol)
            add("beam_crystal_smearing", b.beamCrystalSmearing); add("collimated", b.collimated)
            if let c = b.radCrystal { pairs.append(("rad_crystal", c)) }
            add("rad_mount_thickness", b.radMountThickness)
            if let m = b.radMountMaterial { pairs.append(("rad_mount_material", m)) }
        }
        if let o = orientation {
            add("rad_thetah", o.radThetah); add("rad_thetav", o.radThetav); add("rad_thetaz", o.radThetaz)
        }
        try self.init(pairs: pairs)
    }

    /// The beamline part of this request as a wire message (all fields set).
    public var beamlineMessage: BeamlineParameters {
        var b = BeamlineParameters()
        b.ebeamEnergy = self["ebeam_energy"]; b.ebeamCurrent = self["ebeam_current"]; b.ebeamRms = self["ebeam_rms"]
        b.ebeamEmittance = self["ebeam_emittance"]; b.vspotRms = self["vspot_rms"]; b.radThickness = self["rad_thickness"]
        b.collimatorDiameter = self["collimator_diameter"]; b.collimatorDistance = self["collimator_distance"]
        b.pbeamEnergyMin = self["pbeam_energy_min"]; b.pbeamEnergyMax = self["pbeam_energy_max"]
        b.pbeamEnergyResol = self["pbeam_energy_resol"]
        b.beamCrystalSmearing = smeared; b.collimated = word("collimated") == "on"; b.radCrystal = word("rad_crystal")
        b.radMountThickness = self["rad_mount_thickness"]; b.radMountMaterial = word("rad_mount_material")
        return b
    }

    public var orientationMessage: Orientation {
        Orientation(radThetah: self["rad_thetah"], radThetav: self["rad_thetav"], radThetaz: self["rad_thetaz"])
    }
}

extension TiltSample {
    public init(_ m: TiltSampleMessage) {
        self.init(thetaHOffsetMilliradians: m.thetahOffsetMr, thetaVOffsetMilliradians: m.thetavOffsetMr, weight: m.weight)
    }
}

extension TiltSampleMessage {
    public init(_ s: TiltSample) {
        self.init(thetahOffsetMr: s.thetaHOffsetRadians * 1e3, thetavOffsetMr: s.thetaVOffsetRadians * 1e3, weight: s.weight)
    }
}

extension SpectrumResponseMessage {
    public init(_ s: Spectrum, orientationsAveraged: Int, plane: PolarizationAzimuth? = nil) {
        self.init()
        mount = s.mount
        polarizationPlaneDeg = plane?.degrees ?? 0
        polarizationPlane = plane?.label.rawValue ?? ""
        polarizationPlaneHalldDeg = plane.map { SpectrumResponse.roundedDegrees($0.gluex.hallDDegrees) }
        gluexPlane = plane?.gluex.label
        energyGev = s.energyGeV
        coherent = s.coherent
        coherentPolarized = s.coherentPolarized
        incoherent = s.incoherent
        enhancement = s.enhancement
        polarization = s.polarization
        self.orientationsAveraged = UInt32(clamping: orientationsAveraged)
    }
}

extension ParameterError {
    /// A bad parameter is the caller's mistake: INVALID_ARGUMENT with the same sentence.
    public var rpcError: RPCError { RPCError(.invalidArgument, message) }
}

extension SnapResponseMessage {
    /// Edge/ComputeSnap's answer: the content of GET /api/snap.
    public init(_ s: SnapResponse) {
        self.init()
        radThetah = s.rad_thetah; radThetav = s.rad_thetav
        snapAction = s.snap_action; snapEdge = s.snap_edge; ebeamEnergy = s.ebeam_energy
        meanTiltH = s.mean_tilt_h; meanTiltV = s.mean_tilt_v
        radiatorName = s.radiator_name
        snappedAs = s.snapped_as ?? ""
        gluexPlane = s.gluex_plane
        polarizationPlaneHalldDeg = s.polarization_plane_halld_deg ?? 0
    }
}
