import Foundation
import Testing
import TIFFImage

/// `spotfinder rci reduce --edge` as a user runs it: a simulated scan reduced through the edge over
/// two real nodes writes the same maps, byte for byte, as the reduction in process.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RCIReduceClusterTests {
    @Test func reduceThroughTheEdgeWritesTheSameMapsAsInProcess() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sf-rci-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cli = executable("spotfinder")
        let simulated = try await run(cli, ["rci", "simulate", "\(folder)/scan", "--size", "24x16", "--frames", "40"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let system = try await LocalSystem.start()
        defer { system.stop() }
        try await system.addNode(capacity: 1)
        try await system.addNode(capacity: 1)
        // gauss with the motor corrected: both of the CLI's tile passes (the motor sample, the bands) go to the nodes.
        let common = ["rci", "reduce", "\(folder)/scan", "--method", "gauss", "--motor", "free"]
        let local = try await run(cli, common + ["--out", "\(folder)/local"])
        #expect(local.status == 0, "\(local.stderr)")
        let remote = try await run(cli, common + ["--out", "\(folder)/edge", "--edge", "127.0.0.1:\(system.edgeRPC)"], environment: ["SPOTFINDER_TOKEN": system.token])
        #expect(remote.status == 0, "\(remote.stderr)")
        let maps = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/local").filter { $0.hasSuffix(".tif") }.sorted()
        #expect(maps.contains("hmu_moco.tif") && maps.contains("mask.tif"))
        for name in maps {
            let a = FileManager.default.contents(atPath: "\(folder)/local/\(name)"), b = FileManager.default.contents(atPath: "\(folder)/edge/\(name)")
            #expect(a != nil && a == b, "\(name) through the edge equals the local one")
        }
        let tiles = String(decoding: try await system.get("/metrics", headers: ["Authorization": "Bearer \(system.token)"]).body, as: UTF8.self)
            .split(separator: "\n").first { $0.hasPrefix("spotfinder_tiles_total ") }
        #expect((tiles?.split(separator: " ").last).flatMap { Int($0) } ?? 0 > 0, "the tiles went through the edge: \(tiles ?? "none")")

        // Published to the store through the edge, the scan is served over HTTP: its TIFF equals the reduction's map.
        let published = try await run(cli, ["rci", "publish", "\(folder)/edge", "--edge", "127.0.0.1:\(system.edgeRPC)", "--name", "sim-thetah"],
                                      environment: ["SPOTFINDER_TOKEN": system.token])
        #expect(published.status == 0 && published.stdout.contains("stored sim-thetah"), "\(published.stderr)")
        let listed = try #require(try JSONSerialization.jsonObject(with: try await system.get("/api/scans").body) as? [[String: Any]])
        #expect(listed.first?["name"] as? String == "sim-thetah" && listed.first?["motor_corrected"] as? Bool == true && listed.first?["method"] as? String == "gauss")
        let served = try await system.get("/api/scan?scan_name=sim-thetah&map=hmu_moco&format=tiff")
        let servedPath = "\(folder)/served.tif"
        try served.body.write(to: URL(fileURLWithPath: servedPath))
        let expected = try TIFFReader(path: "\(folder)/local/hmu_moco.tif").readFloat(page: 0)
        #expect(try TIFFReader(path: servedPath).readFloat(page: 0).map(\.bitPattern) == expected.map(\.bitPattern), "libtiff reads the served map, equal bit for bit")
        let anonymous = try await run(cli, ["rci", "publish", "\(folder)/edge", "--edge", "127.0.0.1:\(system.edgeRPC)"], environment: ["SPOTFINDER_TOKEN": ""])
        #expect(anonymous.status != 0 && anonymous.stderr.contains("SPOTFINDER_TOKEN"), "\(anonymous.stderr)")

        // A wrong address is a sentence naming the flag, exit status non-zero.
        let bad = try await run(cli, common + ["--out", "\(folder)/bad", "--edge", "nowhere"])
        #expect(bad.status != 0 && bad.stderr.contains("--edge nowhere"), "\(bad.stderr)")
    }
}
