import API
import Foundation
import RPC
import Testing
import Wire

/// The spot map through the real processes: the edge spreads placements over two nodes,
/// and every value checked equals the single-placement answers of the same edge.
@Suite(.serialized, .timeLimit(.minutes(5))) struct MapSystemTests {
    @Test func mapThroughTheEdgeMatchesSinglePlacementsAndUsesBothNodes() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        try await system.addNode(capacity: 2)
        try await system.addNode(capacity: 2)
        // Both nodes healthy before the map goes out (a loaded machine may delay a first heartbeat).
        for _ in 0..<100 where (try await system.json("/healthz"))["nodes"] as? String != "2" { try await Task.sleep(nanoseconds: 50_000_000) }
        let base = "radiator_name=SF-G03&ebeam_xsigma=0.6&ebeam_ysigma=0.4&snap_edge=6"
        let query = base + "&fom=peak_polarization&map_resnap=on&map_step=0.9&min_on_crystal=0.95"
        let r = try await system.get("/api/map?" + query)
        #expect(r.status == 200, "\(String(decoding: r.body, as: UTF8.self))")
        let map = try #require(try JSONSerialization.jsonObject(with: r.body) as? [String: Any])
        for key in ["fom", "x_offsets_mm", "y_offsets_mm", "values", "fraction_on_crystal", "rms_tilt_urad", "best", "placements", "seconds"] {
            #expect(map[key] != nil, "\(key) in the answer")
        }
        let xs = try #require(map["x_offsets_mm"] as? [Double]), ys = try #require(map["y_offsets_mm"] as? [Double])
        let values = try #require(map["values"] as? [Any]), fractions = try #require(map["fraction_on_crystal"] as? [Double])
        let rms = try #require(map["rms_tilt_urad"] as? [Any])
        #expect(values.count == xs.count * ys.count && (map["placements"] as? Int) == values.count)

        // Both nodes computed chunks (within a few maps; each again is uncached: another edge energy).
        let perNode = try await system.chunksPerNode(nodes: 2, attempts: 4) { attempt in
            let again = try await system.get("/api/map?" + query.replacingOccurrences(of: "snap_edge=6", with: "snap_edge=6.\(attempt)"))
            #expect(again.status == 200)
        }
        #expect(perNode.count == 2 && perNode.allSatisfy { !$0.hasSuffix(" 0") }, "both nodes computed chunks: \(perNode)")

        // Single placements: the allowed ones nearest the crystal's edge and a few inside.
        let allowed = values.indices.filter { values[$0] is Double }
        #expect(allowed.count >= 8)
        let byFraction = allowed.sorted { fractions[$0] < fractions[$1] }
        let chosen = Array(byFraction.prefix(4)) + Array(byFraction.suffix(2)) + [allowed[allowed.count / 2]]
        for i in chosen {
            let x = xs[i % xs.count], y = ys[i / xs.count]
            let at = base + "&rad_xoffset=\(x)&rad_yoffset=\(y)"
            let tilt = try await system.json("/api/tilt?" + at)
            let f = try #require(tilt["fraction_on_crystal"] as? Double)
            #expect(abs(f - fractions[i]) <= 1e-3 * f, "fraction at (\(x), \(y))")
            let h = try #require(tilt["rms_thetah_mr"] as? Double), v = try #require(tilt["rms_thetav_mr"] as? Double)
            let expectedRms = (h * h + v * v).squareRoot() * 1e3
            let gotRms = try #require(rms[i] as? Double)
            #expect(abs(gotRms - expectedRms) <= 0.005 * expectedRms, "rms tilt at (\(x), \(y))")
            let snap = try await system.json("/api/snap?" + at + "&snap_action=snap_para")
            let th = try #require(snap["rad_thetah"] as? Double), tv = try #require(snap["rad_thetav"] as? Double)
            let spectrum = try await system.json("/api/spectrum?" + at + "&rad_thetah=\(th)&rad_thetav=\(tv)")
            let peak = try #require((spectrum["summary"] as? [String: Any])?["peak_polarization"] as? Double)
            let got = try #require(values[i] as? Double)
            #expect(abs(got - peak) <= 0.002, "peak polarization at (\(x), \(y)): map \(got), single \(peak)")
        }

        // The best spot is the map's maximum among allowed placements.
        let best = try #require(map["best"] as? [[String: Any]])
        let top = try #require(best.first?["value"] as? Double)
        #expect(top == allowed.map { values[$0] as! Double }.max())

        // The edge's RPC method answers the same content.
        let edge = RPCClient(host: "127.0.0.1", port: system.edgeRPC)
        let viaRPC: SpotMapResponseMessage = try await edge.call("/spotfinder.v1.Edge/ComputeMap", SpotMapRequestMessage(query: query),
                                                                 deadline: .after(seconds: 120))
        #expect(viaRPC.xOffsetsMm == xs && viaRPC.yOffsetsMm == ys)
        #expect(abs((viaRPC.best.first?.value ?? 0) - top) <= 1e-12)  // JSONSerialization may be off in the last bit
        for i in values.indices {
            if let v = values[i] as? Double { #expect(abs(viaRPC.values[i] - v) <= 1e-12) } else { #expect(viaRPC.values[i].isNaN) }
        }
        // … including the ranking, the spread and the goniometer that issue #21 added to the page (JSON null ↔ unset / NaN).
        func close(_ a: Double?, _ b: Any?) -> Bool {
            guard let a, let b = b as? Double else { return a == nil && (b == nil || b is NSNull) }
            return abs(a - b) <= 1e-12 * max(1, abs(b))
        }
        #expect(viaRPC.best.count == best.count && !best.isEmpty)
        for (got, want) in zip(viaRPC.best, best) {
            #expect(close(got.robustValue, want["robust_value"]) && close(got.marginMm, want["margin_mm"]), "\(got) vs \(want)")
            #expect(Int(got.rank) == want["rank"] as? Int && got.tiedWithBest == want["tied_with_best"] as? Bool, "\(got) vs \(want)")
        }
        #expect(close(viaRPC.valueBest, map["value_best"]) && close(viaRPC.valueWorst, map["value_worst"]))
        #expect(close(viaRPC.spreadFraction, map["spread_fraction"]) && viaRPC.uniform == map["uniform"] as? Bool)
        #expect(viaRPC.valueBest != nil && viaRPC.uniform != nil)
        #expect(close(viaRPC.ebeamJitter, map["ebeam_jitter"]) && close(viaRPC.radThetaz, map["rad_thetaz"]))
        let gluex = try #require(map["gluex_plane"] as? String)
        #expect(viaRPC.gluexPlane == gluex && !gluex.isEmpty)
        let robust = try #require(map["robust_values"] as? [Any])
        let thetaH = try #require(map["rad_thetah_mrad"] as? [Double]), thetaV = try #require(map["rad_thetav_mrad"] as? [Double])
        #expect(viaRPC.robustValues.count == robust.count && robust.count == values.count)
        for i in robust.indices {
            #expect(close(viaRPC.robustValues[i].isNaN ? nil : viaRPC.robustValues[i], robust[i]), "robust value \(i)")
        }
        #expect(viaRPC.radThetahMrad.count == thetaH.count && zip(viaRPC.radThetahMrad, thetaH).allSatisfy { close($0, $1) })
        #expect(viaRPC.radThetavMrad.count == thetaV.count && zip(viaRPC.radThetavMrad, thetaV).allSatisfy { close($0, $1) })
    }

    @Test func badMapRequestsAreRefusedNamingTheParameter() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        for (query, parameter) in [("radiator_name=ideal", "radiator_name"), ("radiator_name=SF-G03&map_step=0.001", "map_step"),
                                   ("radiator_name=SF-G03&fom=best", "fom"), ("radiator_name=SF-G03&min_on_crystal=1.5", "min_on_crystal"),
                                   ("radiator_name=SF-G03&map_xmin=2&map_xmax=1", "map_xmin"), ("radiator_name=SF-G03&map_ymax=80", "map_ymax"),
                                   ("radiator_name=SF-G03&fom=p2n&fom_window_min=3", "fom_window_min"),
                                   ("radiator_name=SF-G03&map_resnap=maybe", "map_resnap")] {
            let r = try await system.get("/api/map?" + query)
            let body = (try? JSONSerialization.jsonObject(with: r.body) as? [String: Any]) ?? [:]
            #expect(r.status == 400, "\(query): \(r.status)")
            #expect(body["parameter"] as? String == parameter, "\(query): \(body)")
        }
        // Without nodes, --compute-in-process computes the map at the edge.
        let r = try await system.get("/api/map?radiator_name=SF-E01&fom=rms_tilt&map_step=0.5")
        #expect(r.status == 200)
        // The map plot: a PNG drawn by the renderer, and its cells as CSV.
        let png = try await system.get("/plot.png?plot_type=map&radiator_name=SF-E01&fom=rms_tilt&map_step=1&rad_phideg=20")
        #expect(png.status == 200 && png.headers["content-type"] == "image/png" && png.body.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(png.status) \(png.headers) \(String(decoding: png.body.prefix(300), as: UTF8.self))")
        // Its data: one row per placement (issue #21), not per picture pixel, with the goniometer to use.
        let csv = try await system.get("/plot.png?plot_type=map&radiator_name=SF-E01&fom=rms_tilt&map_step=1&format=csv")
        let map = try await system.json("/api/map?radiator_name=SF-E01&fom=rms_tilt&map_step=1")
        let rows = String(decoding: csv.body, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(csv.status == 200 && rows.first?.hasPrefix("rad_xoffset_mm,rad_yoffset_mm,radiator_x_mm") == true)
        #expect(rows.count - 1 == map["placements"] as? Int && rows.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 12 })
    }
}
