import API
import Compute
import Foundation
import Physics
import RadiatorStore
import RPC
import Testing
import Topography
import Wire

/// The five services as real processes on loopback, driven through HTTP and RPC.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SystemTests {
    @Test func spectrumThroughTheEdgeEqualsTheInProcessResult() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        try await system.addNode()
        // The ideal crystal: one chunk, one node, the same code: bit for bit.
        let query = "radiator_name=ideal&rad_thetah=1.2296&rad_thetav=50"
        // JSONDecoder parses doubles exactly (JSONSerialization on Linux may be off in the last bit).
        let remote = try JSONDecoder().decode(SpectrumResponse.self, from: try await system.get("/api/spectrum?" + query).body)
        let local = SpectrumComputation().spectrum(for: try SpotfinderRequest(query: query), samples: nil)
        #expect(remote.coherent == local.coherent)
        #expect(remote.polarization == local.polarization)
        // A radiator: the tilt-service's orientation set split over chunks; equal up to float summation order.
        let spotQuery = "radiator_name=SF-G03&rad_xoffset=0.7&rad_thetah=1.22&rad_thetav=50"
        let spot = try await system.json("/api/spectrum?" + spotQuery)
        let request = try SpotfinderRequest(query: spotQuery)
        let radiator = try RadiatorStore(directory: system.data).load("SF-G03")
        let expected = try SpotAnalysis(radiator: radiator, request: request).spectrum(for: request, computation: SpectrumComputation())
        let got = try #require(spot["coherent"] as? [Double], "\(spot)")
        #expect(got.count == expected.coherent.count)
        for i in got.indices { #expect(abs(got[i] - expected.coherent[i]) <= 1e-12 * expected.coherent.max()!) }
    }

    @Test func twoNodesShareTheWorkAndAKilledNodeFailsNoRequest() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        let a = try await system.addNode(capacity: 2)
        try await system.addNode(capacity: 2)
        let edge = RPCClient(host: "127.0.0.1", port: system.edgeRPC)
        // A large orientation set: many chunks, spread over both nodes.
        let samples = (0..<6000).map { i in TiltSampleMessage(thetahOffsetMr: Double(i % 80) * 0.002 - 0.08, thetavOffsetMr: Double(i / 80) * 0.002 - 0.075, weight: 1) }
        var beamline = BeamlineParameters()
        beamline.pbeamEnergyResol = 0.005
        beamline.pbeamEnergyMin = 3
        beamline.pbeamEnergyMax = 9
        let message = SpectrumRequestMessage(beamline: beamline, orientation: Orientation(radThetah: 1.2296, radThetav: 50), samples: samples)
        let first: SpectrumResponseMessage = try await edge.call("/spotfinder.v1.Edge/ComputeSpectrum", message, deadline: .after(seconds: 60))
        #expect(first.orientationsAveraged == 6000)
        // Both nodes answer chunks (within a few requests).
        let perNode = try await system.chunksPerNode(nodes: 2, attempts: 5) { _ in
            let again: SpectrumResponseMessage = try await edge.call("/spotfinder.v1.Edge/ComputeSpectrum", message, deadline: .after(seconds: 60))
            #expect(again.orientationsAveraged == 6000)
        }
        #expect(perNode.count == 2 && perNode.allSatisfy { !$0.hasSuffix(" 0") }, "both nodes computed chunks: \(perNode)")
        // Kill one node while a request is in flight: retries and hedges finish it elsewhere.
        async let second: SpectrumResponseMessage = edge.call("/spotfinder.v1.Edge/ComputeSpectrum", message, deadline: .after(seconds: 60))
        try await Task.sleep(nanoseconds: 30_000_000)
        a.kill()
        let answer = try await second
        #expect(answer.coherent == first.coherent || zip(answer.coherent, first.coherent).allSatisfy { abs($0 - $1) <= 1e-12 * abs($1) + 1e-300 })
        // And it leaves the pool within a few heartbeats.
        var healthy = 2
        for _ in 0..<80 where healthy != 1 {
            try await Task.sleep(nanoseconds: 100_000_000)
            healthy = Int(try await system.json("/healthz")["nodes"] as? String ?? "") ?? -1
        }
        #expect(healthy == 1)
    }

    @Test func aNodeWithoutTheTokenIsRefused() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        let intruder = try await system.addNode(token: "wrong")
        intruder.process.waitUntilExit()
        #expect(intruder.process.terminationStatus != 0)
        #expect(intruder.output.contains("UNAUTHENTICATED"))
        #expect(try await system.json("/healthz")["nodes"] as? String == "0")
    }

    @Test func withoutNodesTheEdgeSaysSo() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        let r = try await system.get("/api/spectrum?radiator_name=ideal")
        #expect(r.status == 503)
        #expect(String(decoding: r.body, as: UTF8.self).contains("no cobrems-node is registered"))
    }

    @Test func httpAPIValidatesCachesAndDrawsPlots() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        let bad = try await system.get("/api/spectrum?ebeam_energy=-1")
        #expect(bad.status == 400)
        let error = try #require(try JSONSerialization.jsonObject(with: bad.body) as? [String: String])
        #expect(error["parameter"] == "ebeam_energy" && error["error"]!.contains("[0.1, 100] GeV"))
        let radiators = try #require(try JSONSerialization.jsonObject(with: try await system.get("/api/radiators").body) as? [[String: Any]])
        #expect(radiators.count >= 6)
        let q = "/plot.png?radiator_name=SF-E02&plot_type=polar&size_px=500"
        let first = try await system.get(q)
        #expect(first.status == 200 && first.headers["content-type"] == "image/png")
        #expect(first.body.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(first.headers["x-spotfinder-cache"] == "miss")
        let again = try await system.get(q)
        #expect(again.headers["x-spotfinder-cache"] == "hit" && again.body == first.body)
        for type in ["spot", "tilt", "intense", "enhance"] {
            let r = try await system.get("/plot.png?radiator_name=SF-E02&plot_type=\(type)")
            #expect(r.status == 200 && r.body.count > 5000, "\(type)")
        }
        let csv = String(decoding: try await system.get("/plot.png?radiator_name=SF-E02&plot_type=polar&format=csv").body, as: UTF8.self)
        #expect(csv.contains("energy_GeV,polarization"))
        let image = try await system.get("/radiator.png?radiator_name=SF-E02&radiator_view=back")
        #expect(image.status == 200 && image.headers["content-type"] == "image/png")
        let page = String(decoding: try await system.get("/").body, as: UTF8.self)
        #expect(page.contains("<title>Spotfinder"))
        let metrics = String(decoding: try await system.get("/metrics", headers: ["Authorization": "Bearer \(system.token)"]).body, as: UTF8.self)
        #expect(metrics.contains("spotfinder_http_requests_total{route=\"/plot.png\",status=\"200\"}"))
        #expect(metrics.contains("spotfinder_response_cache_hits_total 1"))
        #expect(try await system.get("/metrics").status == 401, "metrics (node ids, addresses) need the deployment token")
        #expect(try await system.get("/metrics", headers: ["Authorization": "Bearer wrong"]).status == 401)
        let snap = try await system.json("/api/snap?radiator_name=SF-E02&snap_action=snap_perp&snap_edge=8")
        #expect(snap["rad_thetah"] as? Double == 50)
        #expect(try await system.get("/api/tilt?radiator_name=nope").status == 404)
    }

    @Test func importNeedsTheTokenAndAReimportIsSeenThroughTheCaches() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        let store = RPCClient(host: "127.0.0.1", port: system.storeRPC)
        func plate(tilt: Float) -> RadiatorMessage {
            var r = RadiatorMessage()
            r.name = "imported"; r.crystal = "diamond"; r.thicknessUm = 40
            let n = 100
            r.views = [RadiatorViewMessage(view: "front", grid: GridMessage(originXMm: -2.5, originYMm: -2.5, pixelMm: 0.05, columns: UInt32(n), rows: UInt32(n)),
                                           thetahUrad: Array(repeating: tilt, count: n * n), thetavUrad: Array(repeating: 0, count: n * n),
                                           mask: Data(repeating: 1, count: n * n))]
            return r
        }
        do {
            let _: ImportRadiatorResponse = try await store.call("/spotfinder.v1.TopographStore/ImportRadiator", ImportRadiatorRequest(radiator: plate(tilt: 10), token: "wrong"))
            Issue.record("import without the token must be refused")
        } catch {
            #expect(error.code == .unauthenticated)
        }
        let _: ImportRadiatorResponse = try await store.call("/spotfinder.v1.TopographStore/ImportRadiator", ImportRadiatorRequest(radiator: plate(tilt: 10), token: system.token))
        let before = try await system.json("/api/tilt?radiator_name=imported&ebeam_xsigma=0.3&ebeam_ysigma=0.3")
        #expect(abs((before["mean_thetah_mr"] as? Double ?? 0) - 0.010) < 1e-6)
        let _: ImportRadiatorResponse = try await store.call("/spotfinder.v1.TopographStore/ImportRadiator", ImportRadiatorRequest(radiator: plate(tilt: 70), token: system.token))
        var mean = 0.0
        for _ in 0..<50 where abs(mean - 0.070) > 1e-6 {
            try await Task.sleep(nanoseconds: 100_000_000)
            mean = try await system.json("/api/tilt?radiator_name=imported&ebeam_xsigma=0.3&ebeam_ysigma=0.3")["mean_thetah_mr"] as? Double ?? 0
        }
        #expect(abs(mean - 0.070) < 1e-6, "the re-imported radiator is seen by the tilt-service and past the edge's cache")
        let back = try await system.get("/api/tilt?radiator_name=imported&radiator_view=back&ebeam_xsigma=0.3&ebeam_ysigma=0.3")
        #expect(back.status == 200, "a single imported view gets its mirror as the back")
    }
}

