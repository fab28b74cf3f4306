import Dispatch
import Foundation

/// Runs `body(0..<count)` on `workers` threads (worker w takes items w, w + workers, …), so at
/// most `workers` items are in flight; results in item order; the first error (by item) is thrown.
func parallelMap<T, E: Error>(_ count: Int, workers: Int, _ body: (Int) throws(E) -> T) throws(E) -> [T] {
    let slots = ResultSlots<T, E>(count: count)
    let threads = max(1, min(workers, count))
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for i in stride(from: worker, to: count, by: threads) {
                if slots.failed { return }
                do throws(E) { slots.set(i, .success(try shared.value(i))) } catch { slots.set(i, .failure(error)) }
            }
        }
    }
    return try slots.collect()
}

/// Runs `body` for every item for its effects.
func parallelMap<E: Error>(_ count: Int, workers: Int, _ body: (Int) throws(E) -> Void) throws(E) {
    let _: [Void] = try parallelMap(count, workers: workers, body)
}

private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

private final class ResultSlots<T, E: Error>: @unchecked Sendable {
    private var results: [Result<T, E>?]
    private let lock = NSLock()
    private(set) var failed = false

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<T, E>) {
        lock.lock()
        results[i] = r
        if case .failure = r { failed = true }
        lock.unlock()
    }

    func collect() throws(E) -> [T] {
        var out: [T] = []
        out.reserveCapacity(results.count)
        for r in results {
            guard let r else { continue }
            out.append(try r.get())
        }
        return out
    }
}

/// A thread-safe counter (bands done, for the progress line).
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

/// Seconds since the last lap.
final class Stopwatch {
    private var last = DispatchTime.now().uptimeNanoseconds
    func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { last = now }
        return Double(now - last) * 1e-9
    }
}
