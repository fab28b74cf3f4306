import Dispatch
import Foundation
import RockingCurve
import RPC
import WireMapping

/// `spotfinder rci reduce SCAN_DIR --edge HOST:PORT` (or `--node HOST:PORT`): the hook that lets the
/// CLI's band-parallel reducer (RockingScan.ScanReducer, synchronous worker threads) send its tiles
/// to the cluster instead of reducing them here. Everything else (reading bands, thresholds, the
/// motor estimate's pass 2, writing maps) stays in the CLI; the maps are the same bit for bit.
public enum RemoteScanFlags {
    /// The flags the hook understands.
    public static let names: Set<String> = ["--edge", "--node"]
    /// Bands in flight when the user does not choose (`--workers`): enough to keep a few nodes busy.
    public static let defaultWorkers = 8

    /// The tile function for `--edge`/`--node`, or nil when neither was given. The deployment token
    /// comes from SPOTFINDER_TOKEN (never a command line: it shows in `ps`).
    public static func tileFunction(_ flags: [String: String],
                                    environment: [String: String] = ProcessInfo.processInfo.environment) throws(RPCError)
        -> (@Sendable (CurveTile, ScanFrames, ReductionOptions) throws(RockingCurveError) -> TileMaps)? {
        if flags["--edge"] != nil, flags["--node"] != nil {
            throw RPCError(.invalidArgument, "--edge and --node: give one (the edge spreads tiles over all its nodes)")
        }
        guard let address = flags["--edge"] ?? flags["--node"] else { return nil }
        guard RPCClient.split(address) != nil else {
            throw RPCError(.invalidArgument, "\(flags["--edge"] != nil ? "--edge" : "--node") \(address): give HOST:PORT of the RPC port (the edge's is 7100)")
        }
        let reducer = try RemoteTileReducer(address: address, token: environment["SPOTFINDER_TOKEN"])
        return { (tile, frames, options) throws(RockingCurveError) in
            do throws(RPCError) {
                return try reducer.reduceBlocking(try TileReductionJob(tile: tile, frames: frames, options: options)).maps
            } catch {
                throw RockingCurveError(parameter: "tile", message: "\(address) could not reduce it: \(error.code): \(error.message)")
            }
        }
    }
}

extension TileReducer {
    /// The reduction awaited from a synchronous thread (a worker of the CLI's band pool, never a
    /// thread of the Swift concurrency pool, which the call itself needs).
    public func reduceBlocking(_ job: TileReductionJob) throws(RPCError) -> TileReduction.Outcome {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do throws(RPCError) { box.result = .success(try await self.reduce(job)) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// Hands one result from the task to the waiting thread (the semaphore orders the two accesses).
private final class ResultBox: @unchecked Sendable {
    var result: Result<TileReduction.Outcome, RPCError>?
}
