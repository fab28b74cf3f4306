import CobremsNodeCore
import Foundation
import RCIRemote
import RockingCurve
import RPC
import Wire
import WireMapping

/// Rocking-curve tiles through the edge: `CobremsNode/ReduceTile` answered by one of the registered
/// nodes, with the spectra's retries and hedges, so a lab tool or the CLI points the same call at one
/// node or at the edge, and a node that dies mid-tile costs a re-send, never the tile.
///
/// The request's bytes are passed on as they came (the edge does not decode megabytes of counts it
/// does not compute on); the node validates them, and its INVALID_ARGUMENT reaches the caller at once
/// (no other node would answer differently). The answer is decoded and checked before it is passed
/// on, so a broken node's answer is re-sent elsewhere instead of reaching the caller.
extension DistributedCompute {
    /// How long tiles take (per KiB of request): a tile is hedged when it is clearly late.
    static let tilePace = ChunkPace()
    /// The shortest a tile runs before a copy may go to another node.
    static let tileHedgeAfterSeconds = 2.0

    public func reduceTile(payload: Data, deadline: Deadline) async throws(RPCError) -> Data {
        guard !registry.healthy().isEmpty else {
            guard computeInProcessWithoutNodes else {
                throw RPCError(.unavailable, "no cobrems-node is registered with the edge: start one with `SPOTFINDER_TOKEN=… cobrems-node --edge HOST:PORT`")
            }
            metrics.count("in_process_computations_total")
            let message: ReduceTileRequestMessage
            do throws(WireError) { message = try ReduceTileRequestMessage(serializedBytes: payload) } catch {
                throw RPCError(.invalidArgument, "the payload is not a valid \(ReduceTileRequestMessage.protoName): \(error.message)")
            }
            let job = try message.job()
            return try Self.encode(ReduceTileResponseMessage(try await InProcessTileReducer().reduce(job)))
        }
        metrics.count("tiles_total")
        let size = payload.count / 1024
        return try await runChunk(deadline: deadline, hedgeAfter: Self.tileHedgeAfterSeconds, pacedBy: Self.tilePace, size: size) { node in
            try await callTile(node, payload: payload, deadline: deadline)
        }
    }

    /// One copy of a tile on one node; its answer checked for consistency (sizes, codes).
    func callTile(_ node: NodeRegistry.Node, payload: Data, deadline: Deadline) async throws -> Data {
        let envelope = try await node.client.callRaw(CobremsNodeService.reduceTile, payload: payload, deadline: deadline, idempotent: true)
        let answer: ReduceTileResponseMessage
        do { answer = try ReduceTileResponseMessage(serializedBytes: envelope.payload) } catch {
            throw RPCError(.internalError, "node \(node.id) at \(node.address) answered ReduceTile with a malformed message: \(error)")
        }
        guard let maps = answer.maps, let method = PeakMethod(rawValue: maps.method) else {
            throw RPCError(.internalError, "node \(node.id) at \(node.address) answered ReduceTile without maps")
        }
        _ = try maps.tileMaps(pixelCount: Int(maps.pixelCount), method: method)
        metrics.count("tile_chunks_total")
        return envelope.payload
    }

    static func encode(_ m: some WireMessage) throws(RPCError) -> Data {
        do throws(WireError) { return Data(try m.serializedBytes()) } catch {
            throw RPCError(.internalError, "cannot encode \(type(of: m).protoName): \(error.message)")
        }
    }

    /// The ReduceTile route (the edge answers the node's own method).
    public func addReduceTileRoute(to routes: inout RPCRoutes) {
        routes.raw(CobremsNodeService.reduceTile, policy: .batch(maxSeconds: 300)) { payload, context in
            let deadline = context.deadline.isNone ? Deadline.after(seconds: 300) : context.deadline
            do throws(RPCError) { return .success(try await reduceTile(payload: payload, deadline: deadline)) } catch {
                return .failure(error)
            }
        }
    }
}
