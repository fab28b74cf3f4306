import API
import Compute
import Foundation
import Physics
import RadiatorStore
import Topography

/// Issue 4's targets: tilt distribution for the default spot ≤ 10 ms; loading a radiator ≤ 20 ms.
/// Issue 5's compute core: the default-spot polarization spectrum end to end, in process.
enum TopographyBench {
    static func run(into table: inout BenchTable) throws {
        let radiator = SyntheticRadiators.all[2]
        let view = radiator.views[0]
        let request = try SpotfinderRequest(query: "")
        let tilt = Timing.measure(repetitions: 30) {
            _ = TiltDistribution(view: view, placement: request.placement, spot: request.beamSpot, histogram: request.tiltHistogram)
        }
        let t = TiltDistribution(view: view, placement: request.placement, spot: request.beamSpot, histogram: request.tiltHistogram)
        table.add("topography", "tilt distribution, default spot (1.0×0.5 mm, 0.02 mm step, 0.01 mrad bins)", ms(tilt.median), ms(tilt.p90),
                  "\(t.sampledPoints) spot points → \(t.samples.count) occupied tilt bins; target ≤ 10 ms")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sf-bench-\(getpid())").path
        let store = try RadiatorStore(directory: dir)
        try store.save(radiator)
        let size = (try? FileManager.default.attributesOfItem(atPath: store.path(of: radiator.name))[.size] as? Int) ?? 0
        let load = Timing.measure(repetitions: 30) { _ = try? store.load(radiator.name) }
        table.add("topography", "load a radiator from the store (both views, \(view.grid.columns)×\(view.grid.rows) px)", ms(load.median), ms(load.p90),
                  "\(size / 1024) KiB on disk; target ≤ 20 ms")
        let save = Timing.measure(repetitions: 10) { _ = try? store.save(radiator) }
        table.add("topography", "save a radiator (atomic: temp file, fsync, rename)", ms(save.median), ms(save.p90), "")
        try? FileManager.default.removeItem(atPath: dir)

        let computation = SpectrumComputation()
        let polar = try SpotfinderRequest(query: "plot_type=polar")
        let analysisTiming = Timing.measure(repetitions: 20) {
            let a = try! SpotAnalysis(radiator: radiator, request: polar)
            _ = try! a.spectrum(for: polar, computation: computation)
        }
        table.add("topography", "spot analysis + averaged spectrum (default spot, in process)", ms(analysisTiming.median), ms(analysisTiming.p90),
                  "tilt distribution and \(t.samples.count)-orientation average")
    }
}
