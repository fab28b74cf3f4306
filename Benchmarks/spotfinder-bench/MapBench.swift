import API
import Compute
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Physics
import SpotMap
import Topography

/// Issue 11's speed targets: spot maps in process (the engine a node runs, on this machine's cores),
/// the brute-force cost they replace, and the map through the real services with one and two nodes.
enum MapBench {
    static func run(into table: inout BenchTable) throws {
        let radiator = SyntheticRadiators.make(SyntheticRadiators.recipes[2])  // SF-G03
        let view = radiator.view(.front)!
        let computation = SpectrumComputation()
        let box = "radiator_name=SF-G03&map_xmin=-4&map_xmax=4&map_ymin=-4&map_ymax=4"
        func map(_ query: String, repetitions: Int) throws -> (Timing, MapResponse) {
            let request = try SpotfinderRequest(query: query)
            let model = computation.model(for: request)
            var last: MapResponse?
            var failure: (any Error)?
            let t = Timing.measure(repetitions: repetitions, warmup: 1) {
                do { last = try LocalMap.compute(request: request, view: view, radiatorName: "SF-G03", model: model) } catch { failure = error }
            }
            if let failure { throw failure }
            return (t, last!)
        }
        for fom in ["rms_tilt", "fraction_on_crystal"] {
            let (t, m) = try map(box + "&fom=\(fom)&map_step=0.08", repetitions: 7)
            table.add("map", "\(fom), \(m.x_offsets_mm.count)×\(m.y_offsets_mm.count) placements", ms(t.median), ms(t.p90),
                      "target ≤ 500 ms (2 cores)")
        }
        // Brute force: the tilt distribution and the spot average at one placement, the way a single plot does it.
        let single = try SpotfinderRequest(query: "radiator_name=SF-G03&rad_xoffset=0.4&rad_yoffset=-0.2")
        let brute = Timing.measure(repetitions: 15) {
            let a = try! SpotAnalysis(radiator: radiator, request: single)
            _ = try! a.spectrum(for: single, computation: computation)
        }
        table.add("map", "brute force: one placement (tilt distribution + spot average)", ms(brute.median), ms(brute.p90), "")
        for (resnap, target) in [("off", "≤ 2 s"), ("on", "≤ 5 s")] {
            for (label, constraint) in [("default constraints", ""), ("every placement on the crystal", "&min_on_crystal=0")] {
                let (t, m) = try map(box + "&fom=peak_polarization&map_resnap=\(resnap)&map_step=0.2" + constraint, repetitions: 3)
                let spectra = m.values.compactMap { $0 }.count
                let gain = brute.median * Double(spectra) / t.median
                table.add("map", "peak_polarization \(m.x_offsets_mm.count)×\(m.y_offsets_mm.count), resnap \(resnap), \(label)", ms(t.median), ms(t.p90),
                          String(format: "%d spectra; target %@; brute force ≈ %.1f s (%.0f×)", spectra, target, brute.median * Double(spectra), gain))
            }
        }
    }

    /// The largest case through HTTP with SPOTFINDER_NODES = 1 and 2: time, and how the chunks spread.
    static func runHTTP() async throws -> [[String]] {
        var table = BenchTable("area", "measurement", "median", "p90", "notes")
        let system = try HTTPBench.System(name: "map")
        defer { system.stop() }
        let http = system.http, token = system.token
        for count in [1, 2] {
            try system.addNode()
            var samples: [Double] = []
            for i in 0..<4 {
                // A different snap edge each time: never the response cache.
                let url = URL(string: "http://127.0.0.1:\(http)/api/map?radiator_name=SF-G03&fom=peak_polarization&map_resnap=on"
                              + "&min_on_crystal=0&map_xmin=-4&map_xmax=4&map_ymin=-4&map_ymax=4&map_step=0.2&snap_edge=\(6 + Double(count * 10 + i) * 1e-4)")!
                samples.append(try await HTTPBench.get(url))
            }
            var metricsRequest = URLRequest(url: URL(string: "http://127.0.0.1:\(http)/metrics")!)
            metricsRequest.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let metrics = String(decoding: try await URLSession.shared.data(for: metricsRequest).0, as: UTF8.self)
            let perNode = metrics.split(separator: "\n").filter { $0.hasPrefix("spotfinder_node_chunks_total{") }
                .map { $0.split(separator: " ").last.map(String.init) ?? "?" }
            let t = Timing(samples: samples.sorted())
            table.add("map", "HTTP map, peak_polarization 41×41 resnap on, every placement, SPOTFINDER_NODES=\(count)", ms(t.median), ms(t.p90),
                      "chunks per node (cumulative): " + perNode.joined(separator: ", "))
        }
        return table.rows
    }
}
