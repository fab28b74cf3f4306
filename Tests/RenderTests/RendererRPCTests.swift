import Foundation
import PlotRendererCore
import RPC
import Testing
import Topography
import Wire

/// The plot-renderer validates every request: INVALID_ARGUMENT naming the field, never a trap or a loop
/// (issue 10 item 5), and survives hostile but well-formed messages over its RPC (issue 10, "Prove it").
@Suite struct RendererRPCTests {
    static func goodMap() -> MapPlotRequest {
        var m = MapPlotRequest()
        m.title = ["map"]
        m.grid = MapGridMessage(x0: 0, y0: 0, dx: 0.05, dy: 0.05, columns: 20, rows: 10)
        m.values = (0..<200).map(Double.init)
        m.ellipses = [EllipseMessage(cx: 0.5, cy: 0.25, sx: 0.2, sy: 0.1, rho: -0.5, sigmas: 1, colorRgb: 0xE74C3C)]
        m.markers = [MarkerMessage(x: 0.5, y: 0.25, label: "mean")]
        m.widthPx = 200
        return m
    }

    static func goodSpectrum() -> SpectrumPlotRequest {
        var p = SpectrumPlotRequest()
        p.title = ["spectrum"]
        p.curves = [CurveMessage(label: "total", x: (0..<50).map { 4 + Double($0) * 0.05 }, y: (0..<50).map { Double($0) })]
        p.widthPx = 200
        return p
    }

    static func refusal(_ body: () throws(RPCError) -> Data) -> RPCError? {
        do { _ = try body(); return nil } catch { return error }
    }

    @Test func validRequestsDraw() throws {
        #expect(try PlotRendererService.png(Self.goodMap()).count > 100)
        #expect(try PlotRendererService.png(Self.goodSpectrum()).count > 100)
    }

