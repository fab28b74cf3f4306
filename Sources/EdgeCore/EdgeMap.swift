import API
import Foundation
import Physics
import RPC
import SpotMap
import Topography
import Wire
import WireMapping

/// The spot map at the edge: the radiator's view from the store, the placements
/// computed (spread over the nodes), the answer assembled.
extension EdgeApp {
    public func map(_ request: SpotfinderRequest, deadline: Deadline) async throws(RPCError) -> MapResponse {
        let start = Deadline.now
        guard let name = try await radiatorName(for: request, deadline: deadline) else {
            throw RPCError(.invalidArgument, "radiator_name = ideal: a perfect crystal is the same everywhere and has no map; name a radiator")
        }
        let (view, _) = try await store.view(name: name, side: request.viewSide, deadline: deadline)
        let plan: MapPlan
        do { plan = try MapPlan(request: request, view: view) } catch { throw error.rpcError }
        let results = try await compute.mapPlacements(plan: plan, view: view, deadline: deadline)
        return MapResponse(plan: plan, results: results, radiatorName: name, seconds: Double(Deadline.now - start) / 1e9)
    }
}

extension DistributedCompute {
    /// Every placement of the plan.
    public func mapPlacements(plan: MapPlan, view: RadiatorView, deadline: Deadline) async throws(RPCError) -> [PlacementResult] {
        let model = plan.fom.needsSpectrum ? computation.model(for: plan.request) : nil
        let engine = MapEngine(plan: plan, view: view, model: model)
        metrics.count("map_in_process_total")
        return await Task.detached { engine.compute(Array(0..<plan.placements)) }.value
    }
}
