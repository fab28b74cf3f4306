import Foundation
import Synchronization
import Topography

/// Independent jobs (one per scan, one per view) spread over the cores, results in job order.
enum ParallelJobs {
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1, ParallelRows.cores > 1 else { return (0..<count).map(body) }
        let results = Mutex([T?](repeating: nil, count: count))
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(ParallelRows.cores, count)) { _ in
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < count else { break }
                let value = body(i)
                results.withLock { $0[i] = value }
            }
        }
        return results.withLock { $0.map { $0! } }
    }
}
