import API
import Compute
import Foundation
import Physics
import PlotRendererCore
import Plots
import RPC
import Scheduling
import ServiceClients
import TiltServiceCore
import Topography
import Wire
import WireMapping
import Wire
import WireMapping

/// What the edge does for one HTTP or RPC request, on top of the other
/// services: the tilt-service for the spot, the nodes for spectra, the
/// renderer for pictures, the store for radiators.
public struct EdgeApp: Sendable {
    public let store: TopographStoreClient
    public let tilt: RPCClient
    public let renderer: RPCClient
    public let compute: DistributedCompute
    /// Batch work (maps, exports) over HTTP and RPC shares these budgets (see `AdmissionBudget`).
    public let admission: AdmissionController

    public init(store: TopographStoreClient, tilt: RPCClient, renderer: RPCClient, compute: DistributedCompute,
                admission: AdmissionController = AdmissionController()) {
        self.store = store
        self.tilt = tilt
        self.renderer = renderer
        self.compute = compute
        self.admission = admission
    }

    /// Data exports are built here, off the Swift concurrency pool (a large one is seconds of CPU that
    /// would otherwise delay every interactive answer), at batch priority.
    static let exportThreads = PriorityThreads(interactiveThreads: 1, batchThreads: 2, name: "edge-export")

    /// Which radiator the request means: nil for the ideal crystal; the first radiator when none is named.
    public func radiatorName(for request: SpotfinderRequest, deadline: Deadline) async throws(RPCError) -> String? {
        if request.isIdealRadiator { return nil }
        if let name = request.radiatorName { return name }
        guard let first = try await store.list(deadline: deadline).first else {
            throw RPCError(.notFound, "radiator_name: the topograph-store has no radiators; use radiator_name=ideal or import one")
        }
        return first.name
    }

    public func tiltDistribution(_ request: SpotfinderRequest, radiator: String, deadline: Deadline) async throws(RPCError) -> TiltDistribution {
        let r: TiltResponseMessage = try await tilt.call(TiltService.computeTilt, TiltRequestMessage(request, radiatorName: radiator),
                                                         deadline: deadline, idempotent: true)
        return r.distribution
    }

    public struct SpectrumResult: Sendable {
        public let spectrum: Spectrum
        public let radiatorName: String
        public let orientations: Int
        public let tilt: TiltDistribution?
        /// The request as computed: a named radiator's own thickness, crystal and mount filled in.
        public let request: SpotfinderRequest
        /// The plane of linear polarization (nil when nothing radiates coherently in the window).
        public let plane: PolarizationAzimuth?
    }

    /// The request with the named radiator's own properties in place of defaults.
    public func withRadiatorDefaults(_ request: SpotfinderRequest, radiator name: String, deadline: Deadline) async throws(RPCError) -> SpotfinderRequest {
        guard let r = try await store.list(deadline: deadline).first(where: { $0.name == name }) else { return request }
        return request.withRadiatorDefaults(thicknessMicrons: r.thicknessUm, crystal: r.crystal, mountMaterial: r.mountMaterial,
                                            mountThicknessMillimeters: r.mountThicknessMm)
    }

    /// The spectrum the request asks for: the ideal crystal at one orientation, or averaged over the beam spot
    /// (crystal rates × fraction on the crystal, plus the mount's bremsstrahlung × fraction on the mount).
    /// With `snap_action` other than off the goniometer is snapped first (for the spot's mean tilt), as the
    /// original tool answered a snap: the snapped rad_thetah / rad_thetav replace given ones and are echoed.
    public func spectrum(_ request: SpotfinderRequest, deadline: Deadline) async throws(RPCError) -> SpectrumResult {
        guard let name = try await radiatorName(for: request, deadline: deadline) else {
            let request = try Self.snapped(request, meanTiltH: 0, meanTiltV: 0, radiatorName: "ideal")
            let sum = try await compute.coherentSum(for: request, samples: nil, deadline: deadline)
            let model = compute.computation.model(for: request)
            return SpectrumResult(spectrum: compute.computation.spectrum(for: request, sum: sum), radiatorName: "ideal", orientations: 1,
                                  tilt: nil, request: request, plane: model.polarizationPlane(at: request.orientation))
        }
        var request = try await withRadiatorDefaults(request, radiator: name, deadline: deadline)
        let t = try await tiltDistribution(request, radiator: name, deadline: deadline)
        guard t.fractionOnCrystal > 0 else {
            throw RPCError(.invalidArgument, "rad_xoffset / rad_yoffset: the beam spot misses the crystal of \(name); move the radiator under the beam")
        }
        request = try Self.snapped(request, meanTiltH: t.meanThetaHMilliradians, meanTiltV: t.meanThetaVMilliradians, radiatorName: name)
        let sum = try await compute.coherentSum(for: request, samples: t.samples, deadline: deadline)
        let model = compute.computation.model(for: request)
        let spectrum = compute.computation.spectrum(for: request, sum: sum)
            .onRadiator(fractionOnCrystal: t.fractionOnCrystal, fractionOnMount: t.fractionOnMount, mountRateFullBeam: model.mountRateFullBeam)
        return SpectrumResult(spectrum: spectrum, radiatorName: name, orientations: t.samples.count, tilt: t, request: request,
                              plane: model.polarizationPlane(at: request.orientation))
    }

