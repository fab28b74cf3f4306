import Foundation
import RPC

/// CPU-bound work on a fixed number of threads of its own, queued in order.
/// Not the Swift concurrency pool and not Dispatch's (on Linux both share a
/// few worker threads): a node busy computing must still heartbeat on time,
/// or the edge drops it from the pool.
public final class ComputeThreads: @unchecked Sendable {
    public let count: Int
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0

    public init(count: Int) {
        self.count = max(1, count)
        for i in 0..<self.count {
            let t = Thread { [self] in work() }
            t.name = "cobrems-compute-\(i)"
            t.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }

    /// Run `work` when a thread is free; work whose deadline has passed by then is skipped.
    public func run<T: Sendable>(deadline: Deadline, _ work: @escaping @Sendable () throws(RPCError) -> T) async throws(RPCError) -> T {
        let result: Result<T, RPCError> = await withCheckedContinuation { continuation in
            condition.lock()
            jobs.append {
                guard !deadline.hasPassed else {
                    continuation.resume(returning: .failure(RPCError(.deadlineExceeded, "the deadline passed while the request waited for a compute thread")))
                    return
                }
                continuation.resume(returning: Result { () throws(RPCError) in try work() })
            }
            condition.signal()
            condition.unlock()
        }
        return try result.get()
    }
}
