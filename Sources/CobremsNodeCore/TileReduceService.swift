import RCIRemote
import RockingCurve
import RPC
import Wire
import WireMapping

/// The node's share of a rocking-curve reduction: one tile, reduced from what the request carries
/// (nodes keep no state), on the node's compute threads (see `routes`).
extension CobremsNodeService {
    public static let reduceTile = RemoteTileReducer.method

    public func reduceTile(_ m: ReduceTileRequestMessage) throws(RPCError) -> ReduceTileResponseMessage {
        ReduceTileResponseMessage(try InProcessTileReducer.run(try m.job()))
    }
}
