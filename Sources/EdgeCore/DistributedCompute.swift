import API
import CobremsNodeCore
import Compute
import Foundation
import Physics
import RPC
import Synchronization
import Wire
import WireMapping

/// Spreads an orientation set over the registered cobrems-nodes: chunks sized
/// to their proven capacity, sent in parallel, partial sums added up. A chunk
/// whose node fails is re-sent; one that is slow is hedged with a copy on
/// another node (first answer wins, the rest are cancelled), all within the
/// request's deadline.
public struct DistributedCompute: Sendable {
    public let registry: NodeRegistry
    public let computation: SpectrumComputation
    public let metrics: EdgeMetrics
    /// Compute here when no node is registered (instead of UNAVAILABLE).
    public let computeInProcessWithoutNodes: Bool
    /// Smallest slice worth a network round trip.
    public static let minimumChunk = 32
    /// The shortest a chunk runs before a copy may go to another node (longer when chunks usually take longer).
    public static let hedgeAfterSeconds = 0.25
    /// How long answered chunks have been taking: hedges are timed by it.
    let pace = ChunkPace()

    public init(registry: NodeRegistry, computation: SpectrumComputation, metrics: EdgeMetrics, computeInProcessWithoutNodes: Bool) {
        self.registry = registry
        self.computation = computation
        self.metrics = metrics
        self.computeInProcessWithoutNodes = computeInProcessWithoutNodes
    }

    /// Σ weight · coherent dN/dx for the request (one orientation when `samples` is nil).
    public func coherentSum(for request: SpotfinderRequest, samples: [TiltSample]?, deadline: Deadline) async throws(RPCError) -> CoherentSum {
        // Zero weights add nothing, and a slice of only zero weights would be refused by a node.
        let samples = samples?.filter { $0.weight > 0 }
        let nodes = registry.available()
        guard !nodes.isEmpty else {
            if computeInProcessWithoutNodes {
                metrics.count("in_process_computations_total")
                return computation.coherentSum(for: request, samples: samples)
            }
            throw RPCError(.unavailable, "no cobrems-node is registered with the edge: start one with `SPOTFINDER_TOKEN=… cobrems-node --edge HOST:PORT`")
        }
        let chunks: [[TiltSample]?]
        if let samples, samples.count > Self.minimumChunk {
            let capacity = nodes.reduce(0) { $0 + $1.capacity }
            let count = max(1, min(capacity, samples.count / Self.minimumChunk))
            let size = (samples.count + count - 1) / count
            chunks = stride(from: 0, to: samples.count, by: size).map { Array(samples[$0..<min(samples.count, $0 + size)]) }
        } else {
            chunks = [samples]
        }
        let beamline = request.beamlineMessage, orientation = request.orientationMessage
        let bins = computation.model(for: request).x.count
        do {
            return try await withThrowingTaskGroup(of: CoherentSum.self) { group in
                for chunk in chunks {
                    let message = PartialSumRequestMessage(beamline: beamline, orientation: orientation,
                                                           samples: (chunk ?? []).map(TiltSampleMessage.init))
                    group.addTask { try await runChunk(message, bins: bins, deadline: deadline) }
                }
                var total: CoherentSum?
                for try await part in group { total = total.map { $0 + part } ?? part }
                return total!
            }
        } catch let e as RPCError {
            throw e
        } catch {
            throw RPCError(.internalError, "\(error)")
        }
    }

    /// Most copies of one chunk sent (first try, hedges and retries together).
    static let maxAttemptsPerChunk = 6

    private enum ChunkEvent<T: Sendable>: Sendable {
        case answer(T)
        case failed(nodeId: String, RPCError)
        case hedgeTime
    }

    /// One slice of the spectrum's orientation set.
    func runChunk(_ message: PartialSumRequestMessage, bins: Int, deadline: Deadline) async throws(RPCError) -> CoherentSum {
        try await runChunk(deadline: deadline, pacedBy: pace, size: message.samples.count) { node in
            try await call(node, message, bins: bins, deadline: deadline)
        }
    }