/// A misbehaving node (wrong-size answers) is refused, not summed, and the edge keeps serving.
@Suite(.serialized, .timeLimit(.minutes(2))) struct MisbehavingNodeTests {
    @Test func malformedPartialSumsAreRejectedAndZeroWeightsAreHarmless() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        var routes = RPCRoutes()
        routes.unary("/spotfinder.v1.CobremsNode/ComputePartialSum") { (_: PartialSumRequestMessage, _) in
            PartialSumResponseMessage(coherent: [1, 2, 3], polarized: [1, 2, 3], totalWeight: 1)
        }
        let fake = try RPCServer(routes: routes, config: RPCServerConfig())
        defer { Task { await fake.shutdown() } }
        let edge = RPCClient(host: "127.0.0.1", port: system.edgeRPC)
        let _: RegisterNodeResponse = try await edge.call("/spotfinder.v1.Edge/RegisterNode",
                                                          RegisterNodeRequest(nodeId: "fake", address: "127.0.0.1:\(fake.port)", capacity: 1, token: system.token))
        do {
            let _: SpectrumResponseMessage = try await edge.call("/spotfinder.v1.Edge/ComputeSpectrum", SpectrumRequestMessage())
            Issue.record("a malformed partial sum must not be summed")
        } catch {
            #expect(error.code == .internalError && error.message.contains("malformed partial sum"), "\(error)")
        }
        #expect(try await system.get("/healthz").status == 200, "the edge is still serving")
        // With a real node too: leading zero weights (a slice of only zeros) do not fail the request.
        let _: DeregisterNodeResponse = try await edge.call("/spotfinder.v1.Edge/DeregisterNode", DeregisterNodeRequest(nodeId: "fake", token: system.token))
        try await system.addNode()
        let samples = Array(repeating: TiltSampleMessage(weight: 0), count: 200) + [TiltSampleMessage(thetahOffsetMr: 0.01, weight: 1)]
        let r: SpectrumResponseMessage = try await edge.call("/spotfinder.v1.Edge/ComputeSpectrum",
                                                             SpectrumRequestMessage(orientation: Orientation(radThetah: 1.2296, radThetav: 50), samples: samples))
        #expect(r.orientationsAveraged == 201 && r.coherent.max()! > 0)
    }
}
