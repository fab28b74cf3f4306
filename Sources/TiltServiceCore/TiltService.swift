import API
import RPC
import ServiceClients
import Topography
import Wire
import WireMapping

/// The tilt-service's method: beam spot × view → tilt distribution, fractions, moments, overlay.
public struct TiltService: Sendable {
    public static let computeTilt = "/spotfinder.v1.TiltService/ComputeTilt"

    public let store: TopographStoreClient

    public init(store: TopographStoreClient) {
        self.store = store
    }

    public var routes: RPCRoutes {
        var r = RPCRoutes()
        r.unary(Self.computeTilt) { (m: TiltRequestMessage, context) in try await compute(m, deadline: context.deadline) }
        return r
    }

    public func compute(_ m: TiltRequestMessage, deadline: Deadline) async throws(RPCError) -> TiltResponseMessage {
        let request: SpotfinderRequest
        do { request = try m.request() } catch { throw error.rpcError }
        guard !m.radiatorName.isEmpty, m.radiatorName != "ideal" else {
            throw RPCError(.invalidArgument, "radiator_name: the tilt distribution needs a radiator with a topograph")
        }
        let (view, _) = try await store.view(name: m.radiatorName, side: request.viewSide, deadline: deadline)
        let t = TiltDistribution(view: view, placement: request.placement, spot: request.beamSpot, histogram: request.tiltHistogram)
        return TiltResponseMessage(t, grid: view.grid)
    }
}
