import RockingCurve
import RPC
import WireMapping

/// Reduces tiles of a rocking-curve scan, wherever the work happens: in this process, on one
/// cobrems-node, or through the edge over all of its nodes. The CLI reduces a scan as tiles given
/// to a reducer, `parallelism` at a time; the answer is the same bit for bit whichever it is
/// (`TileReduction.reduce` is a pure function of the tile).
public protocol TileReducer: Sendable {
    /// Tiles worth having in flight at once (cores here, or a few per core of the cluster).
    var parallelism: Int { get }
    /// The tile's maps and, when `job.motorResiduals`, pass 2 of the motor correction over it.
    /// Refusals of the input are INVALID_ARGUMENT naming the field; remote failures keep their status.
    func reduce(_ job: TileReductionJob) async throws(RPCError) -> TileReduction.Outcome
}

extension TileReduction {
    /// What reducing one tile gives: its maps, and the motor-correction sums when they were asked for.
    public struct Outcome: Sendable, Equatable {
        public let maps: TileMaps
        public let motorSums: MotorResidualSums?

        public init(maps: TileMaps, motorSums: MotorResidualSums?) {
            self.maps = maps
            self.motorSums = motorSums
        }
    }
}

extension TileReducer {
    /// Convenience for one tile's maps.
    public func reduce(_ tile: CurveTile, frames: ScanFrames, options: ReductionOptions) async throws(RPCError) -> TileMaps {
        try await reduce(try TileReductionJob(tile: tile, frames: frames, options: options)).maps
    }

    /// Every job, at most `parallelism` in flight, answers in the jobs' order (the first failure ends it).
    public func reduceAll(_ jobs: [TileReductionJob]) async throws(RPCError) -> [TileReduction.Outcome] {
        do {
            return try await withThrowingTaskGroup(of: (Int, TileReduction.Outcome).self) { group in
                var results = [TileReduction.Outcome?](repeating: nil, count: jobs.count)
                var next = 0
                func launch() {
                    let i = next, job = jobs[i]
                    next += 1
                    group.addTask { (i, try await reduce(job)) }
                }
                while next < min(jobs.count, max(1, parallelism)) { launch() }
                while let (i, outcome) = try await group.next() {
                    results[i] = outcome
                    if next < jobs.count { launch() }
                }
                return results.map { $0! }
            }
        } catch let e as RPCError {
            throw e
        } catch {
            throw RPCError(.internalError, "\(error)")
        }
    }
}
