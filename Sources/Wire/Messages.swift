import Foundation

// Swift values for the messages of Protos/spotfinder.proto (package spotfinder.v1).
// Properties mirror the proto fields; optionals are the one-field oneofs (unset = default).

public enum FrameKind: Int32, Codable, Sendable { case request = 0, response = 1 }

public struct Envelope: WireMessage {
    public static let protoName = "spotfinder.v1.Envelope"
    public var kind: FrameKind = .request
    public var method = ""
    public var requestId: UInt64 = 0
    public var timeoutMs: UInt32 = 0
    public var statusCode: Int32 = 0
    public var statusMessage = ""
    public var payload = Data()
    public init(kind: FrameKind = .request, method: String = "", requestId: UInt64 = 0, timeoutMs: UInt32 = 0,
                statusCode: Int32 = 0, statusMessage: String = "", payload: Data = Data()) {
        self.kind = kind; self.method = method; self.requestId = requestId; self.timeoutMs = timeoutMs
        self.statusCode = statusCode; self.statusMessage = statusMessage; self.payload = payload
    }
}

public struct BeamlineParameters: WireMessage {
    public static let protoName = "spotfinder.v1.BeamlineParameters"
    public var ebeamEnergy: Double?
    public var ebeamCurrent: Double?
    public var ebeamRms: Double?
    public var ebeamEmittance: Double?
    public var vspotRms: Double?
    public var radThickness: Double?
    public var collimatorDiameter: Double?
    public var collimatorDistance: Double?
    public var pbeamEnergyMin: Double?
    public var pbeamEnergyMax: Double?
    public var pbeamEnergyResol: Double?
    public var beamCrystalSmearing: Bool?
    public var collimated: Bool?
    public var radCrystal: String?
    public var radMountThickness: Double?
    public var radMountMaterial: String?
    public init() {}
}

public struct Orientation: WireMessage {
    public static let protoName = "spotfinder.v1.Orientation"
    public var radThetah = 0.0, radThetav = 0.0, radThetaz = 0.0
    public init(radThetah: Double = 0, radThetav: Double = 0, radThetaz: Double = 0) {
        self.radThetah = radThetah; self.radThetav = radThetav; self.radThetaz = radThetaz
    }
}

public struct TiltSampleMessage: WireMessage {
    public static let protoName = "spotfinder.v1.TiltSample"
    public var thetahOffsetMr = 0.0, thetavOffsetMr = 0.0, weight = 0.0
    public init(thetahOffsetMr: Double = 0, thetavOffsetMr: Double = 0, weight: Double = 0) {
        self.thetahOffsetMr = thetahOffsetMr; self.thetavOffsetMr = thetavOffsetMr; self.weight = weight
    }
}

public struct SpectrumRequestMessage: WireMessage {
    public static let protoName = "spotfinder.v1.SpectrumRequest"
    public var beamline: BeamlineParameters?
    public var orientation: Orientation?
    public var samples: [TiltSampleMessage] = []
    public var fractionOnCrystal: Double?
    public var fractionOnMount: Double?
    public init(beamline: BeamlineParameters? = nil, orientation: Orientation? = nil, samples: [TiltSampleMessage] = [],
                fractionOnCrystal: Double? = nil, fractionOnMount: Double? = nil) {
        self.beamline = beamline; self.orientation = orientation; self.samples = samples
        self.fractionOnCrystal = fractionOnCrystal; self.fractionOnMount = fractionOnMount
    }
}

public struct SpectrumResponseMessage: WireMessage {
    public static let protoName = "spotfinder.v1.SpectrumResponse"
    public var energyGev: [Double] = []
    public var coherent: [Double] = []
    public var coherentPolarized: [Double] = []
    public var incoherent: [Double] = []
    public var enhancement: [Double] = []
    public var polarization: [Double] = []
    public var orientationsAveraged: UInt32 = 0
    public var mount: [Double] = []
    public var polarizationPlaneDeg = 0.0
    public var polarizationPlane = ""
    public init() {}
}

public struct PartialSumRequestMessage: WireMessage {
    public static let protoName = "spotfinder.v1.PartialSumRequest"
    public var beamline: BeamlineParameters?
    public var orientation: Orientation?
    public var samples: [TiltSampleMessage] = []
    public init(beamline: BeamlineParameters? = nil, orientation: Orientation? = nil, samples: [TiltSampleMessage] = []) {
        self.beamline = beamline; self.orientation = orientation; self.samples = samples
    }
}

public struct PartialSumResponseMessage: WireMessage {
    public static let protoName = "spotfinder.v1.PartialSumResponse"
    public var coherent: [Double] = []
    public var polarized: [Double] = []
    public var totalWeight = 0.0
    public init(coherent: [Double] = [], polarized: [Double] = [], totalWeight: Double = 0) {
        self.coherent = coherent; self.polarized = polarized; self.totalWeight = totalWeight
    }
}

