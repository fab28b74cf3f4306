import API
import Foundation
import Physics
import RadiatorStore
import Topography
import Wire

// Radiators, views and tilt distributions ↔ their wire messages.

extension GridMessage {
    public init(_ g: TopographGrid) {
        self.init(originXMm: g.originXMillimeters, originYMm: g.originYMillimeters, pixelMm: g.pixelMillimeters,
                  columns: UInt32(g.columns), rows: UInt32(g.rows))
    }
    public var topographGrid: TopographGrid {
        TopographGrid(originXMillimeters: originXMm, originYMillimeters: originYMm, pixelMillimeters: pixelMm,
                      columns: Int(columns), rows: Int(rows))
    }
}

extension RadiatorViewMessage {
    public init(_ v: RadiatorView) {
        self.init(view: v.side.rawValue, grid: GridMessage(v.grid), thetahUrad: v.thetaHMicroradians,
                  thetavUrad: v.thetaVMicroradians, mask: Data(v.mask.map(\.rawValue)))
    }

    /// The view, checked for a consistent shape (a malformed message is the sender's error).
    public func radiatorView() throws(RadiatorError) -> RadiatorView {
        guard let side = ViewSide(rawValue: view) else { throw RadiatorError("view '\(view)' is not front or back") }
        guard let g = grid?.topographGrid else { throw RadiatorError("\(view) view has no grid") }
        if let count = g.checkedCount, count > Radiator.maxPixels {
            throw RadiatorError("\(view) view: grid columns × rows = \(g.columns) × \(g.rows) is too large: at most \(Radiator.maxPixels) pixels (what one \(Radiator.frameBytes >> 20) MiB RPC message can serve)")
        }
        guard g.columns > 0, g.rows > 0, let count = g.checkedCount, count <= Radiator.maxPixels,
              thetahUrad.count == g.count, thetavUrad.count == g.count, mask.count == g.count else {
            throw RadiatorError("\(view) view: arrays of \(thetahUrad.count), \(thetavUrad.count), \(mask.count) values do not match the \(g.columns) × \(g.rows) grid")
        }
        var kinds: [SurfaceKind] = []
        kinds.reserveCapacity(g.count)
        for (i, b) in mask.enumerated() {
            guard let k = SurfaceKind(rawValue: b) else { throw RadiatorError("\(view) view: mask[\(i)] = \(b) is not 0, 1 or 2") }
            kinds.append(k)
        }
        return RadiatorView(side: side, grid: g, thetaHMicroradians: thetahUrad, thetaVMicroradians: thetavUrad, mask: kinds)
    }
}

extension RadiatorMessage {
    /// For an import. A view that is just the other one mirrored (what an import derives for a missing side)
    /// is left out: the store derives it again, and the message stays within one frame up to the largest
    /// radiator that can be served (one view's arrays, not two).
    public init(_ r: Radiator) {
        self.init()
        name = r.name; crystal = r.crystal; thicknessUm = r.thicknessMicrons; notes = r.notes
        var given = r.views
        if given.count == 2, Self.sameTopograph(given[1], given[0].mirrored()) { given.removeLast() }
        views = given.map(RadiatorViewMessage.init)
        mountMaterial = r.mountMaterial; mountThicknessMm = r.mountThicknessMillimeters
    }

