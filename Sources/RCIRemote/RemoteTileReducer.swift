import Foundation
import RockingCurve
import RPC
import Wire
import WireMapping

/// Tiles reduced over RPC: `CobremsNode/ReduceTile` at an edge (which sends each tile to one of
/// its nodes, re-sending it if that node fails) or at one node. The client says hello with the
/// deployment token (a known client); each tile has its own deadline.
public struct RemoteTileReducer: TileReducer {
    public static let method = "/spotfinder.v1.CobremsNode/ReduceTile"

    public let client: RPCClient
    public let parallelism: Int
    /// Seconds one tile may take, end to end.
    public let tileSeconds: Double

    /// - Parameters:
    ///   - address: HOST:PORT of an edge's RPC port (default 7100) or of one cobrems-node.
    ///   - token: the deployment token (SPOTFINDER_TOKEN), or nil.
    ///   - parallelism: tiles in flight; about twice the cluster's cores keeps every node busy.
    public init(address: String, token: String?, parallelism: Int = 8, tileSeconds: Double = 300) throws(RPCError) {
        var config = RPCClientConfig(token: token)
        config.sendTimeoutSeconds = max(config.sendTimeoutSeconds, 60)
        self.client = try RPCClient(address: address, config: config)
        self.parallelism = max(1, parallelism)
        self.tileSeconds = tileSeconds
    }

    public func reduce(_ job: TileReductionJob) async throws(RPCError) -> TileReduction.Outcome {
        let response: ReduceTileResponseMessage = try await client.call(Self.method, ReduceTileRequestMessage(job),
                                                                         deadline: .after(seconds: tileSeconds), idempotent: true)
        return try response.outcome(for: job)
    }
}

extension ReduceTileResponseMessage {
    public init(_ outcome: TileReduction.Outcome) {
        self.init(maps: TileMapsMessage(outcome.maps), motorSums: outcome.motorSums.map(MotorResidualSumsMessage.init))
    }

    /// The answer to `job`, checked against it (pixels, method, the sums when asked for).
    public func outcome(for job: TileReductionJob) throws(RPCError) -> TileReduction.Outcome {
        guard let maps else { throw RPCError(.internalError, "malformed ReduceTile answer: no maps") }
        let tileMaps = try maps.tileMaps(pixelCount: job.tile.pixelCount, method: job.options.method)
        var sums: MotorResidualSums?
        if job.motorResiduals {
            guard let m = motorSums else { throw RPCError(.internalError, "malformed ReduceTile answer: the motor sums asked for are missing") }
            sums = try m.sums(frameCount: job.frames.count)
        }
        return TileReduction.Outcome(maps: tileMaps, motorSums: sums)
    }
}