public struct RegisterNodeRequest: WireMessage {
    public static let protoName = "spotfinder.v1.RegisterNodeRequest"
    public var nodeId = "", address = "", capacity: UInt32 = 0, token = ""
    public init(nodeId: String = "", address: String = "", capacity: UInt32 = 0, token: String = "") {
        self.nodeId = nodeId; self.address = address; self.capacity = capacity; self.token = token
    }
}

public struct RegisterNodeResponse: WireMessage {
    public static let protoName = "spotfinder.v1.RegisterNodeResponse"
    public var heartbeatIntervalMs: UInt32 = 0, expiryMs: UInt32 = 0
    public init(heartbeatIntervalMs: UInt32 = 0, expiryMs: UInt32 = 0) {
        self.heartbeatIntervalMs = heartbeatIntervalMs; self.expiryMs = expiryMs
    }
}

public struct DeregisterNodeRequest: WireMessage {
    public static let protoName = "spotfinder.v1.DeregisterNodeRequest"
    public var nodeId = "", token = ""
    public init(nodeId: String = "", token: String = "") { self.nodeId = nodeId; self.token = token }
}

public struct DeregisterNodeResponse: WireMessage {
    public static let protoName = "spotfinder.v1.DeregisterNodeResponse"
    public init() {}
}

public struct NodeInfo: WireMessage {
    public static let protoName = "spotfinder.v1.NodeInfo"
    public var nodeId = "", address = "", capacity: UInt32 = 0, inFlight: UInt32 = 0, lastHeartbeatUnixMs: UInt64 = 0
    public init(nodeId: String = "", address: String = "", capacity: UInt32 = 0, inFlight: UInt32 = 0, lastHeartbeatUnixMs: UInt64 = 0) {
        self.nodeId = nodeId; self.address = address; self.capacity = capacity; self.inFlight = inFlight
        self.lastHeartbeatUnixMs = lastHeartbeatUnixMs
    }
}

public struct ListNodesRequest: WireMessage {
    public static let protoName = "spotfinder.v1.ListNodesRequest"
    public init() {}
}

public struct ListNodesResponse: WireMessage {
    public static let protoName = "spotfinder.v1.ListNodesResponse"
    public var nodes: [NodeInfo] = []
    public init(nodes: [NodeInfo] = []) { self.nodes = nodes }
}

public struct GridMessage: WireMessage {
    public static let protoName = "spotfinder.v1.Grid"
    public var originXMm = 0.0, originYMm = 0.0, pixelMm = 0.0, columns: UInt32 = 0, rows: UInt32 = 0
    public init(originXMm: Double = 0, originYMm: Double = 0, pixelMm: Double = 0, columns: UInt32 = 0, rows: UInt32 = 0) {
        self.originXMm = originXMm; self.originYMm = originYMm; self.pixelMm = pixelMm; self.columns = columns; self.rows = rows
    }
}

public struct RadiatorViewMessage: WireMessage {
    public static let protoName = "spotfinder.v1.RadiatorView"
    public var view = ""
    public var grid: GridMessage?
    public var thetahUrad: [Float] = []
    public var thetavUrad: [Float] = []
    public var mask = Data()
    public init(view: String = "", grid: GridMessage? = nil, thetahUrad: [Float] = [], thetavUrad: [Float] = [], mask: Data = Data()) {
        self.view = view; self.grid = grid; self.thetahUrad = thetahUrad; self.thetavUrad = thetavUrad; self.mask = mask
    }
}

public struct RadiatorSummaryMessage: WireMessage {
    public static let protoName = "spotfinder.v1.RadiatorSummary"
    public var name = "", crystal = "", thicknessUm = 0.0, views: [String] = []
    public var widthMm = 0.0, heightMm = 0.0, rmsTiltUrad = 0.0, notes = ""
    public var revision: UInt64 = 0
    public var pixelMm = 0.0
    public var mountMaterial = ""
    public var mountThicknessMm = 0.0
    public init() {}
}

public struct RadiatorMessage: WireMessage {
    public static let protoName = "spotfinder.v1.Radiator"
    public var name = "", crystal = "", thicknessUm = 0.0, notes = ""
    public var views: [RadiatorViewMessage] = []
    public var mountMaterial = ""
    public var mountThicknessMm: Double?
    public init() {}
}

public struct ListRadiatorsRequest: WireMessage {
    public static let protoName = "spotfinder.v1.ListRadiatorsRequest"
    public init() {}
}

public struct ListRadiatorsResponse: WireMessage {
    public static let protoName = "spotfinder.v1.ListRadiatorsResponse"
    public var radiators: [RadiatorSummaryMessage] = []
    public init(radiators: [RadiatorSummaryMessage] = []) { self.radiators = radiators }
}

