import API
import Compute
import Foundation
import PlotRendererCore
@testable import Plots
@testable import Render
import Testing
import Topography
import Wire

/// Issue 10 item 5 and issue 13 items 3 and 10: in-range queries through the plot path
/// (vocabulary → Plots → PlotRendererCore → PNG), as `/plot.png` and `spotfinder plot` run them.
@Suite struct PlotPathTests {
    static let radiators: [String: Radiator] = Dictionary(uniqueKeysWithValues: ["SF-G03", "SF-E01", "SF-P07"].map { name in
        (name, SyntheticRadiators.make(SyntheticRadiators.recipes.first { $0.name == name }!))
    })

    /// The plot the query asks for, as the renderer's PNG (or its INVALID_ARGUMENT).
    static func plot(_ query: String) throws -> Data {
        let request = try SpotfinderRequest(query: query)
        let radiator = radiators[request.radiatorName ?? "SF-G03"]!
        let analysis = try SpotAnalysis(radiator: radiator, request: request)
        let m = request.word("plot_type") == "tilt"
            ? PlotRequests.tilt(analysis.tilt, request: request, radiatorName: radiator.name, view: analysis.side)
            : PlotRequests.spot(view: radiator.view(analysis.side)!, tilt: analysis.tilt, request: request, radiatorName: radiator.name)
        return try PlotRendererService.png(m)
    }

    static let pngSignature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

    @Test(arguments: [
        "radiator_name=SF-G03&plot_type=spot&rad_xoffset=-7",
        "radiator_name=SF-G03&plot_type=spot&rad_yoffset=7",
        "radiator_name=SF-G03&plot_type=spot&rad_xoffset=50&rad_yoffset=-50",
        "radiator_name=SF-G03&plot_type=spot&rad_xoffset=-50&rad_yoffset=50&size_px=2000",
        "radiator_name=SF-E01&plot_type=spot&rad_xoffset=-7",
        "radiator_name=SF-E01&plot_type=spot&rad_yoffset=12&rad_phideg=45",
        "radiator_name=SF-E01&plot_type=spot&rad_xoffset=9&size_px=200",
        "plot_type=tilt&radiator_name=SF-P07&rad_tilt_range=0.01&rad_tilt_resol=0.0005",
        "plot_type=tilt&radiator_name=SF-P07&rad_tilt_range=0.01&rad_tilt_resol=0.0005&rad_xoffset=3",
        "plot_type=tilt&radiator_name=SF-G03&rad_xoffset=-7",
        // The smallest spots the vocabulary allows (σ ≥ 0.001 mm since 1e-300 is refused), with extreme correlation;
        // an underflowing σ is covered by degenerateSpotsGiveAValidCorrelation below.
        "radiator_name=SF-G03&plot_type=spot&ebeam_xsigma=0.001",
        "radiator_name=SF-G03&plot_type=spot&ebeam_ysigma=0.001&ebeam_xycorr=-0.999999&rad_phideg=30",
        "radiator_name=SF-G03&plot_type=spot&ebeam_xsigma=0.001&ebeam_ysigma=0.001&ebeam_xycorr=0.999999",
        "radiator_name=SF-G03&plot_type=tilt&ebeam_xsigma=0.001",
        "radiator_name=SF-G03&plot_type=spot&ebeam_xsigma=10&ebeam_ysigma=10&ebeam_xyresol=0.1",
    ])
    func inRangeQueriesDrawAPlot(query: String) async throws {
        let png = try await offPoolThrowing { try Self.plot(query) }
        #expect(png.prefix(8) == Self.pngSignature, "\(query)")
    }

    /// Issue 13 item 10: the spot's ellipses are cut at the axes and never drawn over the colour bar.
    @Test(arguments: ["rad_xoffset=-3.2", "rad_xoffset=3.2", "rad_yoffset=3.2", "rad_xoffset=-7", "ebeam_xsigma=3&ebeam_ysigma=3&ebeam_xyresol=0.05"])
    func spotOverlaysStayInsideThePlotArea(shift: String) async throws {
        try await offPoolThrowing { try Self.checkOverlays(shift: shift) }
    }