    /// The request with the goniometer snapped when `snap_action` asks for it (else unchanged).
    static func snapped(_ request: SpotfinderRequest, meanTiltH: Double, meanTiltV: Double, radiatorName: String) throws(RPCError) -> SpotfinderRequest {
        do { return try request.snapped(meanTiltH: meanTiltH, meanTiltV: meanTiltV, radiatorName: radiatorName) } catch { throw error.rpcError }
    }

    public func snap(_ request: SpotfinderRequest, deadline: Deadline) async throws(RPCError) -> SnapResponse {
        guard let plane = request.snapPlane else {
            throw RPCError(.invalidArgument, "snap_action = off: snap needs snap_action=PARA or PERP (GlueX's planes), or the original tool's snap_para / snap_perp")
        }
        var mean = (0.0, 0.0)
        var request = request
        let name = try await radiatorName(for: request, deadline: deadline)
        if let name {
            // The radiator's own crystal sets the reciprocal vector the edge is snapped with.
            request = try await withRadiatorDefaults(request, radiator: name, deadline: deadline)
            let t = try await tiltDistribution(request, radiator: name, deadline: deadline)
            mean = (t.meanThetaHMilliradians, t.meanThetaVMilliradians)
        }
        do {
            return try SnapResponse(request: request, plane: plane, meanTiltH: mean.0, meanTiltV: mean.1, radiatorName: name ?? "ideal")
        } catch { throw error.rpcError }
    }

    /// Edge/ComputeSnap for lab tools: the query of GET /api/snap in, the same content out.
    public func addSnapRoute(to routes: inout RPCRoutes) {
        routes.unary(Self.computeSnap, policy: .interactive(maxSeconds: 60)) { (m: SnapRequestMessage, context) -> SnapResponseMessage in
            let request: SpotfinderRequest
            do throws(ParameterError) { request = try SpotfinderRequest(query: m.query) } catch { throw error.rpcError }
            return SnapResponseMessage(try await snap(request, deadline: context.deadline))
        }
    }
    public static let computeSnap = "/spotfinder.v1.Edge/ComputeSnap"

    public enum PlotOutput: Sendable {
        case png(Data), csv(String), json(Data)

        /// Data downloads carry the full understood query, so that a file says how it was computed:
        /// a `# parameters: …` line in CSV, a `parameters` object in JSON; pinned spectra overlaid on it
        /// carry their names and their own full queries (`# pin N NAME: …`, `pins`).
        func carrying(_ request: SpotfinderRequest, pins: [(name: String, request: SpotfinderRequest)] = []) -> PlotOutput {
            let understood = request.understood
            func query(_ u: [String: String]) -> String { u.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&") }
            switch self {
            case .png: return self
            case .csv(let text):
                let pinLines = pins.enumerated().map { "# pin \($0.offset + 1) \($0.element.name): \(query($0.element.request.understood))\n" }.joined()
                return .csv("# parameters: \(query(understood))\n" + pinLines + text)
            case .json(let data):
                guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return self }
                object["parameters"] = understood
                if !pins.isEmpty { object["pins"] = pins.map { ["name": $0.name, "parameters": $0.request.understood] as [String: Any] } }
                return .json((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? data)
            }
        }
    }

    /// Largest map exported as CSV/JSON (the CSV is ~60 bytes a cell): bounds the answer's size.
    public static let maxExportCells = 500_000

    /// A map-like plot (spot, tilt, spot map) as PNG or, within `maxExportCells`, its cells as CSV/JSON
    /// carrying the understood query; `coarser` says how to make a too-large export smaller.
    func mapOutput(_ m: MapPlotRequest, request: SpotfinderRequest, coarser: String, deadline: Deadline) async throws(RPCError) -> PlotOutput {
        let format = request.word("format")
        if format != "png", let g = m.grid, Int(g.columns) * Int(g.rows) > Self.maxExportCells {
            throw RPCError(.invalidArgument, "format = \(format): this map has \(Int(g.columns) * Int(g.rows)) cells, more than the \(Self.maxExportCells) an export holds; use format=png, or \(coarser)")
        }
        return try await output(m, format: format, csv: PlotData.csv, json: PlotData.json,
                                method: PlotRendererService.renderMap, deadline: deadline).carrying(request)
    }

