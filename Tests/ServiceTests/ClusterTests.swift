import API
import Compute
import CobremsNodeCore
import ServiceSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPC
import Synchronization
import Testing
import Wire

/// The edge's compute fan-out under load and faults, as real processes on loopback.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ClusterTests {
    /// A spectrum request with its own orientation (nothing cached anywhere) over a few hundred samples,
    /// so each one is split into chunks over the nodes.
    static func coldRequest(_ i: Int) -> SpectrumRequestMessage {
        let samples = (0..<120).map { (k: Int) -> TiltSampleMessage in
            let h: Double = Double(k % 12) * 0.003 - 0.03
            let v: Double = Double(k / 12) * 0.003 - 0.02
            return TiltSampleMessage(thetahOffsetMr: h, thetavOffsetMr: v, weight: 1 + Double(k % 3))
        }
        return SpectrumRequestMessage(orientation: Orientation(radThetah: 1.2 + Double(i % 997) * 1e-4, radThetav: 50), samples: samples)
    }

    /// Item 2: the README's lab-tool command, pointed at the edge: the node's ComputeSpectrum, fanned out.
    @Test func theReadmePythonExampleComputesThroughTheEdge() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        try await system.addNode()
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let command = "python3 examples/python/compute_spectrum.py 127.0.0.1:7100"
        #expect(readme.contains(command))
        // As written, from the repository root; only the port is this test's own edge.
        let r = try await run("/bin/sh", ["-c", "cd '\(repositoryRoot.path)' && PATH=/usr/bin:$PATH "
                                             + command.replacingOccurrences(of: ":7100", with: ":\(system.edgeRPC)") + " --json"])
        #expect(r.status == 0, "\(r.stderr)")
        try expectExampleAnswerEqualsLocalSpectrum(r.stdout)
        // And the node's partial sums, answered by the pool.
        let edge = RPCClient(host: "127.0.0.1", port: system.edgeRPC)
        let part: PartialSumResponseMessage = try await edge.call(EdgeMethods.nodeComputePartialSum,
                                                                  PartialSumRequestMessage(orientation: Orientation(radThetah: 1.2296, radThetav: 50),
                                                                                           samples: Self.coldRequest(1).samples))
        #expect(part.totalWeight == Self.coldRequest(1).samples.reduce(0) { $0 + $1.weight })
    }

    /// Item 8: 512 idle connections held on the tilt-service by anyone do not shut the edge out.
    @Test func idleConnectionsOnTheTiltServiceDoNotShutTheEdgeOut() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        try await system.addNode()
        #expect(try await system.get("/api/tilt?radiator_name=SF-G03").status == 200)
        var held: [Socket] = []
        defer { for s in held { s.close() } }
        for _ in 0..<512 { held.append(try Socket.connect(host: "127.0.0.1", port: system.tiltRPC, timeoutSeconds: 5)) }
        // Cold requests (each a new spot position) need the tilt-service while the 512 are held.
        for i in 1...6 {
            let r = try await system.get("/api/spectrum?radiator_name=SF-G03&rad_xoffset=0.\(i)")
            #expect(r.status == 200, "request \(i): \(r.status) \(String(decoding: r.body.prefix(200), as: UTF8.self))")
        }
        // A fresh edge (no pooled connection yet) gets in too: the reserved connections are for token holders.
        let edge2 = try ServiceProcess("edge", ["--http", "127.0.0.1:0", "--rpc", "127.0.0.1:0", "--store", "127.0.0.1:\(system.storeRPC)",
                                                "--tilt", "127.0.0.1:\(system.tiltRPC)", "--renderer", "127.0.0.1:1", "--compute-in-process"],
                                       environment: ["SPOTFINDER_TOKEN": system.token])
        defer { edge2.stop() }
        let port = try await edge2.port(after: "http listening on ")
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/tilt?radiator_name=SF-G03&rad_xoffset=0.9")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: data.prefix(200), as: UTF8.self))")
    }

    /// Item 7: no spurious UNAVAILABLE among many cold requests with healthy nodes.
    @Test func manyColdRequestsAllAnswer() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        try await system.addNode(capacity: 2)
        try await system.addNode(capacity: 2)
        let edge = RPCClient(host: "127.0.0.1", port: system.edgeRPC)
        let failures = Failures()
        let total = 600, clients = 16
        await withTaskGroup(of: Void.self) { group in
            for c in 0..<clients {
                group.addTask {
                    for i in stride(from: c, to: total, by: clients) {
                        do {
                            let r: SpectrumResponseMessage = try await edge.call(EdgeMethods.computeSpectrum, Self.coldRequest(i),
                                                                                 deadline: .after(seconds: 30))
                            if r.orientationsAveraged != 120 { failures.add("request \(i): \(r.orientationsAveraged) orientations") }
                        } catch {
                            failures.add("request \(i): \(error)")
                        }
                    }
                }
            }
        }
        let failed = failures.all
        #expect(failed.isEmpty, "\(failed.count) of \(total) failed: \(failed.prefix(3))")
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

