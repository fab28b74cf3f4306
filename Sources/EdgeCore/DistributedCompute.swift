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
/// to their capacity, sent in parallel, partial sums added up. A chunk whose
/// node fails is re-sent elsewhere; one that is slow is hedged with a copy on
/// another node (first answer wins), all within the request's deadline.
public struct DistributedCompute: Sendable {
    public let registry: NodeRegistry
    public let computation: SpectrumComputation
    public let metrics: EdgeMetrics
    /// Compute here when no node is registered (instead of UNAVAILABLE).
    public let computeInProcessWithoutNodes: Bool
    /// Smallest slice worth a network round trip.
    public static let minimumChunk = 32
    /// How long a chunk may run before a copy is sent to another node.
    public static let hedgeAfterSeconds = 0.25

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
        let nodes = registry.healthy()
        guard !nodes.isEmpty else {
            if computeInProcessWithoutNodes {
                metrics.count("in_process_computations_total")
                return computation.coherentSum(for: request, samples: samples)
            }
            throw RPCError(.unavailable, "no cobrems-node is registered with the edge: start one with `cobrems-node --edge HOST:PORT --token …`")
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

    /// One chunk: a node, retries elsewhere on failure, a hedged copy when slow.
    func runChunk(_ message: PartialSumRequestMessage, bins: Int, deadline: Deadline) async throws(RPCError) -> CoherentSum {
        try await runChunk(deadline: deadline) { node in try await call(node, message, bins: bins, deadline: deadline) }
    }

    /// Any chunk of work (a spectrum slice, a block of map placements): `work` runs it on one node;
    /// a failure is retried on another node, a chunk slower than `hedgeAfter` seconds is hedged with a copy elsewhere.
    /// `preferred`: the node for the first attempt (a caller that deals chunks out itself), else the least loaded.
    public func runChunk<T: Sendable>(deadline: Deadline, hedgeAfter: Double = Self.hedgeAfterSeconds, preferred: NodeRegistry.Node? = nil,
                                      _ work: @escaping @Sendable (NodeRegistry.Node) async throws -> T) async throws(RPCError) -> T {
        let tried = TriedNodes()
        var lastError = RPCError(.unavailable, "no cobrems-node could compute the chunk")
        for attempt in 0..<3 {
            guard !deadline.hasPassed else { throw RPCError(.deadlineExceeded, "the request's deadline passed while computing the spectrum") }
            let candidate = attempt == 0 && preferred.map { p in registry.healthy().contains { $0.id == p.id } } == true ? preferred : nil
            guard let first = candidate ?? registry.pick(excluding: tried.all) else { break }
            tried.insert(first.id)
            if attempt > 0 { metrics.count("chunk_retries_total") }
            do throws(RPCError) {
                return try await race(first: first, tried: tried, hedgeAfter: hedgeAfter, work)
            } catch {
                lastError = error
                if error.code == .invalidArgument { throw error }  // the request itself is wrong: no node will do better
            }
        }
        throw lastError
    }

    /// Send to `first`; if it has not answered after the hedge delay, also send to another node
    /// (first answer wins). If `first` fails before a hedge was sent, fail at once so the caller
    /// retries elsewhere; if a hedge is already running, wait for it.
    func race<T: Sendable>(first: NodeRegistry.Node, tried: TriedNodes, hedgeAfter: Double,
                           _ work: @escaping @Sendable (NodeRegistry.Node) async throws -> T) async throws(RPCError) -> T {
        typealias Outcome = ChunkOutcome<T>
        let hedging = HedgeFlag()
        return try await withTaskGroup(of: (primary: Bool, outcome: Outcome).self) { group -> Result<T, RPCError> in
            group.addTask {
                do { return (true, .answer(try await work(first))) } catch {
                    return (true, .failed(Self.rpcError(error)))
                }
            }
            group.addTask {
                do { try await Task.sleep(nanoseconds: UInt64(hedgeAfter * 1e9)) } catch { return (false, .noHedge) }
                guard let second = registry.pick(excluding: tried.all) else { return (false, .noHedge) }
                tried.insert(second.id)
                hedging.start()
                metrics.count("chunk_hedges_total")
                do { return (false, .answer(try await work(second))) } catch {
                    return (false, .failed(Self.rpcError(error)))
                }
            }
            var failure: RPCError?
            while let next = await group.next() {
                switch next.outcome {
                case .answer(let value):
                    group.cancelAll()
                    return .success(value)
                case .noHedge:
                    continue
                case .failed(let e):
                    failure = failure ?? e
                    if next.primary && !hedging.started { group.cancelAll() }
                }
            }
            return .failure(failure ?? RPCError(.unavailable, "no cobrems-node answered"))
        }.get()
    }

    static func rpcError(_ error: any Error) -> RPCError {
        (error as? RPCError) ?? RPCError(.internalError, "\(error)")
    }

    func call(_ node: NodeRegistry.Node, _ message: PartialSumRequestMessage, bins: Int, deadline: Deadline) async throws -> CoherentSum {
        registry.started(node.id)
        var succeeded = false
        defer { registry.finished(node.id, succeeded: succeeded) }
        let r: PartialSumResponseMessage = try await node.client.call(CobremsNodeService.computePartialSum, message,
                                                                      deadline: deadline, idempotent: true)
        // A node of another version (or a broken one) must not poison the sum.
        guard r.coherent.count == bins, r.polarized.count == bins, r.totalWeight.isFinite, r.totalWeight > 0,
              r.coherent.allSatisfy(\.isFinite), r.polarized.allSatisfy(\.isFinite) else {
            throw RPCError(.internalError, "node \(node.id) at \(node.address) returned a malformed partial sum (\(r.coherent.count) bins, expected \(bins))")
        }
        succeeded = true
        metrics.count("chunks_total")
        return CoherentSum(coherent: r.coherent, polarized: r.polarized, totalWeight: r.totalWeight)
    }
}


/// How one copy of a chunk ended.
enum ChunkOutcome<T: Sendable>: Sendable { case answer(T), failed(RPCError), noHedge }

/// Whether a chunk's hedged copy has been sent.
final class HedgeFlag: Sendable {
    private let flag = Mutex(false)
    var started: Bool { flag.withLock { $0 } }
    func start() { flag.withLock { $0 = true } }
}

/// The nodes a chunk has been sent to (shared by its attempts and its hedge).
final class TriedNodes: Sendable {
    private let ids = Mutex<Set<String>>([])
    var all: Set<String> { ids.withLock { $0 } }
    func insert(_ id: String) { ids.withLock { _ = $0.insert(id) } }
}