    /// The plot for `plot_type`, as PNG (via the plot-renderer) or its data as CSV/JSON.
    public func plot(_ request: SpotfinderRequest, deadline: Deadline, comparisons: [SpotfinderRequest] = []) async throws(RPCError) -> PlotOutput {
        let format = request.word("format")
        switch request.word("plot_type") {
        case "map":
            return try await mapPlot(request, deadline: deadline)
        case "spot", "tilt":
            guard let name = try await radiatorName(for: request, deadline: deadline) else {
                throw RPCError(.invalidArgument, "plot_type = \(request.word("plot_type")): needs a radiator with a topograph, not radiator_name=ideal")
            }
            let t = try await tiltDistribution(request, radiator: name, deadline: deadline)
            let m: MapPlotRequest
            if request.word("plot_type") == "tilt" {
                m = PlotRequests.tilt(t, request: request, radiatorName: name, view: request.viewSide)
            } else {
                let (view, _) = try await store.view(name: name, side: request.viewSide, deadline: deadline)
                m = PlotRequests.spot(view: view, tilt: t, request: request, radiatorName: name)
            }
            return try await mapOutput(m, request: request, coarser: "a coarser rad_tilt_resol for the tilt map", deadline: deadline)
        default:
            let kind = PlotRequests.SpectrumKind(rawValue: request.word("plot_type")) ?? .intense
            let result = try await spectrum(request, deadline: deadline)
            var pinned: [Spectrum] = [], pins: [(name: String, request: SpotfinderRequest)] = []
            for (i, comparison) in comparisons.enumerated() {
                let r = try await spectrum(comparison, deadline: deadline)
                pinned.append(r.spectrum)
                pins.append((comparison.pinName ?? (comparisons.count == 1 ? "pinned" : "pin \(i + 1)"), r.request))
            }
            var p = PlotRequests.spectrum(kind, result.spectrum, request: result.request, radiatorName: result.radiatorName,
                                          comparisons: pinned, comparisonLabels: pins.map(\.name), plane: result.plane)
            if let t = result.tilt, let warning = PlotRequests.beamWarning(t) { p.title.insert(warning, at: min(1, p.title.count)) }
            return try await output(p, format: format, csv: PlotData.csv, json: PlotData.json,
                                    method: PlotRendererService.renderSpectrum, deadline: deadline).carrying(result.request, pins: pins)
        }
    }

    /// A plot request as its data (CSV, JSON) or drawn by the plot-renderer (PNG).
    func output<M: WireMessage>(_ m: M, format: String, csv: @escaping @Sendable (M) -> String, json: @escaping @Sendable (M) -> Data, method: String,
                                deadline: Deadline) async throws(RPCError) -> PlotOutput {
        switch format {
        case "csv", "json":
            let flag = CancellationFlag()
            let built: PlotOutput? = await withTaskCancellationHandler {
                await Self.exportThreads.run(.batch, cancellation: flag) { format == "csv" ? .csv(csv(m)) : .json(json(m)) }
            } onCancel: {
                flag.cancel(reason: "the client went away")
            }
            guard let built else { throw RPCError(.cancelled, "the export was cancelled: the client went away") }
            return built
        default:
            let r: PlotResponse = try await renderer.call(method, m, deadline: deadline, idempotent: true)
            return .png(r.png)
        }
    }

    /// The picture for a `/radiator.png` request: its view side and `map_quantity`.
    public func radiatorImage(name: String, request: SpotfinderRequest, deadline: Deadline) async throws(RPCError) -> Data {
        try await radiatorImage(name: name, side: request.viewSide, quantity: request.mapQuantity, deadline: deadline)
    }

    /// The bare topograph picture the page moves under the beam, showing θH, θV or the elevation.
    public func radiatorImage(name: String, side: ViewSide, quantity: PlotRequests.MapQuantity = .thetah,
                              deadline: Deadline) async throws(RPCError) -> Data {
        let (view, _) = try await store.view(name: name, side: side, deadline: deadline)
        let r: PlotResponse = try await renderer.call(PlotRendererService.renderMap, PlotRequests.radiatorImage(view: view, quantity: quantity),
                                                      deadline: deadline, idempotent: true)
        return r.png
    }
}
