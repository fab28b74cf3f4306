import Foundation

/// One node job of the scaler's as the batch system lists it.
public struct NodeJob: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Waiting for resources, or being set up.
        case pending
        case running
        /// Completing, cancelled, failed: on its way out, not counted.
        case leaving
    }
    public let id: String
    public var state: State
    /// Its node is in the edge's registry (the job script names nodes `slurm-JOBID.TASK`).
    public var joined: Bool

    public init(id: String, state: State, joined: Bool = false) {
        self.id = id
        self.state = state
        self.joined = joined
    }

    /// The node id prefix of this job's nodes (Compose/slurm-cobrems-nodes.sh: `--node-id slurm-JOBID.TASK`).
    public var nodeIdPrefix: String { "slurm-\(id)." }
}

/// The bounds and pace of scaling; every value checked with a sentence naming its flag.
public struct ScalingLimits: Sendable, Equatable {
    /// Never fewer jobs than this (also when idle), never more than `maxJobs`.
    public var minJobs = 1
    public var maxJobs = 4
    /// After a submit or cancel, wait this long before the next one: the change must show in the load first.
    public var cooldownSeconds = 60.0
    /// Grow only when the pool has been busy at every look for this long (one map is a blip, a burst is not).
    public var growAfterSeconds = 10.0
    /// Shrink by one job when the pool has been idle at every look for this long.
    public var shrinkAfterSeconds = 600.0
    /// Busy: chunks in flight per offered core at or above this (above 1, chunks queue on the nodes) …
    public var busyUtilisation = 1.0
    /// … or answered chunks taking this long on average (0: off) …, or any work queued at the edge.
    public var slowChunkSeconds = 2.0

    public init() {}

    public func validated() throws(ScalingError) -> ScalingLimits {
        guard (0...1000).contains(minJobs) else { throw ScalingError("--min = \(minJobs) must be in [0, 1000] jobs") }
        guard (max(1, minJobs)...1000).contains(maxJobs) else {
            throw ScalingError("--max = \(maxJobs) must be in [\(max(1, minJobs)), 1000] jobs (at least --min and at least 1)")
        }
        for (flag, value, range) in [("--cooldown", cooldownSeconds, 0.0...86400), ("--grow-after", growAfterSeconds, 0...86400),
                                     ("--shrink-after", shrinkAfterSeconds, 0...7 * 86400), ("--busy-utilisation", busyUtilisation, 0.05...100),
                                     ("--slow-chunk", slowChunkSeconds, 0...3600)] {
            guard value.isFinite, range.contains(value) else {
                throw ScalingError("\(flag) = \(value) must be in [\(range.lowerBound), \(range.upperBound)]")
            }
        }
        return self
    }
}

/// What the scaler remembers between looks: when the current busy or idle stretch began, and the last change.
public struct ScalerState: Sendable, Equatable {
    public var busySince: Double?
    public var idleSince: Double?
    public var lastChangeAt: Double?
    public init(busySince: Double? = nil, idleSince: Double? = nil, lastChangeAt: Double? = nil) {
        self.busySince = busySince
        self.idleSince = idleSince
        self.lastChangeAt = lastChangeAt
    }
}

/// What to do after one look.
public enum ScalingDecision: Sendable, Equatable, CustomStringConvertible {
    case hold(String)
    case submit(Int, String)
    case cancel([String], String)

    public var description: String {
        switch self {
        case .hold(let reason): "hold: \(reason)"
        case .submit(let count, let reason): "submit \(count): \(reason)"
        case .cancel(let ids, let reason): "cancel \(ids.joined(separator: " ")): \(reason)"
        }
    }
}

