// spotfinder scale: node jobs on Slurm that follow the edge's load (Autoscaling does the work).
import Autoscaling
import Foundation
import RPC
import ServiceSupport

let scaleUsage = """
usage: spotfinder scale --slurm JOB_SCRIPT --edge EDGE_HOST:RPC_PORT --edge-http EDGE_HOST:HTTP_PORT
                        [--min 1] [--max 4] [--cooldown 60] [--grow-after 10] [--shrink-after 600] [--interval 5]
                        [--busy-utilisation 1] [--slow-chunk 2] [--job-name spotfinder-scaled] [--sbatch-options '...'] [--once]
Submits JOB_SCRIPT (Compose/slurm-cobrems-nodes.sh) with sbatch when the edge's pool is busy, cancels the newest
of its jobs when it has been idle, between --min and --max jobs. The deployment token comes from SPOTFINDER_TOKEN
or --token-file FILE (mode 0600), as for every Spotfinder program; the jobs inherit the environment (sbatch's default).
"""

/// Parse the flags, then look every --interval seconds (once with --once) until SIGINT or SIGTERM.
func runScale(_ arguments: [String]) async -> Never {
    let log = Log(service: "spotfinder-scale")
    if arguments.contains("--help") || arguments.contains("-h") { print(scaleUsage) }
    await ServiceMain.run(log) {
        let flags = try Flags(["spotfinder-scale"] + arguments,
                              valued: ["slurm", "edge", "edge-http", "min", "max", "cooldown", "grow-after", "shrink-after", "interval",
                                       "busy-utilisation", "slow-chunk", "job-name", "sbatch-options"],
                              boolean: ["once"], secrets: ["token"])
        guard let script = flags.string("slurm") else { throw Flags.UsageError(description: "--slurm JOB_SCRIPT is required\n\(scaleUsage)") }
        guard FileManager.default.isReadableFile(atPath: script) else {
            throw Flags.UsageError(description: "--slurm \(script): no such readable job script")
        }
        guard let edge = flags.string("edge") else { throw Flags.UsageError(description: "--edge EDGE_HOST:RPC_PORT (where nodes register) is required") }
        guard RPCClient.split(edge) != nil else { throw Flags.UsageError(description: "--edge must be HOST:PORT, got '\(edge)'") }
        let http = try flags.address("edge-http", default: "127.0.0.1:8080")
        guard let token = try flags.secret("token"), !token.isEmpty else {
            throw Flags.UsageError(description: "the deployment token is required (SPOTFINDER_TOKEN or --token-file FILE): /metrics and the nodes need it")
        }
        var limits = ScalingLimits()
        limits.minJobs = try flags.int("min", default: limits.minJobs)
        limits.maxJobs = try flags.int("max", default: limits.maxJobs)
        limits.cooldownSeconds = try flags.double("cooldown", default: limits.cooldownSeconds)
        limits.growAfterSeconds = try flags.double("grow-after", default: limits.growAfterSeconds)
        limits.shrinkAfterSeconds = try flags.double("shrink-after", default: limits.shrinkAfterSeconds)
        limits.busyUtilisation = try flags.double("busy-utilisation", default: limits.busyUtilisation)
        limits.slowChunkSeconds = try flags.double("slow-chunk", default: limits.slowChunkSeconds)
        do throws(ScalingError) { limits = try limits.validated() } catch { throw Flags.UsageError(description: error.description) }
        let interval = try flags.double("interval", default: 5)
        guard (0.1...3600).contains(interval) else { throw Flags.UsageError(description: "--interval = \(interval) must be in [0.1, 3600] s") }
        let jobName = flags.string("job-name") ?? "spotfinder-scaled"
        guard !jobName.isEmpty, jobName.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw Flags.UsageError(description: "--job-name '\(jobName)' must be letters, digits, '-', '_' or '.'")
        }
        let options = (flags.string("sbatch-options") ?? "").split(separator: " ").map(String.init)
        // One submission is one job the scaler counts, cancels and matches to its nodes: an array would be several.
        if let array = options.first(where: { $0 == "-a" || $0.hasPrefix("--array") || $0 == "-J" || $0.hasPrefix("--job-name") }) {
            throw Flags.UsageError(description: "--sbatch-options may not hold \(array): the scaler submits single jobs named by --job-name")
        }
        let scaler = Autoscaler(edge: EdgeMetricsReader(host: http.host, port: http.port, token: token),
                                slurm: SlurmJobs(script: script, edge: edge, jobName: jobName, sbatchOptions: options),
                                limits: limits, intervalSeconds: interval, log: log)
        if flags.has("once") {
            print("\(await scaler.look())")
            exit(0)
        }
        log.info("scaling jobs '\(jobName)' of \(script) between \(limits.minJobs) and \(limits.maxJobs) on the load of \(http.host):\(http.port)")
        let loop = Task { await scaler.run() }
        return { loop.cancel() }
    }
}
