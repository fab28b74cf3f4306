import Foundation
import RockingCurve
import RPC
import WireMapping

/// Tiles reduced in this process, on Dispatch's worker threads (never the Swift concurrency
/// pool's: a tile takes CPU seconds). Also what a node and the edge run for a ReduceTile request.
public struct InProcessTileReducer: TileReducer {
    public let parallelism: Int

    public init(parallelism: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.parallelism = max(1, parallelism)
    }

    public func reduce(_ job: TileReductionJob) async throws(RPCError) -> TileReduction.Outcome {
        let result: Result<TileReduction.Outcome, RPCError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Result { () throws(RPCError) in try Self.run(job) }) }
        }
        return try result.get()
    }

    /// The job's reduction, synchronously: pass 1 (the maps), then pass 2 when asked.
    /// `shouldStop` (the caller left, its deadline passed) stops it between pixels with an error.
    public static func run(_ job: TileReductionJob, shouldStop: (() -> Bool)? = nil) throws(RPCError) -> TileReduction.Outcome {
        do throws(RockingCurveError) {
            let maps = try TileReduction.reduce(job.tile, frames: job.frames, options: job.options, shouldStop: shouldStop)
            let sums = job.motorResiduals
                ? try MotorCorrection.residualSums(job.tile, frames: job.frames, maps: maps, options: job.options) : nil
            return TileReduction.Outcome(maps: maps, motorSums: sums)
        } catch {
            throw error.rpcError
        }
    }
}
