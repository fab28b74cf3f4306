import Foundation
import RCIRemote
import RockingCurve
import RPC
import Wire
import WireMapping

/// Issue 17's cluster figures: a 512 × 512 × 200 scan (16-bit counts, Gaussian peaks) reduced as
/// 64 tiles of 4096 pixels, in this process and through the edge with one and two nodes.
enum RCIClusterBench {
    static func jobs(method: PeakMethod) throws -> [TileReductionJob] {
        let frameCount = 200, pixels = 4096
        let frames = try ScanFrames(anglesMicroradians: (0..<frameCount).map { -199 + 2 * Double($0) })
        return try (0..<64).map { t in
            var counts = [Float](repeating: 0, count: pixels * frameCount)
            var state = UInt64(t + 1) &* 0x9E37_79B9_7F4A_7C15
            for p in 0..<pixels {
                let centre = Double((t * pixels + p) % 97) - 48, sigma = 9 + Double(p % 5)
                for k in 0..<frameCount {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let a = frames.anglesMicroradians[k]
                    let y = 120 + 3000 * exp(-(a - centre) * (a - centre) / (2 * sigma * sigma))
                    counts[p * frameCount + k] = Float((y + (Double(state >> 11) / Double(1 << 53) - 0.5) * 2 * y.squareRoot()).rounded())
                }
            }
            return try TileReductionJob(tile: try CurveTile(pixelCount: pixels, frameCount: frameCount, counts: counts), frames: frames,
                                        options: ReductionOptions(method: method))
        }
    }

    static func measure(_ reducer: some TileReducer, _ jobs: [TileReductionJob], repetitions: Int) async throws -> Timing {
        _ = try await reducer.reduceAll(Array(jobs.prefix(4)))  // warm up: connections, caches
        var samples: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try await reducer.reduceAll(jobs)
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        return Timing(samples: samples.sorted())
    }

    static func run() async throws -> [[String]] {
        var table = BenchTable("area", "measurement", "median", "p90", "notes")
        let moments = try jobs(method: .moments)
        let local = try await measure(InProcessTileReducer(), moments, repetitions: 3)
        func note(_ t: Timing, _ n: Int) -> String { String(format: "%.1f tiles/s, %.2f Mpixel/s", Double(n) / t.median, Double(n * 4096) / t.median / 1e6) }
        table.add("rci", "512×512×200 moments, 64 tiles of 4096 px, in process (\(ProcessInfo.processInfo.activeProcessorCount) threads)",
                  ms(local.median), ms(local.p90), note(local, 64))
        // What a tile costs on the wire besides the network: the request and the answer encoded and decoded once.
        let job = moments[0], outcome = try InProcessTileReducer.run(job)
        let request = Timing.measure(repetitions: 9) {
            let bytes = try! ReduceTileRequestMessage(job).serializedBytes()
            _ = try! ReduceTileRequestMessage(serializedBytes: bytes).job()
        }
        table.add("rci", "ReduceTile request, 4096 px × 200 uint16 (1.6 MB): encode + decode + checks", ms(request.median), ms(request.p90), "")
        let answer = Timing.measure(repetitions: 9) {
            let bytes = try! ReduceTileResponseMessage(outcome).serializedBytes()
            _ = try! ReduceTileResponseMessage(serializedBytes: bytes).outcome(for: job)
        }
        table.add("rci", "ReduceTile answer, 12 maps × 4096 px: encode + decode + checks", ms(answer.median), ms(answer.p90), "")
        let system = try HTTPBench.System(name: "rci")
        defer { system.stop() }
        let remote = try RemoteTileReducer(address: "127.0.0.1:\(system.rpc)", token: system.token, parallelism: 8)
        let gauss = Array(try jobs(method: .gauss).prefix(8))
        for count in [1, 2] {
            try system.addNode()
            let t = try await measure(remote, moments, repetitions: 3)
            table.add("rci", "the same through the edge, \(count) node\(count > 1 ? "s" : "") (8 tiles in flight, 1.6 MB each)", ms(t.median), ms(t.p90), note(t, 64))
            let g = try await measure(remote, gauss, repetitions: 1)
            table.add("rci", "gauss, 8 of those tiles through the edge, \(count) node\(count > 1 ? "s" : "")", ms(g.median), ms(g.p90), note(g, 8))
        }
        let g = try await measure(InProcessTileReducer(), gauss, repetitions: 1)
        table.add("rci", "gauss, the 8 tiles in process", ms(g.median), ms(g.p90), note(g, 8))
        return table.rows
    }
}
