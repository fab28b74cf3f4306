import Foundation
import RPC
import Testing

/// The edge's node registry while nodes come and go, as real processes on loopback.
@Suite(.serialized, .timeLimit(.minutes(3))) struct NodeChurnTests {
    /// A small seeded generator: a failing schedule can be replayed from the seed in the failure message.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The remote ports of the TCP connections a process opened (its descriptors' socket inodes, looked up in
    /// /proc/net/tcp and tcp6; connections to its own `listening` ports, which others opened, left out).
    static func peerPorts(of pid: Int32, listening: Set<UInt16>) -> [UInt16] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        let inodes = Set(fds.compactMap { fd -> String? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                  target.hasPrefix("socket:[") else { return nil }
            return String(target.dropFirst(8).dropLast())
        })
        var ports: [UInt16] = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // Read to the end: procfs files report size 0, and a sized read would stop at the first page.
            let text = String(decoding: FileHandle(forReadingAtPath: table)?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
            for line in text.split(separator: "\n").dropFirst() {
                let f = line.split(separator: " ")
                guard f.count > 9, inodes.contains(String(f[9])),
                      let local = f[1].split(separator: ":").last.flatMap({ UInt16($0, radix: 16) }), !listening.contains(local),
                      let port = f[2].split(separator: ":").last.flatMap({ UInt16($0, radix: 16) }) else { continue }
                ports.append(port)
            }
        }
        return ports
    }

    /// The port a node reported it listens on.
    static func port(_ node: ServiceProcess) -> UInt16? {
        node.output.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/).flatMap { UInt16($0.output.1) }
    }

    @Test func twentyNodesJoiningAndLeavingInRandomOrderFailNoRequestAndLeaveNoEntry() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        let edge = try #require(system.services.first { $0.name == "edge" })
        let edgePorts: Set<UInt16> = [system.http, system.edgeRPC]
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix(state: seed)
        // Node 0 is there from the start to the end (requests need a node); nodes 1–19 join between 0 and 3 s and
        // leave between 1.5 s after joining and 7 s, one in three by SIGKILL (a crash: the edge must expire it),
        // the others by SIGTERM (they deregister). Requests stop at 7.5 s, before node 0 leaves.
        enum Event { case join(Int), leave(Int, crash: Bool) }
        var events: [(Double, Event)] = []
        for i in 1..<20 {
            let join = Double.random(in: 0...3, using: &random)
            events.append((join, .join(i)))
            events.append((Double.random(in: (join + 1.5)...7, using: &random), .leave(i, crash: i % 3 == 0)))
        }
        events.sort { $0.0 < $1.0 }
        var nodes: [Int: ServiceProcess] = [:]
        func start(_ i: Int) throws {
            nodes[i] = try ServiceProcess("cobrems-node", ["--listen", "127.0.0.1:0", "--edge", "127.0.0.1:\(system.edgeRPC)",
                                                           "--capacity", "1", "--node-id", "churn-\(i)"],
                                          environment: ["SPOTFINDER_TOKEN": system.token])
        }
        defer { for n in nodes.values { n.kill() } }
        try start(0)
        try await nodes[0]!.waitForLog("registered")
        let load = LoadClients(clients: 3) { i in i % 3 == 0 ? await system.coldMap(i) : await system.coldSpectrum(i) }
        // What /metrics may show at each event: nodes alive, and those gone within the expiry (3.5 s, and a heartbeat's
        // slack: a stopped node deregisters at once, a killed one falls silent); it must show every live node that registered.
        var stoppedAt: [Int: Double] = [:]
        var problems: [String] = []
        var sawNodeConnections = false
        let t0 = Deadline.now
        func elapsed() -> Double { Double(Deadline.now &- t0) / 1e9 }
        for (time, event) in events {
            if time > elapsed() { try await Task.sleep(nanoseconds: UInt64((time - elapsed()) * 1e9)) }
            switch event {
            case .join(let i): try start(i)
            case .leave(let i, let crash):
                if crash { nodes[i]!.kill() } else { nodes[i]!.stop() }
                stoppedAt[i] = elapsed()
            }
            // Nodes known registered before the page is read; the page read before anything may have left.
            let registered = Set(nodes.filter { stoppedAt[$0.key] == nil && $0.value.output.contains("registered churn-") }.keys.map { "churn-\($0)" })
            let page = try await system.metricsText()
            let shown = Set(LocalSystem.registeredNodes(inMetrics: page).keys)
            // The page agrees with itself: as many nodes, and cores (1 each), as node lines.
            let gauges = (LocalSystem.metric("nodes", inMetrics: page), LocalSystem.metric("node_capacity", inMetrics: page))
            if gauges.0 != Double(shown.count) || gauges.1 != Double(shown.count) {
                problems.append("/metrics: spotfinder_nodes \(gauges.0 ?? -1), node_capacity \(gauges.1 ?? -1) for \(shown.count) node lines")
            }
            let now = elapsed()
            let alive = Set(nodes.keys.filter { stoppedAt[$0] == nil }.map { "churn-\($0)" })
            let leaving = Set(stoppedAt.filter { now - $0.value < 4.5 }.keys.map { "churn-\($0)" })
            // (And the way the leak check below looks sees the edge's connections to the nodes working now.)
            let livePorts = Set(nodes.values.compactMap(Self.port))
            if Self.peerPorts(of: edge.process.processIdentifier, listening: edgePorts).contains(where: livePorts.contains) { sawNodeConnections = true }
            if !shown.isSubset(of: alive.union(leaving)) { problems.append("at \(now) s /metrics shows departed nodes \(shown.subtracting(alive.union(leaving)).sorted())") }
            if !registered.isSubset(of: shown) { problems.append("at \(now) s /metrics misses live nodes \(registered.subtracting(shown).sorted())") }
        }
        if elapsed() < 7.5 { try await Task.sleep(nanoseconds: UInt64((7.5 - elapsed()) * 1e9)) }
        let (answered, failures) = await load.stop()
        nodes[0]!.stop()
        #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(5))")
        #expect(failures.isEmpty, "seed \(seed): \(failures.count) of \(answered + failures.count) requests failed: \(failures.prefix(3))")
        #expect(answered >= 9, "requests ran throughout: \(answered)")

        // All gone: the deregistered at once, the killed after the expiry. Nothing left in the registry or /metrics.
        try await poll("an empty registry", timeout: 6) { try await system.healthyNodes() == 0 }
        let metrics = try await system.metricsText()
        for gauge in ["nodes", "node_capacity", "chunks_in_flight", "queue_depth", "batch_running"] {
            #expect(try await system.metric(gauge) == 0, "spotfinder_\(gauge) with no node left: \(metrics)")
        }
        #expect(!metrics.contains("spotfinder_node_chunks_total{"), "\(metrics)")
        // Every answered chunk, spectrum slice or map block, was timed once (what `spotfinder scale` reads as latency).
        let timed = LocalSystem.metric("chunk_seconds_count", inMetrics: metrics) ?? -1
        let answeredChunks = (LocalSystem.metric("chunks_total", inMetrics: metrics) ?? 0) + (LocalSystem.metric("map_chunks_total", inMetrics: metrics) ?? 0)
        #expect(timed > 0 && timed == answeredChunks && (LocalSystem.metric("chunk_seconds_sum", inMetrics: metrics) ?? 0) > 0,
                "chunk_seconds_count \(timed), chunks answered \(answeredChunks)")
        // No connection kept to any departed node: none of the edge's sockets leads to a port a node listened on.
        #expect(sawNodeConnections, "the edge's connections to working nodes were seen")
        let nodePorts = Set(nodes.values.compactMap(Self.port))
        #expect(nodePorts.count == 20, "every node's port is known")
        let kept = Self.peerPorts(of: edge.process.processIdentifier, listening: edgePorts).filter(nodePorts.contains)
        #expect(kept.isEmpty, "the edge still holds connections to departed nodes' ports \(kept)")
    }

    @Test func aNodeLeavesThePoolAndExitsAtItsDrainTime() async throws {
        let system = try await LocalSystem.start()
        defer { system.stop() }
        let drainAt = Date().timeIntervalSince1970 + 3
        let node = try ServiceProcess("cobrems-node", ["--listen", "127.0.0.1:0", "--edge", "127.0.0.1:\(system.edgeRPC)", "--capacity", "1",
                                                       "--drain-at", String(format: "%.3f", drainAt)],
                                      environment: ["SPOTFINDER_TOKEN": system.token])
        defer { node.kill() }
        try await node.waitForLog("info registered")
        #expect(try await system.healthyNodes() == 1)
        try await poll("the node to exit at its drain time", timeout: 15) { !node.process.isRunning }
        let exitedAt = Date().timeIntervalSince1970
        #expect(exitedAt >= drainAt && node.process.terminationStatus == 0, "\(node.output)")
        #expect(node.output.contains("draining: the drain time") && node.output.contains("deregistered"), "\(node.output)")
        // Out of the registry at once (it deregistered), not after the 3.5 s expiry.
        #expect(try await system.healthyNodes() == 0)
        // A drain time already past is a mistake in the job script: refused, naming the flag.
        let past = try await run(executable("cobrems-node"), ["--listen", "127.0.0.1:0", "--drain-at", "\(Int(exitedAt) - 60)"])
        #expect(past.status == 2 && past.stderr.contains("--drain-at = \(Int(exitedAt) - 60) must be in"), "\(past.stderr)")
    }
}
