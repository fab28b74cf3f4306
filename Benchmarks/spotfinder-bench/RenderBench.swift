import API
import Foundation
import PlotRendererCore
import Plots
import RPC
import Topography
import Wire

/// Issue 6's targets: a 600×600 spectrum plot ≤ 10 ms; a 600×600 topograph with overlay ≤ 25 ms (PNG included).
enum RenderBench {
    static func run(into table: inout BenchTable) throws {
        let request = try SpotfinderRequest(query: "plot_type=polar")
        let x = (0..<125).map { 4.51 + Double($0) * 0.02 }
        let spectrum = PlotRequestsFixture.spectrum(x)
        var size = 0
        let s = Timing.measure(repetitions: 20) { size = (try? PlotRendererService.png(spectrum))?.count ?? 0 }
        table.add("render", "600×600 spectrum plot → PNG", ms(s.median), ms(s.p90), "\(size / 1024) KiB; target ≤ 10 ms")
        let radiator = SyntheticRadiators.all[2]
        let view = radiator.views[0]
        let tilt = TiltDistribution(view: view, placement: request.placement, spot: request.beamSpot, histogram: request.tiltHistogram)
        let map = PlotRequests.spot(view: view, tilt: tilt, request: request, radiatorName: radiator.name)
        let m = Timing.measure(repetitions: 20) { size = (try? PlotRendererService.png(map))?.count ?? 0 }
        table.add("render", "600×600 topograph with spot overlay → PNG", ms(m.median), ms(m.p90), "\(size / 1024) KiB; target ≤ 25 ms")
        let hist = PlotRequests.tilt(tilt, request: request, radiatorName: radiator.name, view: .front)
        let h = Timing.measure(repetitions: 20) { size = (try? PlotRendererService.png(hist))?.count ?? 0 }
        table.add("render", "600×600 tilt histogram → PNG", ms(h.median), ms(h.p90), "\(size / 1024) KiB")
        table.rows.append(fuzz(requests: 2000))
    }

    /// The renderer fuzzed with hostile but well-formed requests at every size up to 2000 px: each is drawn
    /// or refused with INVALID_ARGUMENT (anything else is counted); a crash would end the bench.
    static func fuzz(requests: Int) -> [String] {
        var generator = HostilePlotRequests(rng: SplitMix64(seed: 0xF022), maxSide: 2000)
        var drawn = 0, refused = 0, other = 0, samples: [Double] = []
        for _ in 0..<requests {
            let request = generator.next()
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                switch request {
                case .spectrum(let p): _ = try PlotRendererService.png(p)
                case .map(let m): _ = try PlotRendererService.png(m)
                }
                drawn += 1
            } catch {
                if error.code == .invalidArgument { refused += 1 } else { other += 1 }
            }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        let t = Timing(samples: samples.sorted())
        return ["render", "fuzz: \(requests) hostile requests, sides ≤ 2000 px", ms(t.median), ms(t.p90),
                "\(drawn) drawn, \(refused) refused, \(other) other; slowest \(ms(t.samples.last ?? 0)); 0 crashes"]
    }
}

enum PlotRequestsFixture {
    static func spectrum(_ x: [Double]) -> Wire.SpectrumPlotRequest {
        var p = Wire.SpectrumPlotRequest()
        p.title = ["Collimated photon intensity — SF-G03", "peak 1.917×10⁹ /s/GeV, integral 1.545×10⁹ /s in [4.5, 7.0] GeV"]
        p.xTitle = "photon energy (GeV)"
        p.yTitle = "rate (photons/s/GeV)"
        p.curves = [.init(label: "total", x: x, y: x.map { 2e9 * exp(-pow($0 - 5.9, 2)) }, colorRgb: 0x1F4E9C),
                    .init(label: "incoherent", x: x, y: x.map { 3e8 - 1e7 * $0 }, colorRgb: 0x7F8C8D)]
        p.windowMin = 4.5
        p.windowMax = 7
        p.widthPx = 600
        p.heightPx = 600
        p.yIncludesZero = true
        return p
    }
}
