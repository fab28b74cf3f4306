import API
import CobremsNodeCore
import Compute
import Foundation
import Physics
import RPC
import Testing
import Topography
import Wire
import WireMapping

@Suite(.timeLimit(.minutes(2))) struct CobremsNodeTests {
    @Test func computeSpectrumOverRPCEqualsInProcess() async throws {
        let server = try RPCServer(routes: CobremsNodeService().routes, config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        var beamline = BeamlineParameters()
        beamline.ebeamEnergy = 11.6
        let samples = [TiltSampleMessage(thetahOffsetMr: 0, thetavOffsetMr: 0, weight: 1),
                       TiltSampleMessage(thetahOffsetMr: 0.02, thetavOffsetMr: -0.01, weight: 2)]
        let m = SpectrumRequestMessage(beamline: beamline, orientation: Orientation(radThetah: 1.2296, radThetav: 50), samples: samples)
        let remote: SpectrumResponseMessage = try await client.call(CobremsNodeService.computeSpectrum, m)
        let request = try SpotfinderRequest(query: "rad_thetah=1.2296&rad_thetav=50")
        let local = SpectrumComputation().spectrum(for: request, samples: samples.map(TiltSample.init))
        #expect(remote.energyGev == local.energyGeV)
        #expect(remote.coherent == local.coherent, "bit for bit: same code, same inputs")
        #expect(remote.polarization == local.polarization)
        #expect(remote.orientationsAveraged == 2)
    }

    @Test func badParametersAreInvalidArgumentNamingTheParameter() async throws {
        let server = try RPCServer(routes: CobremsNodeService().routes, config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        var beamline = BeamlineParameters()
        beamline.pbeamEnergyMax = 20
        do {
            let _: SpectrumResponseMessage = try await client.call(CobremsNodeService.computeSpectrum, SpectrumRequestMessage(beamline: beamline))
            Issue.record("expected INVALID_ARGUMENT")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("pbeam_energy_max"))
        }
        beamline = BeamlineParameters()
        beamline.ebeamEnergy = .nan
        do {
            let _: SpectrumResponseMessage = try await client.call(CobremsNodeService.computeSpectrum, SpectrumRequestMessage(beamline: beamline))
            Issue.record("expected INVALID_ARGUMENT")
        } catch {
            #expect(error.code == .invalidArgument && error.message.contains("ebeam_energy"))
        }
        let bad = SpectrumRequestMessage(samples: [TiltSampleMessage(weight: -1)])
        do {
            let _: SpectrumResponseMessage = try await client.call(CobremsNodeService.computeSpectrum, bad)
            Issue.record("expected INVALID_ARGUMENT")
        } catch {
            #expect(error.code == .invalidArgument && error.message.contains("weight"))
        }
    }

    @Test func partialSumsFromSlicesAddUpToTheWhole() throws {
        let node = CobremsNodeService()
        let samples = (0..<40).map { TiltSampleMessage(thetahOffsetMr: Double($0 % 7) * 0.01, thetavOffsetMr: Double($0 / 7) * 0.01, weight: 1) }
        let o = Orientation(radThetah: 1.2296, radThetav: 50)
        let whole = try node.partialSum(PartialSumRequestMessage(orientation: o, samples: samples))
        let a = try node.partialSum(PartialSumRequestMessage(orientation: o, samples: Array(samples[..<13])))
        let b = try node.partialSum(PartialSumRequestMessage(orientation: o, samples: Array(samples[13...])))
        #expect(a.totalWeight + b.totalWeight == whole.totalWeight)
        for i in whole.coherent.indices {
            #expect(abs(a.coherent[i] + b.coherent[i] - whole.coherent[i]) <= 1e-12 * whole.coherent.max()!)
        }
    }

    /// A Python lab tool with Google's protobuf package calls the Swift server.
    @Test func pythonLabToolCallsTheComputeRPC() async throws {
        let server = try RPCServer(routes: CobremsNodeService().routes, config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let script = repositoryRoot.appendingPathComponent("examples/python/compute_spectrum.py").path
        let r = try await run("/usr/bin/python3", [script, "127.0.0.1:\(server.port)", "--json"])
        #expect(r.status == 0, "python failed: \(r.stderr)")
        try expectExampleAnswerEqualsLocalSpectrum(r.stdout)
    }
}

/// The `--json` answer of examples/python/compute_spectrum.py (its default orientation) equals the
/// spectrum computed in this process, bin for bin.
func expectExampleAnswerEqualsLocalSpectrum(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    struct Answer: Decodable { let energy_GeV: [Double]; let coherent: [Double]; let polarization: [Double] }
    let answer = try JSONDecoder().decode(Answer.self, from: Data(json.utf8))
    let local = SpectrumComputation().spectrum(for: try SpotfinderRequest(query: "rad_thetah=1.2296&rad_thetav=50"), samples: nil)
    #expect(answer.energy_GeV == local.energyGeV, sourceLocation: sourceLocation)
    #expect(answer.coherent == local.coherent, sourceLocation: sourceLocation)
    #expect(answer.polarization == local.polarization, sourceLocation: sourceLocation)
}

/// A map chunk nobody waits for any more is given up, not computed to the end.
@Suite struct MapChunkDeadlineTests {
    @Test func aChunkPastItsDeadlineIsGivenUp() throws {
        let radiator = try #require(SyntheticRadiators.all.first { $0.name == "SF-G03" })
        let view = try #require(radiator.view(.front))
        // 1600 placements with a spectrum each: many seconds of work on one thread.
        let query = "radiator_name=SF-G03&fom=peak_polarization&map_resnap=on&min_on_crystal=0"
        let placements = (0..<1600).map { UInt32($0) }
        let message = MapChunkRequestMessage(query: query, view: RadiatorViewMessage(view), placements: placements)
        #expect {
            let deadline = Deadline.after(seconds: 0.2)
            return try CobremsNodeService().mapChunk(message, shouldStop: { deadline.hasPassed })
        } throws: { ($0 as? RPCError)?.code == .cancelled }
    }
}

/// Issue #22: a map chunk whose caller gives up stops on the node within a second (the Cancel frame
/// reaches the batch thread's loop), and a spectrum is answered meanwhile on the interactive threads.
@Suite struct AbandonedChunkTests {
    @Test func cancelledChunkFreesTheBatchThreadAndSpectraGoOn() async throws {
        let service = CobremsNodeService(threads: CobremsNodeService.threads(capacity: 1))
        let server = try RPCServer(routes: service.routes, config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        let radiator = try #require(SyntheticRadiators.all.first { $0.name == "SF-G03" })
        let view = try #require(radiator.view(.front))
        // 1600 re-snapped placements with a spectrum each: many seconds on one thread.
        let message = MapChunkRequestMessage(query: "radiator_name=SF-G03&fom=peak_polarization&map_resnap=on&min_on_crystal=0",
                                             view: RadiatorViewMessage(view), placements: (0..<1600).map { UInt32($0) })
        let chunk = Task {
            let _: MapChunkResponseMessage = try await client.call(CobremsNodeService.computeMapChunk, message, deadline: .after(seconds: 60))
        }
        while service.threads.running(.batch) == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
        // The one batch thread is busy: a spectrum still comes back (its own thread).
        let spectrum: SpectrumResponseMessage = try await client.call(CobremsNodeService.computeSpectrum, SpectrumRequestMessage(),
                                                                       deadline: .after(seconds: 30))
        #expect(!spectrum.energyGev.isEmpty)
        #expect(service.threads.running(.batch) == 1, "the chunk was still running while the spectrum was answered")
        chunk.cancel()
        let cancelled = Deadline.now
        while service.threads.running(.batch) > 0 && Double(Deadline.now - cancelled) / 1e9 < 10 {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(service.threads.running(.batch) == 0)
        // The target is a second (README "Stress" measures it on a live system); a shared, loaded machine gets
        // 3 s here, still far below the 10+ s the work runs when nothing stops it.
        #expect(Double(Deadline.now - cancelled) / 1e9 < 3, "the node stopped the chunk within seconds of the cancellation, not at its end")
    }
}