public struct GetViewRequest: WireMessage {
    public static let protoName = "spotfinder.v1.GetViewRequest"
    public var radiatorName = "", radiatorView = ""
    public init(radiatorName: String = "", radiatorView: String = "") { self.radiatorName = radiatorName; self.radiatorView = radiatorView }
}

public struct GetViewResponse: WireMessage {
    public static let protoName = "spotfinder.v1.GetViewResponse"
    public var radiator: RadiatorSummaryMessage?
    public var view: RadiatorViewMessage?
    public var revision: UInt64 = 0
    public init() {}
}

public struct ImportRadiatorRequest: WireMessage {
    public static let protoName = "spotfinder.v1.ImportRadiatorRequest"
    public var radiator: RadiatorMessage?
    public var token = ""
    public init(radiator: RadiatorMessage? = nil, token: String = "") { self.radiator = radiator; self.token = token }
}

public struct ImportRadiatorResponse: WireMessage {
    public static let protoName = "spotfinder.v1.ImportRadiatorResponse"
    public var radiator: RadiatorSummaryMessage?
    public var revision: UInt64 = 0
    public init() {}
}

public struct BeamSpotMessage: WireMessage {
    public static let protoName = "spotfinder.v1.BeamSpot"
    public var ebeamXsigma: Double?, ebeamYsigma: Double?, ebeamXycorr: Double?, ebeamXyresol: Double?
    public var radXoffset = 0.0, radYoffset = 0.0, radPhideg = 0.0
    public init() {}
}

public struct TiltRequestMessage: WireMessage {
    public static let protoName = "spotfinder.v1.TiltRequest"
    public var radiatorName = "", radiatorView = ""
    public var spot: BeamSpotMessage?
    public var radTiltRange: Double?, radTiltResol: Double?
    public init() {}
}

public struct TiltResponseMessage: WireMessage {
    public static let protoName = "spotfinder.v1.TiltResponse"
    public var thetahMinMr = 0.0, thetavMinMr = 0.0, binMr = 0.0, bins: UInt32 = 0
    public var weights: [Double] = []
    public var fractionOnCrystal = 0.0, fractionOnMount = 0.0, fractionOutside = 0.0
    public var meanThetahMr = 0.0, meanThetavMr = 0.0, rmsThetahMr = 0.0, rmsThetavMr = 0.0
    public var samples: [TiltSampleMessage] = []
    public var overlayGrid: GridMessage?
    public var overlay: [Float] = []
    public init() {}
}

public struct CurveMessage: WireMessage {
    public static let protoName = "spotfinder.v1.Curve"
    public var label = "", x: [Double] = [], y: [Double] = [], colorRgb: UInt32 = 0, dashed = false
    public init(label: String = "", x: [Double] = [], y: [Double] = [], colorRgb: UInt32 = 0, dashed: Bool = false) {
        self.label = label; self.x = x; self.y = y; self.colorRgb = colorRgb; self.dashed = dashed
    }
}

public struct SpectrumPlotRequest: WireMessage {
    public static let protoName = "spotfinder.v1.SpectrumPlotRequest"
    public var title: [String] = [], xTitle = "", yTitle = ""
    public var curves: [CurveMessage] = []
    public var widthPx: UInt32 = 0, heightPx: UInt32 = 0
    public var windowMin = 0.0, windowMax = 0.0
    public var transparent = false, yIncludesZero = false
    public init() {}
}

public struct MapGridMessage: WireMessage {
    public static let protoName = "spotfinder.v1.MapGrid"
    public var x0 = 0.0, y0 = 0.0, dx = 0.0, dy = 0.0, columns: UInt32 = 0, rows: UInt32 = 0
    public init(x0: Double = 0, y0: Double = 0, dx: Double = 0, dy: Double = 0, columns: UInt32 = 0, rows: UInt32 = 0) {
        self.x0 = x0; self.y0 = y0; self.dx = dx; self.dy = dy; self.columns = columns; self.rows = rows
    }
}

public struct EllipseMessage: WireMessage {
    public static let protoName = "spotfinder.v1.Ellipse"
    public var cx = 0.0, cy = 0.0, sx = 0.0, sy = 0.0, rho = 0.0, sigmas = 0.0, colorRgb: UInt32 = 0
    public init(cx: Double = 0, cy: Double = 0, sx: Double = 0, sy: Double = 0, rho: Double = 0, sigmas: Double = 0, colorRgb: UInt32 = 0) {
        self.cx = cx; self.cy = cy; self.sx = sx; self.sy = sy; self.rho = rho; self.sigmas = sigmas; self.colorRgb = colorRgb
    }
}

