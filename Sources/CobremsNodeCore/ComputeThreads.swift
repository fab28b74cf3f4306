import Foundation
import RPC

/// CPU-bound work on a fixed number of threads of its own, queued in order.
/// Keeping it off the Swift concurrency pool (about one thread per core)
/// leaves that pool free for heartbeats and the RPC server, so a node busy
/// computing still heartbeats on time and is not expired by the edge.
public final class ComputeThreads: @unchecked Sendable {
    // OperationQueue is thread-safe; it is only configured in init.
    private let queue = OperationQueue()

    public let count: Int

    public init(count: Int) {
        self.count = max(1, count)
        queue.maxConcurrentOperationCount = self.count
        queue.name = "cobrems-compute"
    }

    /// Run `work` when a thread is free; work whose deadline has passed by then is skipped.
    public func run<T: Sendable>(deadline: Deadline, _ work: @escaping @Sendable () throws(RPCError) -> T) async throws(RPCError) -> T {
        let result: Result<T, RPCError> = await withCheckedContinuation { continuation in
            queue.addOperation {
                guard !deadline.hasPassed else {
                    continuation.resume(returning: .failure(RPCError(.deadlineExceeded, "the deadline passed while the request waited for a compute thread")))
                    return
                }
                continuation.resume(returning: Result { () throws(RPCError) in try work() })
            }
        }
        return try result.get()
    }
}