    /// Equal views, NaN matching NaN (no-data pixels) whatever its sign.
    static func sameTopograph(_ a: RadiatorView, _ b: RadiatorView) -> Bool {
        func same(_ x: [Float], _ y: [Float]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
        return a.side == b.side && a.grid == b.grid && a.mask == b.mask
            && same(a.thetaHMicroradians, b.thetaHMicroradians) && same(a.thetaVMicroradians, b.thetaVMicroradians)
    }

    public func radiator() throws(RadiatorError) -> Radiator {
        var vs: [RadiatorView] = []
        for v in views { vs.append(try v.radiatorView()) }
        return Radiator(name: name, crystal: crystal.isEmpty ? "diamond" : crystal, thicknessMicrons: thicknessUm, notes: notes, views: vs,
                        mountMaterial: mountMaterial.isEmpty ? Radiator.defaultMountMaterial : mountMaterial,
                        mountThicknessMillimeters: mountThicknessMm ?? Radiator.defaultMountThicknessMillimeters)
    }
}

extension RadiatorSummaryMessage {
    public init(_ s: RadiatorSummary, revision: UInt64) {
        self.init()
        name = s.name; crystal = s.crystal; thicknessUm = s.thickness_um; views = s.views
        widthMm = s.width_mm; heightMm = s.height_mm; rmsTiltUrad = s.rms_tilt_urad; notes = s.notes; pixelMm = s.pixel_mm
        mountMaterial = s.mount_material; mountThicknessMm = s.mount_thickness_mm
        self.revision = revision
    }
}

extension TiltResponseMessage {
    public init(_ t: TiltDistribution, grid: TopographGrid) {
        self.init()
        thetahMinMr = t.thetaHMinMilliradians; thetavMinMr = t.thetaVMinMilliradians; binMr = t.binMilliradians
        bins = UInt32(t.bins); weights = t.weights
        fractionOnCrystal = t.fractionOnCrystal; fractionOnMount = t.fractionOnMount; fractionOutside = t.fractionOutside
        meanThetahMr = t.meanThetaHMilliradians; meanThetavMr = t.meanThetaVMilliradians
        rmsThetahMr = t.rmsThetaHMilliradians; rmsThetavMr = t.rmsThetaVMilliradians
        samples = t.samples.map(TiltSampleMessage.init)
        overlayGrid = GridMessage(grid)
        overlay = t.overlay
    }

    public var distribution: TiltDistribution {
        TiltDistribution(thetaHMinMilliradians: thetahMinMr, thetaVMinMilliradians: thetavMinMr, binMilliradians: binMr, bins: Int(bins),
                         weights: weights, fractionOnCrystal: fractionOnCrystal, fractionOnMount: fractionOnMount,
                         fractionOutside: fractionOutside, meanThetaHMilliradians: meanThetahMr, meanThetaVMilliradians: meanThetavMr,
                         rmsThetaHMilliradians: rmsThetahMr, rmsThetaVMilliradians: rmsThetavMr,
                         samples: samples.map(TiltSample.init), overlay: overlay, sampledPoints: 0)
    }
}

extension TiltRequestMessage {
    /// The tilt request for a validated vocabulary request.
    public init(_ r: SpotfinderRequest, radiatorName: String) {
        self.init()
        self.radiatorName = radiatorName
        radiatorView = r.viewSide.rawValue
        var spot = BeamSpotMessage()
        spot.ebeamXsigma = r["ebeam_xsigma"]; spot.ebeamYsigma = r["ebeam_ysigma"]; spot.ebeamXycorr = r["ebeam_xycorr"]
        spot.ebeamXyresol = r["ebeam_xyresol"]; spot.radXoffset = r["rad_xoffset"]; spot.radYoffset = r["rad_yoffset"]
        spot.radPhideg = r["rad_phideg"]
        self.spot = spot
        radTiltRange = r["rad_tilt_range"]
        radTiltResol = r["rad_tilt_resol"]
    }

    /// Validate through the same vocabulary as the web API.
    public func request() throws(ParameterError) -> SpotfinderRequest {
        var pairs: [(name: String, value: String)] = [("radiator_view", radiatorView.isEmpty ? "front" : radiatorView)]
        func add(_ n: String, _ v: Double?) { if let v { pairs.append((n, "\(v)")) } }
        if let s = spot {
            add("ebeam_xsigma", s.ebeamXsigma); add("ebeam_ysigma", s.ebeamYsigma); add("ebeam_xycorr", s.ebeamXycorr)
            add("ebeam_xyresol", s.ebeamXyresol); add("rad_xoffset", s.radXoffset); add("rad_yoffset", s.radYoffset)
            add("rad_phideg", s.radPhideg)
        }
        add("rad_tilt_range", radTiltRange); add("rad_tilt_resol", radTiltResol)
        if !radiatorName.isEmpty { pairs.append(("radiator_name", radiatorName)) }
        return try SpotfinderRequest(pairs: pairs)
    }
}
