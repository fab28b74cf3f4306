import API
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RadiatorStore
import RPC
import Testing
import Topography
import Wire
import WireMapping

/// A radiator's own crystal (here silicon) sets the snap and the map's spectra, as it sets /api/spectrum's:
/// through the CLI, HTTP and the edge's RPC.
@Suite(.serialized, .timeLimit(.minutes(5))) struct RadiatorCrystalTests {
    /// A flat silicon plate, 8 × 8 mm, every pixel tilted by (10, −5) µrad.
    static let flatSilicon: Data = {
        let n = 41
        let object: [String: Any] = [
            "name": "si-flat", "crystal": "silicon", "thickness_um": 100,
            "views": [["view": "front", "grid": ["origin_x_mm": -4, "origin_y_mm": -4, "pixel_mm": 0.2, "columns": n, "rows": n],
                       "thetah_urad": [Double](repeating: 10, count: n * n), "thetav_urad": [Double](repeating: -5, count: n * n),
                       "mask": [Int](repeating: 1, count: n * n)]],
        ]
        return try! JSONSerialization.data(withJSONObject: object)
    }()

    static func number(_ json: [String: Any], _ key: String) throws -> Double { try #require(json[key] as? Double, "\(key) in \(json)") }

    @Test func theCommandLineSnapsWithTheRadiatorsCrystal() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sf-si-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("si-flat-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Self.flatSilicon.write(to: file)
        let imported = try await run(executable("spotfinder"), ["import", file.path, "--data", data])
        #expect(imported.status == 0, "\(imported.stderr)")
        func snap(_ query: String) async throws -> [String: Any] {
            let r = try await run(executable("spotfinder"), ["snap", query + "&snap_action=snap_para&snap_edge=6", "--data", data])
            return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        }
        let plate = try await snap("radiator_name=si-flat&ebeam_xsigma=0.3&ebeam_ysigma=0.3")
        let ideal = try await snap("radiator_name=ideal&rad_crystal=silicon")
        #expect(abs(try Self.number(plate, "mean_tilt_h") - 0.010) < 1e-9)
        #expect(abs(try Self.number(plate, "rad_thetah") - (try Self.number(ideal, "rad_thetah") - 0.010)) < 1e-9)
    }

    @Test func theEdgeSnapsAndMapsWithTheRadiatorsCrystal() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        var post = URLRequest(url: URL(string: "http://127.0.0.1:\(system.http)/api/import?filename=si-flat.json")!)
        post.httpMethod = "POST"
        post.httpBody = Self.flatSilicon
        post.setValue(system.token, forHTTPHeaderField: "X-Spotfinder-Token")
        let (body, response) = try await URLSession.shared.data(for: post)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: body, as: UTF8.self))")

        let spot = "radiator_name=si-flat&ebeam_xsigma=0.3&ebeam_ysigma=0.3&snap_edge=6&snap_action=snap_para"
        let plate = try await system.json("/api/snap?" + spot)
        let ideal = try await system.json("/api/snap?radiator_name=ideal&rad_crystal=silicon&snap_edge=6&snap_action=snap_para")
        let thetaH = try Self.number(plate, "rad_thetah"), thetaV = try Self.number(plate, "rad_thetav")
        #expect(abs(thetaH - (try Self.number(ideal, "rad_thetah") - 0.010)) < 1e-9, "silicon's angle less the plate's mean tilt")

        // Edge/ComputeSnap answers the same.
        let edge = RPCClient(host: "127.0.0.1", port: system.edgeRPC)
        let viaRPC: SnapResponseMessage = try await edge.call("/spotfinder.v1.Edge/ComputeSnap", SnapRequestMessage(query: spot),
                                                              deadline: .after(seconds: 30))
        #expect(abs(viaRPC.radThetah - thetaH) <= 1e-12 && abs(viaRPC.radThetav - thetaV) <= 1e-12 && viaRPC.radiatorName == "si-flat")  // JSON may be off in the last bit
        #expect(abs(viaRPC.meanTiltH - 0.010) < 1e-9 && abs(viaRPC.meanTiltV + 0.005) < 1e-9)

        // The map re-snaps and computes each placement with silicon, as /api/spectrum does there.
        let map = try await system.json("/api/map?" + spot + "&fom=peak_polarization&map_resnap=on&map_xmin=0&map_xmax=0&map_ymin=0&map_ymax=0")
        let value = try #require((map["values"] as? [Any])?.first as? Double, "\(map)")
        let spectrum = try await system.json("/api/spectrum?" + spot + "&rad_thetah=\(thetaH)&rad_thetav=\(thetaV)")
        let peak = try #require((spectrum["summary"] as? [String: Any])?["peak_polarization"] as? Double)
        #expect(abs(value - peak) <= 0.002, "map \(value), single placement \(peak)")
    }
}

/// A radiator re-imported through the edge's RPC (the Python client's import_radiator) is what the very
/// next HTTP request sees: never the edge's cached answer for its previous data.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ImportThroughTheEdgeTests {
    static func plate(tiltMicroradians: Double) throws -> Radiator {
        let n = 21
        let object: [String: Any] = [
            "name": "re-imported", "thickness_um": 50,
            "views": [["view": "front", "grid": ["origin_x_mm": -2, "origin_y_mm": -2, "pixel_mm": 0.2, "columns": n, "rows": n],
                       "thetah_urad": [Double](repeating: tiltMicroradians, count: n * n), "thetav_urad": [Double](repeating: 0, count: n * n),
                       "mask": [Int](repeating: 1, count: n * n)]],
        ]
        return try RadiatorImport.fromJSON(try JSONSerialization.data(withJSONObject: object))
    }

    @Test func aReimportThroughTheEdgesRPCIsSeenByTheNextRequest() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        let edge = RPCClient(host: "127.0.0.1", port: system.edgeRPC, config: RPCClientConfig(token: system.token))
        let query = "/api/tilt?radiator_name=re-imported&ebeam_xsigma=0.3&ebeam_ysigma=0.3"
        for tilt in [10.0, 30.0] {
            let _: ImportRadiatorResponse = try await edge.call("/spotfinder.v1.TopographStore/ImportRadiator",
                                                                ImportRadiatorRequest(radiator: RadiatorMessage(try Self.plate(tiltMicroradians: tilt)),
                                                                                      token: system.token),
                                                                deadline: .after(seconds: 30), idempotent: false)
            _ = try await system.json(query)  // within the services' revalidation window: may still be the old data
            try await Task.sleep(nanoseconds: 3_000_000_000)  // past it (1 s): the new data, and never an old answer cached as new
            let mean = try #require(try await system.json(query)["mean_thetah_mr"] as? Double)
            #expect(abs(mean - tilt * 1e-3) < 1e-9, "after importing \(tilt) µrad: \(mean) mrad")
        }
    }
}
