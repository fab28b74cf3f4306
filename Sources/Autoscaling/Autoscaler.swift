import Foundation
import RPC
import ServiceSupport
import Synchronization

/// The scaler's loop: every interval, read the edge's /metrics and the scaler's jobs, let
/// `ScalingPolicy` decide, and submit or cancel node jobs. Thin: every judgement is the policy's.
public final class Autoscaler: Sendable {
    public let edge: EdgeMetricsReader
    public let slurm: SlurmJobs
    public let limits: ScalingLimits
    public let intervalSeconds: Double
    private let log: Log
    private struct Memory {
        var state = ScalerState()
        var previous: MetricsSnapshot?
        /// The last hold logged (holds repeat every look; only a change of kind is worth a line).
        var lastHoldKind = ""
    }
    private let memory = Mutex(Memory())

    public init(edge: EdgeMetricsReader, slurm: SlurmJobs, limits: ScalingLimits, intervalSeconds: Double, log: Log) {
        self.edge = edge
        self.slurm = slurm
        self.limits = limits
        self.intervalSeconds = intervalSeconds
        self.log = log
    }

    /// Look every interval until the task is cancelled. The jobs stay when the scaler stops:
    /// stopping the scaler must not take a working pool away (`scancel --name JOBNAME` does).
    public func run() async {
        while !Task.isCancelled {
            await look()
            try? await Task.sleep(nanoseconds: UInt64(intervalSeconds * 1e9))
        }
    }

    /// One look: read, decide, act. Returns what was decided (for `--once` and the logs).
    @discardableResult
    public func look() async -> ScalingDecision {
        var jobs: [NodeJob]
        do throws(ScalingError) { jobs = try await slurm.list() } catch {
            log.warn("cannot list the node jobs: \(error); no change")
            return .hold("squeue failed")
        }
        var snapshot: MetricsSnapshot?
        do throws(ScalingError) { snapshot = try await edge.snapshot() } catch { log.warn("\(error)") }
        let now = Double(Deadline.now) / 1e9
        let decision = memory.withLock { m -> ScalingDecision in
            let load = snapshot.map { EdgeLoad(previous: m.previous, current: $0) }
            if let snapshot { m.previous = snapshot }
            if let load {
                for i in jobs.indices { jobs[i].joined = load.nodeIds.contains { $0.hasPrefix(jobs[i].nodeIdPrefix) } }
            }
            return ScalingPolicy.decide(load: load, jobs: jobs, state: &m.state, limits: limits, now: now)
        }
        let counts = "\(jobs.filter { $0.state == .running }.count) running, \(jobs.filter { $0.state == .pending }.count) pending"
        switch decision {
        case .hold(let reason):
            let kind = String(reason.prefix { $0 != "(" && !$0.isNumber })
            let changed = memory.withLock { m in
                defer { m.lastHoldKind = kind }
                return m.lastHoldKind != kind
            }
            if changed { log.info("hold: \(reason) [\(counts)]") }
        case .submit(let count, let reason):
            var ids: [String] = []
            for _ in 0..<count {
                do throws(ScalingError) { ids.append(try await slurm.submit()) } catch {
                    log.error("cannot submit a node job: \(error)")
                    break
                }
            }
            log.info("submit \(count): \(reason) [\(counts)] -> jobs \(ids.joined(separator: " "))")
            memory.withLock { $0.lastHoldKind = "" }
        case .cancel(let ids, let reason):
            do throws(ScalingError) { try await slurm.cancel(ids) } catch { log.error("cannot cancel jobs \(ids): \(error)") }
            log.info("cancel \(ids.joined(separator: " ")): \(reason) [\(counts)]")
            memory.withLock { $0.lastHoldKind = "" }
        }
        return decision
    }
}