/// Item 6: a node that heartbeats but never answers neither holds requests to the deadline nor stays in rotation.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SilentNodeTests {
    @Test func aNodeThatNeverAnswersIsHedgedAroundAndTakenOutOfRotation() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        try await system.addNode(capacity: 2)
        // The silent node: accepts chunks and sits on them until the caller gives up.
        let received = CallCounter()
        var routes = RPCRoutes()
        routes.unary(EdgeMethods.nodeComputePartialSum) { (_: PartialSumRequestMessage, _) -> PartialSumResponseMessage in
            received.increment()
            try await Task.sleep(nanoseconds: 60_000_000_000)
            throw RPCError(.internalError, "unreachable")
        }
        let silent = try RPCServer(routes: routes, config: RPCServerConfig())
        defer { Task { await silent.shutdown(graceSeconds: 0) } }
        let registration = NodeRegistration(edge: RPCClient(host: "127.0.0.1", port: system.edgeRPC), nodeId: "silent",
                                            advertisedAddress: "127.0.0.1:\(silent.port)", capacity: 4, token: system.token,
                                            log: Log(service: "silent-node"))
        try await registration.start()
        defer { Task { await registration.stop() } }
        let edge = RPCClient(host: "127.0.0.1", port: system.edgeRPC)
        let failures = Failures()
        let slowest = Slowest()
        let total = 40
        await withTaskGroup(of: Void.self) { group in
            for c in 0..<4 {
                group.addTask {
                    for i in stride(from: c, to: total, by: 4) {
                        let start = Deadline.now
                        do {
                            let _: SpectrumResponseMessage = try await edge.call(EdgeMethods.computeSpectrum, ClusterTests.coldRequest(5000 + i),
                                                                                 deadline: .after(seconds: 15))
                        } catch {
                            failures.add("request \(i): \(error)")
                        }
                        slowest.record(Double(Deadline.now &- start) / 1e9)
                    }
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all.count) of \(total) failed: \(failures.all.prefix(3))")
        // Every request answered well inside its 15 s deadline: the hedge's answer returned at once.
        #expect(slowest.seconds < 10, "slowest request took \(slowest.seconds) s")
        // The node sat on its first chunks, then left the rotation although it kept heartbeating.
        #expect(received.count >= 3, "the silent node was tried")
        #expect(received.count < total / 2, "the silent node kept getting chunks: \(received.count) of \(3 * total)")
        #expect(try await system.json("/healthz")["nodes"] as? String == "2", "it still heartbeats")
    }
}

final class CallCounter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

final class Slowest: Sendable {
    private let value = Mutex(0.0)
    func record(_ s: Double) { value.withLock { $0 = max($0, s) } }
    var seconds: Double { value.withLock { $0 } }
}
