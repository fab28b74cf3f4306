import EdgeCore
import Foundation
import RPC
import Testing
import Wire

/// Item 17: what the edge believes of a node's registration.
@Suite struct NodeRegistryTests {
    let token = "secret"

    func request(_ id: String, _ address: String, capacity: UInt32 = 4, token: String? = nil) -> RegisterNodeRequest {
        RegisterNodeRequest(nodeId: id, address: address, capacity: capacity, token: token ?? self.token)
    }

    @Test func theAdvertisedHostMustBeTheConnectionsHost() throws {
        let registry = NodeRegistry(token: token)
        #expect(throws: RPCError.self) { try registry.register(request("a", "10.1.2.3:7104"), peerHost: "127.0.0.1") }
        do {
            _ = try registry.register(request("a", "192.0.2.7:7104"), peerHost: "127.0.0.1")
        } catch {
            #expect(error.code == .permissionDenied && error.message.contains("--node-hosts any"))
        }
        _ = try registry.register(request("a", "127.0.0.1:7104"), peerHost: "127.0.0.1")
        _ = try registry.register(request("b", "localhost:7105"), peerHost: "127.0.0.1")  // a name that resolves to it
        #expect(registry.healthy().map(\.id) == ["a", "b"])
        // Configured otherwise (nodes behind address translation): any host.
        var policy = NodeRegistry.Policy()
        policy.requireSameHost = false
        _ = try NodeRegistry(token: token, policy: policy).register(request("c", "192.0.2.7:7104"), peerHost: "127.0.0.1")
    }

    @Test func capacityIsCappedAndEarnedByAnswers() throws {
        var policy = NodeRegistry.Policy()
        policy.maxCapacity = 8
        let registry = NodeRegistry(token: token, policy: policy)
        _ = try registry.register(request("big", "127.0.0.1:7104", capacity: 1024), peerHost: "127.0.0.1")
        var node = try #require(registry.healthy().first)
        #expect(node.claimedCapacity == 8, "capped by --node-max-capacity")
        #expect(node.capacity == policy.startingCapacity, "trusted with little until it answers")
        for _ in 0..<20 {
            registry.started(node.id)
            registry.finished(node, outcome: .answered)
        }
        node = try #require(registry.healthy().first)
        #expect(node.chunksServed == 20)
        #expect(node.capacity == 8, "proven, up to the cap")
        // Renewals keep what was proven.
        _ = try registry.register(request("big", "127.0.0.1:7104", capacity: 1024), peerHost: "127.0.0.1")
        #expect(registry.healthy().first?.chunksServed == 20)
    }

    @Test func aLiveIdCannotBeTakenOver() throws {
        let registry = NodeRegistry(token: token)
        _ = try registry.register(request("n1", "127.0.0.1:7104"), peerHost: "127.0.0.1")
        do {
            _ = try registry.register(request("n1", "127.0.0.1:9999"), peerHost: "127.0.0.1")
            Issue.record("another address took over n1")
        } catch {
            #expect(error.code == .alreadyExists)
        }
        #expect(registry.healthy().first?.address == "127.0.0.1:7104")
        // A wrong token is refused before anything else.
        #expect(throws: RPCError.self) { try registry.register(request("n2", "127.0.0.1:7105", token: "nope"), peerHost: "127.0.0.1") }
        // Deregistration only from the node's own host.
        #expect(throws: RPCError.self) { try registry.deregister(DeregisterNodeRequest(nodeId: "n1", token: token), peerHost: "127.0.0.2") }
        try registry.deregister(DeregisterNodeRequest(nodeId: "n1", token: token), peerHost: "127.0.0.1")
        #expect(registry.healthy().isEmpty)
    }

    @Test func anIdFreesUpWhenItsNodeExpires() async throws {
        let registry = NodeRegistry(token: token, heartbeatIntervalMs: 20, expiryMs: 60)
        _ = try registry.register(request("n1", "127.0.0.1:7104"), peerHost: "127.0.0.1")
        try await Task.sleep(nanoseconds: 150_000_000)
        _ = try registry.register(request("n1", "127.0.0.1:9999"), peerHost: "127.0.0.1")
        #expect(registry.healthy().first?.address == "127.0.0.1:9999")
    }

    @Test func failuresInARowTakeANodeOutOfRotationAndAnAnswerBringsItBack() throws {
        let registry = NodeRegistry(token: token)
        _ = try registry.register(request("bad", "127.0.0.1:7104"), peerHost: "127.0.0.1")
        _ = try registry.register(request("good", "127.0.0.1:7105"), peerHost: "127.0.0.1")
        let bad = try #require(registry.healthy().first { $0.id == "bad" })
        for _ in 0..<NodeRegistry.Policy().strikesToSuspend {
            registry.started(bad.id)
            registry.finished(bad, outcome: .stalled)
        }
        #expect(registry.available().map(\.id) == ["good"], "out of rotation while it still heartbeats")
        #expect(registry.healthy().count == 2)
        for _ in 0..<5 { #expect(registry.pick()?.id == "good") }
        // With every node out of rotation, they are all used rather than none.
        let good = try #require(registry.healthy().first { $0.id == "good" })
        for _ in 0..<3 { registry.started(good.id); registry.finished(good, outcome: .failed) }
        #expect(registry.available().count == 2)
        registry.started(bad.id)
        registry.finished(bad, outcome: .answered)
        #expect(registry.available().map(\.id) == ["bad"])
    }

    @Test func equallyLoadedNodesTakeTurnsSoOneAtATimeWorkUsesThemAll() throws {
        let registry = NodeRegistry(token: token)
        for (i, id) in ["a", "b", "c"].enumerated() { _ = try registry.register(request(id, "127.0.0.1:\(7104 + i)"), peerHost: "127.0.0.1") }
        // A client sending one chunk at a time (a small scan's tiles, a lab tool's spectra): every pick finds all idle.
        var picked: [String] = []
        for _ in 0..<6 {
            let node = try #require(registry.pick())
            picked.append(node.id)
            registry.started(node.id)
            registry.finished(node, outcome: .answered)
        }
        #expect(Set(picked) == ["a", "b", "c"] && picked.filter { $0 == "a" }.count == 2, "turns: \(picked)")
        // The least loaded still wins over taking turns.
        registry.started("a")
        registry.started("b")
        for _ in 0..<3 { #expect(registry.pick()?.id == "c") }
    }
}
