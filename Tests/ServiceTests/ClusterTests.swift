import API
import Foundation
import RPC
import Synchronization
import Testing
import Wire

/// The edge's compute fan-out under load and faults, as real processes on loopback.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ClusterTests {
    /// A spectrum request with its own orientation (nothing cached anywhere) over a few hundred samples,
    /// so each one is split into chunks over the nodes.
    static func coldRequest(_ i: Int) -> SpectrumRequestMessage {
        let samples = (0..<300).map { (k: Int) -> TiltSampleMessage in
            let h: Double = Double(k % 20) * 0.003 - 0.03
            let v: Double = Double(k / 20) * 0.003 - 0.02
            return TiltSampleMessage(thetahOffsetMr: h, thetavOffsetMr: v, weight: 1 + Double(k % 3))
        }
        return SpectrumRequestMessage(orientation: Orientation(radThetah: 1.2 + Double(i % 997) * 1e-4, radThetav: 50), samples: samples)
    }

    /// Item 7: no spurious UNAVAILABLE among many cold requests with healthy nodes.
    @Test func manyColdRequestsAllAnswer() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        try await system.addNode(capacity: 2)
        try await system.addNode(capacity: 2)
        let edge = RPCClient(host: "127.0.0.1", port: system.edgeRPC)
        let failures = Failures()
        let total = 1500, clients = 16
        await withTaskGroup(of: Void.self) { group in
            for c in 0..<clients {
                group.addTask {
                    for i in stride(from: c, to: total, by: clients) {
                        do {
                            let r: SpectrumResponseMessage = try await edge.call(EdgeMethods.computeSpectrum, Self.coldRequest(i),
                                                                                 deadline: .after(seconds: 30))
                            if r.orientationsAveraged != 300 { failures.add("request \(i): \(r.orientationsAveraged) orientations") }
                        } catch {
                            failures.add("request \(i): \(error)")
                        }
                    }
                }
            }
        }
        let failed = failures.all
        #expect(failed.isEmpty, "\(failed.count) of \(total) failed: \(failed.prefix(5))")
    }
}

enum EdgeMethods {
    static let computeSpectrum = "/spotfinder.v1.Edge/ComputeSpectrum"
    static let nodeComputeSpectrum = "/spotfinder.v1.CobremsNode/ComputeSpectrum"
    static let nodeComputePartialSum = "/spotfinder.v1.CobremsNode/ComputePartialSum"
    static let registerNode = "/spotfinder.v1.Edge/RegisterNode"
    static let deregisterNode = "/spotfinder.v1.Edge/DeregisterNode"
}

/// Failures seen by concurrent clients.
final class Failures: Sendable {
    private let list = Mutex<[String]>([])
    func add(_ s: String) { list.withLock { $0.append(s) } }
    var all: [String] { list.withLock { $0 } }
}
