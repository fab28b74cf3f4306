import API
import CobremsNodeCore
import Foundation
import Physics
import PlotRendererCore
import Plots
import RPC
import Scheduling
import SpotMap
import Topography
import Wire
import WireMapping

/// The spot map at the edge: the radiator's view from the store, the placements
/// spread over the nodes in chunks, the answer assembled.
extension EdgeApp {
    public static let computeMap = "/spotfinder.v1.Edge/ComputeMap"

    public func map(_ request: SpotfinderRequest, deadline: Deadline) async throws(RPCError) -> MapResponse {
        let start = Deadline.now
        guard let name = try await radiatorName(for: request, deadline: deadline) else {
            throw RPCError(.invalidArgument, "radiator_name = ideal: a perfect crystal is the same everywhere and has no map; name a radiator")
        }
        // The radiator's own thickness, crystal and mount, as /api/spectrum computes at each placement.
        let request = try await withRadiatorDefaults(request, radiator: name, deadline: deadline)
        let (view, _) = try await store.view(name: name, side: request.viewSide, deadline: deadline)
        let plan: MapPlan
        do { plan = try MapPlan(request: request, view: view) } catch { throw error.rpcError }
        let results = try await compute.mapPlacements(plan: plan, view: view, deadline: deadline)
        return MapResponse(plan: plan, results: results, radiatorName: name, seconds: Double(Deadline.now - start) / 1e9)
    }

    /// plot_type=map: the map drawn over the radiator (PNG), or its cells as CSV / JSON.
    func mapPlot(_ request: SpotfinderRequest, deadline: Deadline) async throws(RPCError) -> PlotOutput {
        let answer = try await map(request, deadline: deadline)
        let (view, _) = try await store.view(name: answer.radiator_name, side: request.viewSide, deadline: deadline)
        // Data downloads: one row per placement with the best spots and the goniometer to use.
        switch request.word("format") {
        case "csv": return PlotOutput.csv(SpotMapExport.csv(answer, view: view)).carrying(request)
        case "json": return PlotOutput.json(SpotMapExport.json(answer)).carrying(request)
        default: break
        }
        let m = PlotRequests.spotMap(answer, view: view, request: request)
        return try await mapOutput(m, request: request, coarser: "a larger map_step", deadline: deadline)
    }

    /// Edge/ComputeMap for lab tools: the query of GET /api/map in, the same content out.
    public func addMapRoute(to routes: inout RPCRoutes) {
        // Batch: a deadline of at most 120 s (required from anonymous callers), the caller's admission
        // budget, and cancellation on every node when the caller goes away.
        routes.unary(Self.computeMap, policy: .batch(maxSeconds: EdgeHTTP.mapSeconds)) { (m: SpotMapRequestMessage, context) -> SpotMapResponseMessage in
            let request: SpotfinderRequest
            do throws(ParameterError) { request = try SpotfinderRequest(query: m.query) } catch { throw error.rpcError }
            let ticket: AdmissionTicket
            do throws(AdmissionRefusal) { ticket = try await admission.admit(context.client) } catch {
                throw RPCError(error.cancelled ? .cancelled : .resourceExhausted, error.message)
            }
            defer { ticket.release() }
            let deadline = context.deadline.isNone ? Deadline.after(seconds: EdgeHTTP.mapSeconds) : context.deadline
            return SpotMapResponseMessage(try await map(request, deadline: deadline))
        }
    }
}

extension DistributedCompute {
    /// Fewest placements worth a chunk of their own.
    static let minimumMapChunk = 12
    /// Chunks per offered core: several, so a slow node holds back only a small share.
    static let mapChunksPerCore = 3