    static func checkOverlays(shift: String) throws {
        let request = try SpotfinderRequest(query: "radiator_name=SF-G03&plot_type=spot&" + shift)
        let radiator = Self.radiators["SF-G03"]!
        let analysis = try SpotAnalysis(radiator: radiator, request: request)
        let m = PlotRequests.spot(view: radiator.view(analysis.side)!, tilt: analysis.tilt, request: request, radiatorName: radiator.name)
        var plot = MapPlot(title: m.title, xTitle: m.xTitle, yTitle: m.yTitle, zTitle: m.zTitle,
                           grid: .init(x0: m.grid!.x0, y0: m.grid!.y0, dx: m.grid!.dx, dy: m.grid!.dy,
                                       columns: Int(m.grid!.columns), rows: Int(m.grid!.rows)), values: m.values)
        plot.mask = [UInt8](m.mask)
        plot.ellipses = m.ellipses.map { .init(cx: $0.cx, cy: $0.cy, sx: $0.sx, sy: $0.sy, rho: $0.rho, sigmas: $0.sigmas, color: RGBA(hex: $0.colorRgb)) }
        let frame = plot.layout()
        let c = plot.render()
        // The ellipse red (0xE74C3C) appears nowhere outside the axes; inside it does when the spot is on the map.
        var outside = 0, inside = 0
        for y in 0..<c.height {
            for x in 0..<c.width {
                let p = c.pixel(x: x, y: y)
                guard p.r > 0.8, p.g < 0.45, p.b < 0.4 else { continue }
                let within = Double(x) >= frame.left - 1 && Double(x) <= frame.right + 1 && Double(y) >= frame.top - 1 && Double(y) <= frame.bottom + 1
                if within { inside += 1 } else { outside += 1 }
            }
        }
        try check(outside == 0, "\(outside) ellipse pixels outside the axes for \(shift)")
        if shift != "rad_xoffset=-7" { try check(inside > 20, "the ellipse is drawn for \(shift)") }
    }

    /// A spot whose width underflows (σ = 1e-300 mm) or whose rotated covariance rounds to |ρ| ≥ 1 still gives
    /// the renderer a valid ellipse (the spot and spot-map plots share this).
    @Test func degenerateSpotsGiveAValidCorrelation() {
        #expect(PlotRequests.correlation(0, 0, 0.5) == 0)
        #expect(PlotRequests.correlation(0, 0, 0) == 0)
        #expect(PlotRequests.correlation(.nan, 1, 1) == 0)
        for (sxy, sx, sy) in [(1.0000001, 1.0, 1.0), (-0.25, 0.5, 0.5), (1e-300, 1e-160, 1e-160)] {
            let rho = PlotRequests.correlation(sxy, sx, sy)
            #expect(rho.isFinite && abs(rho) < 1)
        }
        #expect(PlotRequests.correlation(0.3, 1, 1) == 0.3)
    }

    /// Issue 13 item 3: the radiator picture shows the quantity asked for.
    @Test func radiatorPictureHonoursMapQuantity() throws {
        let view = Self.radiators["SF-G03"]!.views[0]
        var pictures: [Data] = []
        for q in PlotRequests.MapQuantity.allCases {
            let request = try SpotfinderRequest(query: "radiator_name=SF-G03&map_quantity=\(q.rawValue)")
            let m = PlotRequests.radiatorImage(view: view, quantity: request.mapQuantity)
            #expect(m.bare)
            pictures.append(try PlotRendererService.png(m))
        }
        #expect(Set(pictures).count == 3, "θH, θV and elevation give three different pictures")
        let thetav = PlotRequests.radiatorImage(view: view, quantity: .thetav)
        #expect(thetav.values.enumerated().allSatisfy { k, v in v.isNaN && view.thetaVMicroradians[k].isNaN || v == Double(view.thetaVMicroradians[k]) })
        #expect(try SpotfinderRequest(query: "map_quantity=elevation").mapQuantity == .elevation)
        #expect(try SpotfinderRequest(query: "").mapQuantity == .thetah)
    }
}