public struct MarkerMessage: WireMessage {
    public static let protoName = "spotfinder.v1.Marker"
    public var x = 0.0, y = 0.0, label = ""
    public init(x: Double = 0, y: Double = 0, label: String = "") { self.x = x; self.y = y; self.label = label }
}

public struct MapPlotRequest: WireMessage {
    public static let protoName = "spotfinder.v1.MapPlotRequest"
    public var title: [String] = [], xTitle = "", yTitle = "", zTitle = ""
    public var grid: MapGridMessage?
    public var values: [Double] = []
    public var mask = Data()
    public var intensity: [Float] = []
    public var widthPx: UInt32 = 0, heightPx: UInt32 = 0
    public var palette = ""
    public var zMin: Double?, zMax: Double?
    public var ellipses: [EllipseMessage] = []
    public var markers: [MarkerMessage] = []
    public var transparent = false
    public var bare = false
    public init() {}
}

public struct PlotResponse: WireMessage {
    public static let protoName = "spotfinder.v1.PlotResponse"
    public var png = Data()
    public init(png: Data = Data()) { self.png = png }
}

public struct StoredViewMessage: WireMessage {
    public static let protoName = "spotfinder.v1.StoredView"
    public var view = ""
    public var grid: GridMessage?
    public var thetahUradZlib = Data(), thetavUradZlib = Data(), maskZlib = Data()
    public init() {}
}

public struct StoredRadiatorMessage: WireMessage {
    public static let protoName = "spotfinder.v1.StoredRadiator"
    public var formatVersion: UInt32 = 0
    public var name = "", crystal = "", thicknessUm = 0.0, notes = ""
    public var views: [StoredViewMessage] = []
    public var mountMaterial = ""
    public var mountThicknessMm: Double?
    public init() {}
}

// MARK: Edge snap

public struct SnapRequestMessage: WireMessage {
    public static let protoName = "spotfinder.v1.SnapRequest"
    public var query = ""
    public init(query: String = "") { self.query = query }
}

public struct SnapResponseMessage: WireMessage {
    public static let protoName = "spotfinder.v1.SnapResponse"
    public var radThetah = 0.0, radThetav = 0.0
    public var snapAction = ""
    public var snapEdge = 0.0, ebeamEnergy = 0.0
    public var meanTiltH = 0.0, meanTiltV = 0.0
    public var radiatorName = ""
    public init() {}
}

// MARK: Spot map

public struct MapChunkRequestMessage: WireMessage {
    public static let protoName = "spotfinder.v1.MapChunkRequest"
    public var query = ""
    public var view: RadiatorViewMessage?
    public var placements: [UInt32] = []
    public init(query: String = "", view: RadiatorViewMessage? = nil, placements: [UInt32] = []) {
        self.query = query; self.view = view; self.placements = placements
    }
}

public struct MapChunkResponseMessage: WireMessage {
    public static let protoName = "spotfinder.v1.MapChunkResponse"
    public var fractionOnCrystal: [Double] = [], fractionOnMount: [Double] = []
    public var meanThetahMr: [Double] = [], meanThetavMr: [Double] = []
    public var rmsTiltUrad: [Double] = [], value: [Double] = []
    public var radThetah: [Double] = [], radThetav: [Double] = []
    public var allowed: [Bool] = []
    public init() {}
}

public struct SpotMapRequestMessage: WireMessage {
    public static let protoName = "spotfinder.v1.SpotMapRequest"
    public var query = ""
    public init(query: String = "") { self.query = query }
}

public struct SpotMapBestMessage: WireMessage {
    public static let protoName = "spotfinder.v1.SpotMapBest"
    public var radXoffset = 0.0, radYoffset = 0.0, value = 0.0, fractionOnCrystal = 0.0, rmsTiltUrad = 0.0, radThetah = 0.0, radThetav = 0.0
    public init(radXoffset: Double = 0, radYoffset: Double = 0, value: Double = 0, fractionOnCrystal: Double = 0, rmsTiltUrad: Double = 0,
                radThetah: Double = 0, radThetav: Double = 0) {
        self.radXoffset = radXoffset; self.radYoffset = radYoffset; self.value = value; self.fractionOnCrystal = fractionOnCrystal
        self.rmsTiltUrad = rmsTiltUrad; self.radThetah = radThetah; self.radThetav = radThetav
    }
}

public struct SpotMapResponseMessage: WireMessage {
    public static let protoName = "spotfinder.v1.SpotMapResponse"
    public var fom = ""
    public var xOffsetsMm: [Double] = [], yOffsetsMm: [Double] = []
    public var values: [Double] = [], fractionOnCrystal: [Double] = [], rmsTiltUrad: [Double] = []
    public var best: [SpotMapBestMessage] = []
    public var placements: UInt32 = 0
    public var seconds = 0.0
    public var fractionOnMount: [Double] = []
    public var radiatorName = ""
    public init() {}
}
