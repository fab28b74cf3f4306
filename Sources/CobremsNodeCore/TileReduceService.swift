import RCIRemote
import RockingCurve
import RPC
import Wire
import WireMapping

/// The node's share of a rocking-curve reduction: one tile, reduced from what the request carries
/// (nodes keep no state), on the node's compute threads (see `routes`).
extension CobremsNodeService {
    public static let reduceTile = RemoteTileReducer.method

    /// `shouldStop` is the call's `context.shouldStop`: an abandoned tile stops within a few hundred pixels.
    public func reduceTile(_ m: ReduceTileRequestMessage, shouldStop: (() -> Bool)? = nil) throws(RPCError) -> ReduceTileResponseMessage {
        ReduceTileResponseMessage(try InProcessTileReducer.run(try m.job(), shouldStop: shouldStop))
    }
}
