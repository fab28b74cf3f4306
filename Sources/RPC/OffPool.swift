import Foundation

/// Run blocking work (connect, long reads) on a thread of its own, never on the
/// Swift concurrency pool, which has only about one thread per core.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let t = Thread { continuation.resume(returning: body()) }
        t.stackSize = 256 << 10
        t.start()
    }
}