    /// Every placement of the plan: contiguous blocks (compact lattice regions) spread over the
    /// nodes with the spectra's retries and hedging; in this process when no node is registered
    /// and the edge was started with --compute-in-process.
    public func mapPlacements(plan: MapPlan, view: RadiatorView, deadline: Deadline) async throws(RPCError) -> [PlacementResult] {
        let nodes = registry.healthy()
        guard !nodes.isEmpty else {
            guard computeInProcessWithoutNodes else {
                throw RPCError(.unavailable, "no cobrems-node is registered with the edge: start one with `SPOTFINDER_TOKEN=… cobrems-node --edge HOST:PORT`")
            }
            metrics.count("in_process_computations_total")
            let engine = MapEngine(plan: plan, view: view, model: plan.fom.needsSpectrum ? computation.model(for: plan.request) : nil)
            // Stopped at the deadline or when the caller goes away: nobody waits for the answer, and the cores are wanted.
            let flag = CancellationFlag()
            let outcome = await withTaskCancellationHandler { () async -> Result<[PlacementResult], RPCError> in
                do throws(RPCError) { return .success(try await CobremsNodeService.onWorkerThread { () throws(RPCError) in
                    guard let results = engine.compute(Array(0..<plan.placements), shouldStop: { deadline.hasPassed || flag.isCancelled }) else {
                        if flag.isCancelled { throw RPCError(.cancelled, "the spot map was cancelled: the caller went away") }
                        throw RPCError(.deadlineExceeded, "the spot map of \(plan.placements) placements took longer than its deadline: use a larger map_step or a smaller extent")
                    }
                    return results
                }) } catch { return .failure(error) }
            } onCancel: {
                flag.cancel(reason: "the caller went away")
            }
            return try outcome.get()
        }
        let capacity = nodes.reduce(0) { $0 + $1.capacity }
        let total = plan.placements
        let count = max(1, min(Self.mapChunksPerCore * capacity, total / Self.minimumMapChunk))
        let size = (total + count - 1) / count
        let ranges = stride(from: 0, to: total, by: size).map { $0..<min(total, $0 + size) }
        let query = plan.request.canonicalQuery, viewMessage = RadiatorViewMessage(view)
        // Hedge only a chunk that is clearly late: a few times its expected time.
        let perPlacement = plan.fom.needsSpectrum ? 0.01 : 0.001
        let hedgeAfter = max(2, 4 * perPlacement * Double(size))
        metrics.count("map_requests_total")
        // Dealt out in turn, each node as often as it has cores: chunks spread evenly from the start.
        let dealer = nodes.flatMap { n in Array(repeating: n, count: n.capacity) }
        do {
            return try await withThrowingTaskGroup(of: (Int, [PlacementResult]).self) { group in
                for (i, range) in ranges.enumerated() {
                    let message = MapChunkRequestMessage(query: query, view: viewMessage, placements: range.map { UInt32($0) })
                    group.addTask {
                        (i, try await runChunk(deadline: deadline, hedgeAfter: hedgeAfter, preferred: dealer[i % dealer.count]) { node in
                            try await callMap(node, message, count: range.count, deadline: deadline)
                        })
                    }
                }
                var parts = [[PlacementResult]](repeating: [], count: ranges.count)
                for try await (i, part) in group { parts[i] = part }
                return parts.flatMap { $0 }
            }
        } catch let e as RPCError {
            throw e
        } catch {
            throw RPCError(.internalError, "\(error)")
        }
    }

    /// One block on one node (runChunk keeps the node's record: in flight, answers, failures).
    func callMap(_ node: NodeRegistry.Node, _ message: MapChunkRequestMessage, count: Int, deadline: Deadline) async throws -> [PlacementResult] {
        let r: MapChunkResponseMessage = try await node.client.call(CobremsNodeService.computeMapChunk, message, deadline: deadline, idempotent: true)
        guard let results = r.placementResults(count: count) else {
            throw RPCError(.internalError, "node \(node.id) at \(node.address) returned a malformed map chunk (expected \(count) placements)")
        }
        metrics.count("map_chunks_total")
        return results
    }
}
