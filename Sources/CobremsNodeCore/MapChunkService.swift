import API
import Dispatch
import RadiatorStore
import RPC
import SpotMap
import Topography
import Wire
import WireMapping

/// The node's share of a spot map: a block of placements, computed from what the request carries.
extension CobremsNodeService {
    public static let computeMapChunk = "/spotfinder.v1.CobremsNode/ComputeMapChunk"

    /// Seconds of CPU (the edge's in-process map) on a Dispatch worker, off Swift's cooperative threads,
    /// which other requests need. (The node's own methods run on its `PriorityThreads`, see `routes`.)
    public static func onWorkerThread<T: Sendable>(_ body: @escaping @Sendable () throws(RPCError) -> T) async throws(RPCError) -> T {
        let result: Result<T, RPCError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(RPCError) { continuation.resume(returning: .success(try body())) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// The chunk's placements; given up as soon as `shouldStop` says so (polled between placements: the
    /// caller went away or its deadline passed, and the cores are wanted elsewhere).
    public func mapChunk(_ m: MapChunkRequestMessage, shouldStop: @escaping @Sendable () -> Bool = { false }) throws(RPCError) -> MapChunkResponseMessage {
        let view: RadiatorView
        do throws(RadiatorError) {
            guard let message = m.view else { throw RadiatorError("view: a map chunk needs the radiator view") }
            view = try message.radiatorView()
            try Radiator(name: "chunk", thicknessMicrons: 50, views: [view]).validate()
        } catch {
            throw RPCError(.invalidArgument, "view: \(error.message)")
        }
        let plan: MapPlan
        do throws(ParameterError) {
            plan = try MapPlan(request: try SpotfinderRequest(query: m.query), view: view)
        } catch {
            throw error.rpcError
        }
        guard !m.placements.isEmpty else { return MapChunkResponseMessage([]) }
        if let bad = m.placements.first(where: { Int($0) >= plan.placements }) {
            throw RPCError(.invalidArgument, "placements: index \(bad) is past the map's \(plan.placements) placements")
        }
        let indices = m.placements.map { Int($0) }
        let engine = MapEngine(plan: plan, view: view, model: plan.fom.needsSpectrum ? computation.model(for: plan.request) : nil,
                               indices: indices)
        // One thread per chunk: the edge keeps every core busy with several chunks in flight.
        guard let results = engine.compute(indices, threads: 1, shouldStop: shouldStop) else {
            throw RPCError(.cancelled, "the node stopped computing \(indices.count) map placements: the caller went away or its deadline passed")
        }
        return MapChunkResponseMessage(results)
    }
}
