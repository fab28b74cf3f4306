import Foundation
import RCIRemote
import RockingCurve
import RPC
import Testing
import Wire
import WireMapping

/// Rocking-curve tiles through the real processes: the edge sends each tile to one of two nodes; the
/// maps equal the in-process reduction bit for bit, for every method; a node killed mid-reduction
/// fails no tile; bad requests are refused naming the field.
@Suite(.serialized, .timeLimit(.minutes(4))) struct TileReductionSystemTests {
    @Test func tilesThroughTheEdgeEqualTheInProcessReductionAndAKilledNodeFailsNone() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        let a = try await system.addNode(capacity: 2)
        try await system.addNode(capacity: 2)
        for _ in 0..<100 where (try await system.json("/healthz"))["nodes"] as? String != "2" { try await Task.sleep(nanoseconds: 50_000_000) }
        let remote = try RemoteTileReducer(address: "127.0.0.1:\(system.edgeRPC)", token: system.token, parallelism: 4, tileSeconds: 60)

        // Every method; the fits also with pass 2 of the motor correction (sums added on the node).
        for (method, motor) in [(PeakMethod.moments, false), (.gauss, true), (.pvoigt, true)] {
            let jobs = try SyntheticTiles.jobs(count: 4, pixels: 150, options: ReductionOptions(method: method), motorResiduals: motor)
            let answers = try await remote.reduceAll(jobs)
            for (job, answer) in zip(jobs, answers) {
                let local = try InProcessTileReducer.run(job)
                #expect(bitForBit(answer.maps, local.maps), "\(method): the edge's maps equal the in-process ones bit for bit")
                #expect(answer.motorSums == local.motorSums, "\(method): motor sums equal")
                #expect(local.maps.validityCounts[.valid, default: 0] > 100, "most pixels are measured")
                #expect(Set(local.maps.validity).isSuperset(of: [.dead, .saturated, .tooWeak]), "rejections travel too")
            }
        }
        // Both nodes answered tiles (a starved node is hedged around, so look again after more tiles).
        let more = try SyntheticTiles.jobs(count: 8, pixels: 100, options: ReductionOptions())
        let perNode = try await system.chunksPerNode(nodes: 2, attempts: 4) { _ in _ = try await remote.reduceAll(more) }
        #expect(perNode.count == 2 && perNode.allSatisfy { !$0.hasSuffix(" 0") }, "both nodes reduced tiles: \(perNode)")

        // SIGKILL one node while tiles are in flight: every tile still comes back, equal to the local answer.
        func counter(_ name: String) async throws -> Int {
            let text = String(decoding: try await system.get("/metrics", headers: ["Authorization": "Bearer \(system.token)"]).body, as: UTF8.self)
            return text.split(separator: "\n").first { $0.hasPrefix("spotfinder_\(name) ") }.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        }
        let resentBefore = try await counter("chunk_retries_total") + counter("chunk_hedges_total")
        // Tiles long enough (1600 pixels of pseudo-Voigt fits) that the node still holds some when it is killed.
        let slow = try SyntheticTiles.jobs(count: 16, pixels: 1600, options: ReductionOptions(method: .pvoigt))
        let started = Deadline.now
        async let all = remote.reduceAll(slow)
        // Killed once three tiles are in flight: dealt to the least loaded of two nodes (ties take turns), so
        // node a holds at least one. A fixed pause raced the dealing once abandoned copies stopped holding
        // the nodes' threads (cancellation reaches them).
        func inFlight() async throws -> Double {
            let text = String(decoding: try await system.get("/metrics", headers: ["Authorization": "Bearer \(system.token)"]).body, as: UTF8.self)
            return text.split(separator: "\n").first { $0.hasPrefix("spotfinder_chunks_in_flight ") }.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
        }
        for _ in 0..<500 where try await inFlight() < 3 { try await Task.sleep(nanoseconds: 10_000_000) }
        a.kill()
        let survived = try await all
        #expect(survived.count == slow.count)
        // The kill came while the node held tiles: they were sent again elsewhere (re-sent after the failure,
        // or already hedged when the machine is slow enough that the copy was running first).
        #expect(try await counter("chunk_retries_total") + counter("chunk_hedges_total") > resentBefore, "tiles were re-sent after the kill (\(Double(Deadline.now - started) / 1e9) s)")
        for (job, answer) in zip(slow, survived) { #expect(bitForBit(answer.maps, try InProcessTileReducer.run(job).maps)) }
    }

    @Test func anEdgeWithoutNodesReducesTilesItselfWhenAllowed() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        let remote = try RemoteTileReducer(address: "127.0.0.1:\(system.edgeRPC)", token: nil, parallelism: 2, tileSeconds: 60)
        let jobs = try SyntheticTiles.jobs(count: 2, pixels: 64, options: ReductionOptions(method: .gauss), motorResiduals: true)
        for (job, answer) in zip(jobs, try await remote.reduceAll(jobs)) {
            let local = try InProcessTileReducer.run(job)
            #expect(bitForBit(answer.maps, local.maps) && answer.motorSums == local.motorSums)
        }
    }

    @Test func requestsCarryTheJobExactly() throws {
        // 16-bit counts as uint16, others as float32; the monitor's scales, the options and the dark come back unchanged.
        let frames = try SyntheticTiles.frames()
        var options = ReductionOptions(method: .pvoigt, hotBackgroundCounts: 4000, minimumSignalToNoise: 3, endFrames: 7)
        options.maximumIterations = 12
        let integral = try SyntheticTiles.tile(3, pixels: 9, frames: frames)
        var fractional = integral
        fractional.counts[5] += 0.25
        for tile in [integral, fractional] {
            let job = try TileReductionJob(tile: tile, frames: frames, options: options, motorResiduals: true)
            let message = ReduceTileRequestMessage(job)
            #expect(message.countsU16.isEmpty == (tile == fractional))
            let back = try ReduceTileRequestMessage(serializedBytes: try message.serializedBytes()).job()
            #expect(back == job)
            #expect(back.frames.monitorScale.map(\.bitPattern) == frames.monitorScale.map(\.bitPattern))
            let outcome = try InProcessTileReducer.run(job)
            let answer = try ReduceTileResponseMessage(serializedBytes: try ReduceTileResponseMessage(outcome).serializedBytes())
            let decoded = try answer.outcome(for: job)
            #expect(bitForBit(decoded.maps, outcome.maps) && decoded.motorSums == outcome.motorSums)
            // An answer for another tile size is refused, not mistaken for this one.
            var wrong = answer
            wrong.maps?.hmu.removeLast()
            #expect(throws: RPCError.self) { try wrong.outcome(for: job) }
        }
    }

    @Test func badTileRequestsAreRefusedNamingTheField() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        let frames = try SyntheticTiles.frames()
        let good = ReduceTileRequestMessage(try TileReductionJob(tile: try SyntheticTiles.tile(0, pixels: 4, frames: frames), frames: frames,
                                                                 options: ReductionOptions()))
        // No node yet (and no --compute-in-process): UNAVAILABLE, saying how to start one.
        do {
            let _: ReduceTileResponseMessage = try await RPCClient(host: "127.0.0.1", port: system.edgeRPC).call(RemoteTileReducer.method, good,
                                                                                                                deadline: .after(seconds: 10))
            Issue.record("answered without nodes")
        } catch {
            #expect(error.code == .unavailable && error.message.contains("cobrems-node"), "\(error.message)")
        }
        let node = try await system.addNode(capacity: 1)
        let nodePort = try await node.port(after: "listening on ")
        #expect(!good.countsU16.isEmpty && good.counts.isEmpty, "16-bit counts travel as uint16")
        var cases: [(String, ReduceTileRequestMessage)] = []
        var m = good; m.pixelCount = 70_000; cases.append(("pixel_count", m))
        m = good; m.pixelCount = 20_000; m.frameCount = 200; cases.append(("counts", m))
        m = good; m.countsU16.removeLast(); cases.append(("counts_u16", m))
        m = good; m.counts = [Float](repeating: 1, count: 4 * 60); cases.append(("counts", m))
        m = good; m.countsU16 = Data(); m.counts = [Float](repeating: 1, count: 4 * 60); m.counts[17] = .nan; cases.append(("counts", m))
        m = good; m.dark[2] = .infinity; cases.append(("dark", m))
        m = good; m.anglesUrad.swapAt(3, 4); cases.append(("angles_urad", m))
        m = good; m.anglesUrad.removeLast(); cases.append(("angles_urad", m))
        m = good; m.monitorScale[0] = 2; cases.append(("monitor_scale", m))
        m = good; m.options?.method = "lorentz"; cases.append(("options.method", m))
        m = good; m.options?.windowSigmas = .nan; cases.append(("options.window_sigmas", m))
        m = good; m.motorResiduals = true; cases.append(("motor_residuals", m))
        for port in [system.edgeRPC, nodePort] {
            let client = RPCClient(host: "127.0.0.1", port: port)
            for (field, request) in cases {
                do {
                    let _: ReduceTileResponseMessage = try await client.call(RemoteTileReducer.method, request, deadline: .after(seconds: 20))
                    Issue.record("\(field): accepted")
                } catch {
                    #expect(error.code == .invalidArgument && error.message.hasPrefix(field), "\(field) at \(port): \(error.code) \(error.message)")
                }
            }
            // The good request is answered (the refusals cost the caller nothing else).
            let ok: ReduceTileResponseMessage = try await client.call(RemoteTileReducer.method, good, deadline: .after(seconds: 20))
            #expect(ok.maps?.hmu.count == 4)
        }
        // The client refuses an oversized tile before sending it, naming the field and the limit.
        let big = try CurveTile(pixelCount: 60_000, frameCount: 60, counts: [Float](repeating: 1, count: 3_600_000))
        #expect(throws: RPCError.self) { try TileReductionJob(tile: big, frames: frames, options: ReductionOptions()) }
        #expect(TileLimits.maxPixels(frameCount: 200) == 17_500)
    }
}