/// The scaling rule, free of I/O: a look at the edge (nil when it did not answer), the scaler's jobs,
/// its memory and limits, and the time (seconds, monotonic) in; what to do out.
public enum ScalingPolicy {
    public static func decide(load: EdgeLoad?, jobs: [NodeJob], state: inout ScalerState, limits: ScalingLimits, now: Double) -> ScalingDecision {
        let active = jobs.filter { $0.state != .leaving }
        guard let load else {
            // Without the edge's word nothing is known: nodes submitted now could not join, and cancelling might cut a busy pool.
            state.busySince = nil
            state.idleSince = nil
            return .hold("the edge's /metrics did not answer: no change")
        }
        // Too many: cancel at once (that never floods the batch system).
        if active.count > limits.maxJobs {
            state.lastChangeAt = now
            return .cancel(shrinkOrder(active).prefix(active.count - limits.maxJobs).map(\.id),
                           "\(active.count) node jobs, above the maximum \(limits.maxJobs)")
        }
        let busy = busyReason(load, limits)
        state.busySince = busy == nil ? nil : (state.busySince ?? now)
        state.idleSince = load.isIdle ? (state.idleSince ?? now) : nil
        let cooling = state.lastChangeAt.map { now - $0 < limits.cooldownSeconds } ?? false
        // Too few: at once when the scaler starts, later after the cool-down, so jobs that end as soon as they
        // start (a wrong token, a missing program) cost one submission per cool-down, not one per look.
        if active.count < limits.minJobs, !cooling {
            state.lastChangeAt = now
            return .submit(limits.minJobs - active.count, "\(active.count) node jobs, below the minimum \(limits.minJobs)")
        }
        if cooling, let last = state.lastChangeAt {
            return .hold("cooling down for \(format(limits.cooldownSeconds - (now - last))) s after the last change")
        }
        if let busy, let since = state.busySince, now - since >= limits.growAfterSeconds {
            guard active.count < limits.maxJobs else { return .hold("busy (\(busy)) but at the maximum of \(limits.maxJobs) node jobs") }
            let starting = active.filter { !$0.joined }.count
            guard starting == 0 else { return .hold("busy (\(busy)); \(starting) node jobs still starting") }
            // Enough nodes to bring the load under the threshold, as many cores per node as the pool has now.
            let perNode = load.nodes > 0 ? max(1, Double(load.capacity) / Double(load.nodes)) : 1
            let wanted = Int((load.demand / (perNode * limits.busyUtilisation)).rounded(.up))
            let add = min(max(1, wanted - load.nodes), limits.maxJobs - active.count)
            state.lastChangeAt = now
            state.busySince = nil
            return .submit(add, "busy for \(format(now - since)) s (\(busy))")
        }
        if let since = state.idleSince, now - since >= limits.shrinkAfterSeconds, active.count > limits.minJobs {
            state.lastChangeAt = now
            state.idleSince = nil
            return .cancel([shrinkOrder(active)[0].id], "idle for \(format(now - since)) s")
        }
        if let busy { return .hold("busy (\(busy)) for \(format(now - (state.busySince ?? now))) s") }
        return .hold(load.isIdle ? "idle for \(format(now - (state.idleSince ?? now))) s" : "load within bounds")
    }

    /// Why the pool counts as busy at this look, or nil.
    static func busyReason(_ load: EdgeLoad, _ limits: ScalingLimits) -> String? {
        if let queued = load.queueDepth, queued > 0 { return "\(format(queued)) queued at the edge" }
        if load.chunksInFlight > 0, load.utilisation >= limits.busyUtilisation {
            return "\(load.chunksInFlight) chunks in flight on \(load.capacity) cores"
        }
        if limits.slowChunkSeconds > 0, let mean = load.meanChunkSeconds, mean >= limits.slowChunkSeconds {
            return "chunks took \(format(mean)) s on average"
        }
        return nil
    }

    /// Which jobs go first: pending ones (they cost nothing yet), then running ones newest first
    /// (Slurm's ids grow; the oldest nodes have warm caches and proven capacity).
    static func shrinkOrder(_ jobs: [NodeJob]) -> [NodeJob] {
        func rank(_ j: NodeJob) -> Int { j.state == .pending ? 0 : 1 }
        return jobs.sorted { a, b in
            if rank(a) != rank(b) { return rank(a) < rank(b) }
            let x = Int(a.id.prefix { $0.isNumber }) ?? 0, y = Int(b.id.prefix { $0.isNumber }) ?? 0
            return x != y ? x > y : a.id > b.id
        }
    }

    static func format(_ x: Double) -> String { String(format: "%.1f", x) }
}
