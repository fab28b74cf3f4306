import Foundation
import Scheduling
import Testing

@Suite struct PriorityThreadsTests {
    /// Every batch thread is held by a job that has not finished: interactive work still runs at once
    /// (it has threads batch work never takes), and batch threads run at the lower priority.
    @Test func interactiveWorkNeverWaitsBehindRunningBatchWork() async throws {
        let threads = PriorityThreads(interactiveThreads: 1, batchThreads: 2, batchNice: 10, name: "test")
        // The batch jobs block their own threads (never a pool thread: the test only polls).
        let release = DispatchSemaphore(value: 0)
        let nices = NiceLog()
        var batch: [Task<Int?, Never>] = []
        for _ in 0..<2 {
            batch.append(Task {
                await threads.run(.batch) {
                    nices.add(PriorityThreads.currentThreadNice)
                    release.wait()
                    return 1
                }
            })
        }
        while threads.running(.batch) < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
        let answer = await threads.run(.interactive) { PriorityThreads.currentThreadNice }
        #expect(answer == 0, "interactive work ran while both batch threads were busy, at normal priority")
        #expect(nices.values == [10, 10], "batch threads run at nice 10")
        release.signal(); release.signal()
        for t in batch { #expect(await t.value == 1) }
    }

    /// Batch work still in the queue when its caller goes away never starts, and its caller is released at once.
    @Test func cancelledQueuedWorkLeavesTheQueueWithoutRunning() async throws {
        let threads = PriorityThreads(interactiveThreads: 1, batchThreads: 1, name: "test")
        let release = DispatchSemaphore(value: 0)
        let busy = Task { await threads.run(.batch) { release.wait(); return true } }
        while threads.running(.batch) < 1 { try await Task.sleep(nanoseconds: 1_000_000) }
        let flag = CancellationFlag()
        let ran = NiceLog()
        let queued = Task { await threads.run(.batch, cancellation: flag) { ran.add(1); return true } }
        while threads.waiting(.batch) == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        flag.cancel(reason: "test")
        #expect(await queued.value == nil, "withdrawn before it started")
        #expect(threads.waiting(.batch) == 0)
        release.signal()
        #expect(await busy.value == true)
        #expect(ran.values.isEmpty)
    }
}

/// Values recorded from compute threads.
final class NiceLog: Sendable {
    private let lock = Mutex<[Int32]>([])
    func add(_ v: Int32) { lock.withLock { $0.append(v) } }
    var values: [Int32] { lock.withLock { $0 } }
}
import Synchronization
