import Foundation

/// Splits a loop over image rows between the machine's cores when the image is large enough to pay for
/// the threads (the machine has two; a 850 × 850 sweep is ~1 ms, a 100 × 100 one is not worth a thread).
public enum ParallelRows {
    public static let cores = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    static let minimumCellsForThreads = 60_000

    /// Calls `body(lo, hi)` on disjoint row ranges covering 0..<rows; the ranges may run at the same time,
    /// so `body` must only write rows it was given (or cells a red–black colouring keeps apart).
    public static func run(rows: Int, minimumCells: Int = Int.max, _ body: (Int, Int) -> Void) {
        let parts = minimumCells >= minimumCellsForThreads && minimumCells != Int.max ? min(cores, rows) : 1
        if parts <= 1 { body(0, rows); return }
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedBox(escapable)
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                box.value(rows * k / parts, rows * (k + 1) / parts)
            }
        }
    }
}

/// Lets a non-Sendable closure cross into `concurrentPerform`; `ParallelRows.run` guarantees the calls
/// touch disjoint memory.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
