import Foundation
import RPC
import Synchronization
import Testing

/// Compose/slurm-cobrems-nodes.sh and `spotfinder scale` on a real (one-host, throw-away) Slurm cluster,
/// with the whole system running as processes on loopback.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SlurmTests {
    static let script = repositoryRoot.appendingPathComponent("Compose/slurm-cobrems-nodes.sh").path
    static let skip = Comment(rawValue: "skipped: " + (SlurmCluster.cannotRun ?? ""))

    /// What an operator exports before sbatch (which passes the environment on): the built cobrems-node
    /// first on PATH, the token in the environment, the per-task logs in the cluster's folder.
    static func jobEnvironment(_ system: LocalSystem, _ cluster: SlurmCluster) -> [String: String] {
        let bin = URL(fileURLWithPath: executable("cobrems-node")).deletingLastPathComponent().path
        return ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                "SPOTFINDER_TOKEN": system.token, "SPOTFINDER_LOG_DIR": cluster.folder + "/jobs"]
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test(.enabled(if: SlurmCluster.cannotRun == nil, skip))
    func nodeJobsJoinServeMapsAndReductionsLeaveOnScancelAndRejoin() async throws {
        let cluster = try await SlurmCluster.start()
        defer { cluster.stop() }
        let system = try await LocalSystem.start()
        defer { system.stop() }
        let env = Self.jobEnvironment(system, cluster), jobs = cluster.folder + "/jobs"
        let edge = "127.0.0.1:\(system.edgeRPC)"
        let submitted = Date().timeIntervalSince1970

        // An array of 2, as the job script's header shows: two nodes on this one host.
        _ = try await cluster.slurm("sbatch", ["--parsable", "--array=0-1", "--cpus-per-task=1", "--chdir", jobs, Self.script, edge], environment: env)
        try await poll("2 nodes in the edge's registry", timeout: 30) { try await system.healthyNodes() == 2 }
        let ids = try await cluster.jobs()
        #expect(ids.count == 2 && ids.values.allSatisfy { $0.state == "RUNNING" }, "\(ids)")
        let registered = try await system.registeredNodes()
        #expect(Set(registered.keys) == Set(ids.keys.map { "slurm-\($0).0" }), "node ids name their jobs: \(registered.keys.sorted())")
        // Both listen on port 0 and advertise the port they bound: two nodes on one host, two ports.
        let addresses = Set(registered.values.map(\.address))
        #expect(addresses.count == 2 && addresses.allSatisfy { $0.hasPrefix("127.0.0.1:") && !$0.hasSuffix(":0") }, "\(addresses)")
        for id in ids.keys {
            // The drain time the script computed from the job's end: 8 h wall-time minus the 120 s margin.
            let batch = Self.text("\(jobs)/spotfinder-nodes-\(id).out")
            let drain = try #require(batch.firstMatch(of: /drain at (\d+)/).flatMap { Double($0.output.1) }, "job \(id)'s log: \(batch)")
            #expect(abs(drain - (submitted + 8 * 3600 - 120)) < 60, "drain at \(drain), submitted at \(submitted)")
            // The token reached the node through the environment, never its command line.
            let log = Self.text("\(jobs)/spotfinder-nodes-\(id).0.log")
            let pid = try #require(log.firstMatch(of: /cobrems-node pid (\d+)/).map { String($0.output.1) }, "task log: \(log)")
            let commandLine = String(decoding: FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data(), as: UTF8.self)
            #expect(commandLine.contains("cobrems-node") && commandLine.contains("--drain-at") && !commandLine.contains(system.token), "\(commandLine)")
        }

        // A spot map uses both nodes (chunks per node in /metrics).
        let perNode = try await system.chunksPerNode(nodes: 2, attempts: 4) { attempt in #expect(await system.coldMap(attempt) == nil) }
        #expect(perNode.count == 2 && perNode.allSatisfy { !$0.hasSuffix(" 0") }, "both nodes computed map chunks: \(perNode)")
        // So does a rocking-curve reduction through the edge (`spotfinder rci reduce --edge`, 12 tiles of 256 pixels):
        // each node's count of chunks grows with the reduction's tiles (a few reductions at most: see chunksPerNode).
        let cli = executable("spotfinder"), scan = cluster.folder + "/scan"
        let simulated = try await run(cli, ["rci", "simulate", scan, "--size", "64x48", "--frames", "40"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let beforeReduction = try await system.registeredNodes()
        var afterReduction = beforeReduction
        for attempt in 0..<3 {
            let reduced = try await run(cli, ["rci", "reduce", scan, "--method", "moments", "--motor", "off", "--out", "\(cluster.folder)/reduced-\(attempt)",
                                              "--edge", edge], environment: ["SPOTFINDER_TOKEN": system.token])
            #expect(reduced.status == 0 && reduced.stdout.contains("reduced"), "\(reduced.stderr)")
            afterReduction = try await system.registeredNodes()
            if afterReduction.allSatisfy({ $0.value.chunks > beforeReduction[$0.key]?.chunks ?? .max }) { break }
        }
        #expect(afterReduction.count == 2 && afterReduction.allSatisfy { $0.value.chunks > beforeReduction[$0.key]?.chunks ?? .max },
                "both nodes reduced tiles: chunks before \(beforeReduction.mapValues(\.chunks)), after \(afterReduction.mapValues(\.chunks))")
        #expect((try await system.metric("tiles_total") ?? 0) >= 12, "the tiles went through the edge")

        // scancel of one job while spectra are being requested: its node leaves the registry within the
        // heartbeat expiry (3.5 s; it deregisters on SIGTERM), and no request fails.
        let load = LoadClients(clients: 3) { i in await system.coldSpectrum(i) }
        try await poll("the first requests", timeout: 20) { load.count >= 6 }
        let victim = try #require(ids.keys.sorted { Int($0)! < Int($1)! }.last)
        let cancelled = Deadline.now
        _ = try await cluster.slurm("scancel", [ids[victim]!.name])
        do {
            try await poll("slurm-\(victim).0 to leave the registry", timeout: 3.5) { try await system.registeredNodes()["slurm-\(victim).0"] == nil }
        } catch {
            throw ProcessFailure(message: "\(error); the node's log: \(Self.text("\(jobs)/spotfinder-nodes-\(victim).0.log")); "
                                 + "its job's: \(Self.text("\(jobs)/spotfinder-nodes-\(victim).out")); \(cluster.logTail())")
        }
        let left = Double(Deadline.now &- cancelled) / 1e9
        let before = load.count
        try await poll("requests on the remaining node", timeout: 20) { load.count >= before + 6 }
        let (answered, failures) = await load.stop()
        #expect(failures.isEmpty, "\(failures.count) of \(answered + failures.count) failed: \(failures.prefix(3))")
        #expect(try await system.healthyNodes() == 1)
        #expect(Self.text("\(jobs)/spotfinder-nodes-\(victim).0.log").contains("deregistered slurm-\(victim).0"),
                "the node deregistered (it did not just fall silent), \(left) s after scancel")

        // A re-submitted job joins again, and computes; this one takes the token from a file only its owner can read.
        let tokenFile = jobs + "/token"
        #expect(FileManager.default.createFile(atPath: tokenFile, contents: Data(system.token.utf8), attributes: [.posixPermissions: 0o600]))
        var fileEnv = env
        fileEnv["SPOTFINDER_TOKEN"] = nil
        fileEnv["SPOTFINDER_TOKEN_FILE"] = tokenFile
        let again = try await cluster.slurm("sbatch", ["--parsable", "--cpus-per-task=1", "--chdir", jobs, Self.script, edge], environment: fileEnv)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try await poll("the re-submitted job's node", timeout: 30) { try await system.registeredNodes()["slurm-\(again).0"] != nil }
        let rejoined = try await system.chunksPerNode(nodes: 2, attempts: 4) { attempt in #expect(await system.coldMap(100 + attempt) == nil) }
        #expect(rejoined.contains { $0.contains("slurm-\(again).0") && !$0.hasSuffix(" 0") }, "\(rejoined)")
    }

    @Test(.enabled(if: SlurmCluster.cannotRun == nil, skip))
    func theAutoscalerGrowsWithABurstOfMapsAndShrinksWhenIdleNeverBelowMin() async throws {
        let cluster = try await SlurmCluster.start()
        defer { cluster.stop() }
        let system = try await LocalSystem.start()
        defer { system.stop() }
        let env = Self.jobEnvironment(system, cluster).merging(cluster.environment) { _, b in b }
        let scaler = try ServiceProcess("spotfinder", [
            "scale", "--slurm", Self.script, "--edge", "127.0.0.1:\(system.edgeRPC)", "--edge-http", "127.0.0.1:\(system.http)",
            "--min", "1", "--max", "2", "--interval", "0.2", "--cooldown", "1", "--grow-after", "0.6", "--shrink-after", "2",
            "--sbatch-options", "--cpus-per-task=1 --chdir=\(cluster.folder)/jobs",
        ], environment: env)
        defer { scaler.stop() }
        // The minimum at once.
        try await poll("the minimum of 1 node", timeout: 30) { try await system.healthyNodes() == 1 }
        // From here on the pool never has fewer than the minimum: nodes and live jobs sampled every 100 ms.
        let watch = Task { () -> (nodes: Int, jobs: Int) in
            var fewest = (nodes: Int.max, jobs: Int.max)
            while !Task.isCancelled {
                if let n = try? await system.healthyNodes(), let j = try? await cluster.jobs() {
                    fewest = (min(fewest.nodes, n), min(fewest.jobs, j.values.filter { $0.state == "RUNNING" || $0.state == "PENDING" }.count))
                }
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
            return fewest
        }
        // A burst of spot maps (3 users at once): chunks queue on the one node's core, and the pool grows.
        let burst = LoadClients(clients: 3) { i in await system.coldMap(i) }
        try await poll("a second node for the burst", timeout: 40) { try await system.healthyNodes() == 2 }
        let (maps, failures) = await burst.stop()
        #expect(failures.isEmpty, "\(failures.count) of \(maps + failures.count) maps failed: \(failures.prefix(3))")
        #expect(scaler.output.contains("submit 1: busy"), "\(scaler.output)")
        // Idle: back to the minimum, and no further (another idle period and cool-down go by).
        try await poll("the pool back at 1 node", timeout: 30) {
            let live = try await cluster.jobs().values.filter { $0.state == "RUNNING" || $0.state == "PENDING" }.count
            return try await system.healthyNodes() == 1 && live == 1
        }
        try await Task.sleep(nanoseconds: 3_500_000_000)
        watch.cancel()
        let fewest = await watch.value
        let nodesAtEnd = try await system.healthyNodes()
        #expect(nodesAtEnd == 1)
        #expect(fewest.nodes >= 1 && fewest.jobs >= 1, "the pool went below its minimum: \(fewest)")
        #expect(scaler.output.contains("cancel ") && scaler.output.contains("idle for"), "\(scaler.output)")
    }
}