    /// Any chunk of work (a spectrum slice, a block of map placements): `work` runs it on one node.
    /// Sent to `preferred` (a caller that deals chunks out itself) or the least loaded node; a copy goes
    /// to another node with room when it is slow (after `hedgeAfter`, or twice what `pacedBy` expects for
    /// `size` items), to a busy one only when it is far later than that (a stuck node); a failed copy
    /// is re-sent, to an untried node if any, else to one not already working on it. The first answer
    /// returns at once and the other copies are cancelled without waiting for them. It fails only when
    /// every copy failed and no node is left to try, or the deadline passed. The registry learns how
    /// each copy went (answers prove capacity, failures and stalls take a node out of rotation).
    public func runChunk<T: Sendable>(deadline: Deadline, hedgeAfter: Double = Self.hedgeAfterSeconds, preferred: NodeRegistry.Node? = nil,
                                      pacedBy pace: ChunkPace? = nil, size: Int = 0,
                                      _ work: @escaping @Sendable (NodeRegistry.Node) async throws -> T) async throws(RPCError) -> T {
        let (events, sink) = AsyncStream.makeStream(of: ChunkEvent<T>.self)
        var tasks: [Task<Void, Never>] = []
        var tried: Set<String> = [], running: [String: Int] = [:]
        var attempts = 0, hedges = 0, hedgeDelay = max(hedgeAfter, 2 * (pace?.expectedSeconds(samples: size) ?? 0))
        let began = Deadline.now
        var lastError = RPCError(.unavailable, "no cobrems-node could compute the chunk")
        defer {
            for t in tasks { t.cancel() }
            sink.finish()
        }
        func launch(_ node: NodeRegistry.Node, after delaySeconds: Double = 0) {
            attempts += 1
            registry.started(node.id)  // counted now, so the next pick sees this node busier
            tried.insert(node.id)
            running[node.id, default: 0] += 1
            let registry = registry, metrics = metrics
            tasks.append(Task {
                if delaySeconds > 0 { try? await Task.sleep(nanoseconds: UInt64(delaySeconds * 1e9)) }
                let started = Deadline.now
                do {
                    let value = try await work(node)
                    registry.finished(node, outcome: .answered)
                    let seconds = Double(Deadline.now &- started) / 1e9
                    pace?.record(seconds: seconds, samples: size)
                    metrics.observeChunk(seconds: seconds)
                    sink.yield(.answer(value))
                } catch {
                    let e = Self.rpcError(error)
                    let seconds = Double(Deadline.now &- started) / 1e9
                    let outcome: NodeRegistry.CallOutcome
                    if Task.isCancelled || e.code == .cancelled {
                        // Another copy answered first: a node that sat on it past the hedge delay is stalling.
                        outcome = seconds >= hedgeAfter ? .stalled : .neutral
                    } else {
                        outcome = e.code == .invalidArgument ? .neutral : .failed
                    }
                    registry.finished(node, outcome: outcome)
                    sink.yield(.failed(nodeId: node.id, e))
                }
            })
        }
        func armHedge() {
            let delay = hedgeDelay
            hedgeDelay = max(hedgeDelay, min(2 * hedgeDelay, 1))  // checked again at least every second
            tasks.append(Task {
                guard (try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))) != nil else { return }
                sink.yield(.hedgeTime)
            })
        }
        let preferredIsHere = preferred.map { p in registry.available().contains { $0.id == p.id } } ?? false
        guard let first = preferredIsHere ? preferred : registry.pick() else { throw lastError }
        launch(first)
        armHedge()
        for await event in events {
            switch event {
            case .answer(let sum):
                return sum
            case .failed(let nodeId, let error):
                running[nodeId, default: 1] -= 1
                lastError = error
                if error.code == .invalidArgument { throw error }  // the request itself is wrong: no node will do better
                guard !deadline.hasPassed else {
                    throw RPCError(.deadlineExceeded, "the request's deadline passed while its chunks were being computed")
                }
                if attempts < Self.maxAttemptsPerChunk {
                    let busy = Set(running.filter { $0.value > 0 }.keys)
                    if let next = registry.pick(excluding: tried) ?? registry.pick(excluding: busy) {
                        metrics.count("chunk_retries_total")
                        // The same node again: a short pause lets a transient fault (a restart, a full queue) pass.
                        launch(next, after: tried.contains(next.id) ? 0.05 * Double(attempts) : 0)
                        continue
                    }
                }
                if running.values.allSatisfy({ $0 <= 0 }) { throw lastError }
            case .hedgeTime:
                guard attempts < Self.maxAttemptsPerChunk, hedges < 2 else { continue }
                // A copy goes to a node with room; to a busy one only when this chunk has taken far longer
                // than chunks usually do (a stuck node), so hedges never double the work of a loaded pool.
                let waited = Double(Deadline.now &- began) / 1e9
                // Before any chunk has answered there is no pace to judge by: 2 s is stuck for any chunk size.
                let stuck = waited > max(4 * (pace?.expectedSeconds(samples: size) ?? 0.5), hedgeAfter)
                if let second = registry.pick(excluding: tried, withSpareCapacity: !stuck) {
                    hedges += 1
                    metrics.count("chunk_hedges_total")
                    launch(second)
                }
                armHedge()
            }
        }
        throw lastError
    }

    static func rpcError(_ error: any Error) -> RPCError {
        (error as? RPCError) ?? RPCError(.internalError, "\(error)")
    }

    /// One copy of a spectrum slice on one node.
    func call(_ node: NodeRegistry.Node, _ message: PartialSumRequestMessage, bins: Int, deadline: Deadline) async throws(RPCError) -> CoherentSum {
        let r: PartialSumResponseMessage = try await node.client.call(CobremsNodeService.computePartialSum, message,
                                                                      deadline: deadline, idempotent: true)
        // A node of another version (or a broken one) must not poison the sum.
        guard r.coherent.count == bins, r.polarized.count == bins, r.totalWeight.isFinite, r.totalWeight > 0,
              r.coherent.allSatisfy(\.isFinite), r.polarized.allSatisfy(\.isFinite) else {
            throw RPCError(.internalError, "node \(node.id) at \(node.address) returned a malformed partial sum (\(r.coherent.count) bins, expected \(bins))")
        }
        metrics.count("chunks_total")
        return CoherentSum(coherent: r.coherent, polarized: r.polarized, totalWeight: r.totalWeight)
    }
}

/// How long answered chunks take, as a moving average per orientation (plus a fixed cost counted as
/// `fixedSamples` orientations), so a large chunk is expected to take longer than a small one.
public final class ChunkPace: Sendable {
    public init() {}
    static let fixedSamples = 32.0
    private let perSample = Mutex<Double?>(nil)

    func expectedSeconds(samples: Int) -> Double? {
        perSample.withLock { $0 }.map { $0 * (Double(samples) + Self.fixedSamples) }
    }

    func record(seconds: Double, samples: Int) {
        let x = seconds / (Double(samples) + Self.fixedSamples)
        perSample.withLock { $0 = $0.map { 0.8 * $0 + 0.2 * x } ?? x }
    }
}