    @Test(arguments: [
        ("grid.x0", { @Sendable (m: inout MapPlotRequest) in m.grid!.x0 = .infinity }),  // looped forever in AxisTicks
        ("grid.y0", { @Sendable (m: inout MapPlotRequest) in m.grid!.y0 = .nan }),
        ("grid.dx", { @Sendable (m: inout MapPlotRequest) in m.grid!.dx = 1e-300; m.grid!.x0 = 1 }),
        ("grid.dy", { @Sendable (m: inout MapPlotRequest) in m.grid!.dy = -1 }),
        ("grid has", { @Sendable (m: inout MapPlotRequest) in m.grid!.columns = 0 }),
        ("too large", { @Sendable (m: inout MapPlotRequest) in m.grid!.columns = .max; m.grid!.rows = .max }),
        ("values has", { @Sendable (m: inout MapPlotRequest) in m.values.removeLast() }),
        ("values[3]", { @Sendable (m: inout MapPlotRequest) in m.values[3] = -.infinity }),
        ("mask[1]", { @Sendable (m: inout MapPlotRequest) in m.mask = Data([1, 7] + [UInt8](repeating: 1, count: 198)) }),
        ("intensity[0]", { @Sendable (m: inout MapPlotRequest) in m.intensity = [.nan] + [Float](repeating: 0, count: 199) }),
        ("z_min", { @Sendable (m: inout MapPlotRequest) in m.zMin = .nan }),
        ("z_max", { @Sendable (m: inout MapPlotRequest) in m.zMin = 5; m.zMax = 5 }),
        ("ellipses[0].rho", { @Sendable (m: inout MapPlotRequest) in m.ellipses[0].rho = 1 }),
        ("ellipses[0].rho", { @Sendable (m: inout MapPlotRequest) in m.ellipses[0].rho = .nan }),
        ("ellipses[0].sx", { @Sendable (m: inout MapPlotRequest) in m.ellipses[0].sx = -1 }),
        ("ellipses[0].cy", { @Sendable (m: inout MapPlotRequest) in m.ellipses[0].cy = 1e300 }),
        ("ellipses[0].sigmas", { @Sendable (m: inout MapPlotRequest) in m.ellipses[0].sigmas = 0 }),
        ("ellipses", { @Sendable (m: inout MapPlotRequest) in m.ellipses = Array(repeating: m.ellipses[0], count: 17) }),
        ("markers[0].x", { @Sendable (m: inout MapPlotRequest) in m.markers[0].x = .nan }),
        ("markers[0].label", { @Sendable (m: inout MapPlotRequest) in m.markers[0].label = String(repeating: "x", count: 101) }),
        ("markers", { @Sendable (m: inout MapPlotRequest) in m.markers = Array(repeating: m.markers[0], count: 65) }),
        ("title has", { @Sendable (m: inout MapPlotRequest) in m.title = Array(repeating: "t", count: 1000) }),
        ("title[0]", { @Sendable (m: inout MapPlotRequest) in m.title = [String(repeating: "θ", count: 301)] }),
        ("z_title", { @Sendable (m: inout MapPlotRequest) in m.zTitle = String(repeating: "θ", count: 100_000) }),
        ("size_px", { @Sendable (m: inout MapPlotRequest) in m.widthPx = .max }),
        ("palette", { @Sendable (m: inout MapPlotRequest) in m.palette = "jet" }),
        ("contour_interval", { @Sendable (m: inout MapPlotRequest) in m.contourInterval = 0 }),
        ("contour_interval", { @Sendable (m: inout MapPlotRequest) in m.contourInterval = -2 }),
        ("contour_interval", { @Sendable (m: inout MapPlotRequest) in m.contourInterval = .nan }),
        ("contour_interval", { @Sendable (m: inout MapPlotRequest) in m.contourInterval = .infinity }),
        ("contour_interval", { @Sendable (m: inout MapPlotRequest) in
            m.values = m.values.indices.map(Double.init); m.contourInterval = Double(m.values.count) / 500 }),
        ("bare maps", { @Sendable (m: inout MapPlotRequest) in
            m.bare = true; m.grid = MapGridMessage(x0: 0, y0: 0, dx: 1, dy: 1, columns: 4001, rows: 1); m.values = Array(repeating: 0, count: 4001) }),
    ] as [(String, @Sendable (inout MapPlotRequest) -> Void)])
    func invalidMapRequestsAreRefusedNamingTheField(field: String, spoil: @Sendable (inout MapPlotRequest) -> Void) {
        var m = Self.goodMap()
        spoil(&m)
        let error = Self.refusal { () throws(RPCError) in try PlotRendererService.png(m) }
        #expect(error?.code == .invalidArgument, "\(field): \(String(describing: error))")
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error") names \(field)")
    }

    @Test func aMapWithContoursDrawsAndDiffersFromOneWithout() throws {
        var m = Self.goodMap()
        let plain = try PlotRendererService.png(m)
        m.contourInterval = 20  // values 0 … 199: 9 levels
        #expect(try PlotRendererService.png(m) != plain)
    }

    @Test(arguments: [
        ("curves[0].x[2]", { @Sendable (p: inout SpectrumPlotRequest) in p.curves[0].x[2] = .nan }),
        ("curves[0].y[2]", { @Sendable (p: inout SpectrumPlotRequest) in p.curves[0].y[2] = .infinity }),
        ("curves[0].y[3]", { @Sendable (p: inout SpectrumPlotRequest) in p.curves[0].y[3] = -1e300 }),
        ("curves[0] ('total') has 50 x values and 49 y", { @Sendable (p: inout SpectrumPlotRequest) in p.curves[0].y.removeLast() }),
        ("curves[0] has 20001 points", { @Sendable (p: inout SpectrumPlotRequest) in
            p.curves[0].x = Array(repeating: 1, count: 20_001); p.curves[0].y = p.curves[0].x }),
        ("50000", { @Sendable (p: inout SpectrumPlotRequest) in
            p.curves = Array(repeating: CurveMessage(x: Array(repeating: 1, count: 10_000), y: Array(repeating: 1, count: 10_000)), count: 6) }),
        ("17 curves", { @Sendable (p: inout SpectrumPlotRequest) in p.curves = Array(repeating: p.curves[0], count: 17) }),
        ("curves[0].label", { @Sendable (p: inout SpectrumPlotRequest) in p.curves[0].label = String(repeating: "l", count: 101) }),
        ("window_min", { @Sendable (p: inout SpectrumPlotRequest) in p.windowMin = -.infinity }),
        ("window_max", { @Sendable (p: inout SpectrumPlotRequest) in p.windowMax = .nan }),
        ("title has 7 lines", { @Sendable (p: inout SpectrumPlotRequest) in p.title = Array(repeating: "t", count: 7) }),
        ("y_title", { @Sendable (p: inout SpectrumPlotRequest) in p.yTitle = String(repeating: "y", count: 301) }),
        ("size_px", { @Sendable (p: inout SpectrumPlotRequest) in p.heightPx = 199 }),
    ] as [(String, @Sendable (inout SpectrumPlotRequest) -> Void)])
    func invalidSpectrumRequestsAreRefusedNamingTheField(field: String, spoil: @Sendable (inout SpectrumPlotRequest) -> Void) {
        var p = Self.goodSpectrum()
        spoil(&p)
        let error = Self.refusal { () throws(RPCError) in try PlotRendererService.png(p) }
        #expect(error?.code == .invalidArgument, "\(field): \(String(describing: error))")
        #expect(error?.message.contains(field) == true, "\(error?.message ?? "no error") names \(field)")
    }

    @Test func aGapInACurveIsNotAnError() throws {
        var p = Self.goodSpectrum()
        p.curves[0].y[10] = .nan
        #expect(try PlotRendererService.png(p).count > 100)
    }

    /// Hostile but well-formed messages, in process and over the renderer's RPC: every one is drawn or
    /// refused with INVALID_ARGUMENT; none crashes the process or hangs (the test would not finish).
    @Test func fuzzedRequestsAreDrawnOrRefusedNeverCrash() async throws {
        let (drawn, refused, unexpected) = try await offPoolThrowing { Self.fuzzInProcess() }
        #expect(unexpected.isEmpty, "answers other than a PNG or INVALID_ARGUMENT: \(unexpected)")
        #expect(drawn > 40 && refused > 40, "the fuzzer reaches both the drawing and the validation (\(drawn) drawn, \(refused) refused)")

        var fuzz = HostilePlotRequests(rng: SplitMix64(seed: 0x9108), maxSide: 320)
        let server = try RPCServer(routes: PlotRendererService().routes, config: RPCServerConfig())
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        var served = 0
        for _ in 0..<80 {
            do {
                // Deadlines for a loaded machine running a debug build; a hang would still never end.
                switch fuzz.next() {
                case .spectrum(let p): _ = try await client.call(PlotRendererService.renderSpectrum, p, as: PlotResponse.self, deadline: .after(seconds: 300))
                case .map(let m): _ = try await client.call(PlotRendererService.renderMap, m, as: PlotResponse.self, deadline: .after(seconds: 300))
                }
                served += 1
            } catch {
                #expect(error.code == .invalidArgument, "\(error)")
            }
        }
        // The renderer is still up and answers an ordinary request.
        let png: PlotResponse = try await client.call(PlotRendererService.renderMap, Self.goodMap())
        #expect(png.png.count > 100 && served > 5)
        client.close()
        await server.shutdown(graceSeconds: 1)
    }

    static func fuzzInProcess() -> (drawn: Int, refused: Int, unexpected: [String]) {
        var fuzz = HostilePlotRequests(rng: SplitMix64(seed: 0x9107), maxSide: 320)
        var drawn = 0, refused = 0, unexpected: [String] = []
        for _ in 0..<400 {
            let outcome: RPCError?
            switch fuzz.next() {
            case .spectrum(let p): outcome = Self.refusal { () throws(RPCError) in try PlotRendererService.png(p) }
            case .map(let m): outcome = Self.refusal { () throws(RPCError) in try PlotRendererService.png(m) }
            }
            if let outcome {
                if outcome.code != .invalidArgument { unexpected.append("\(outcome)") }
                refused += 1
            } else {
                drawn += 1
            }
        }
        return (drawn, refused, unexpected)
    }
}
