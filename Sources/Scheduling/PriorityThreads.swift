import CSystemShims
import Foundation
import Synchronization

/// CPU-bound work on threads of its own, by class: interactive work has threads that take nothing
/// else, so it never waits behind a batch job that is already running; batch work has its own threads
/// at a lower CPU priority (nice +10 on Linux: about a tenth of a core's share against normal
/// threads), so while both run the cores go to the interactive work, and while no interactive work
/// is there batch work has every core. Queued work whose `CancellationFlag` is set leaves its queue
/// at once; running work is expected to poll the flag.
///
/// Not the Swift concurrency pool and not Dispatch's (on Linux both share a few worker threads): a
/// process busy computing must still answer heartbeats and health checks on time.
public final class PriorityThreads: Sendable {
    /// Threads per class.
    public let interactiveThreads: Int
    public let batchThreads: Int
    /// The nice value batch threads run at (0 when the system refused to lower their priority).
    public let batchNice: Int32

    private let queues: [WorkClass: JobQueue]

    /// - Parameters:
    ///   - interactiveThreads, batchThreads: threads for each class (at least 1 each).
    ///   - batchNice: how much lower batch threads run (Linux nice, 0–19).
    ///   - name: thread names start with it (seen in `top -H`, debuggers).
    public init(interactiveThreads: Int, batchThreads: Int, batchNice: Int32 = 10, name: String = "compute") {
        self.interactiveThreads = max(1, interactiveThreads)
        self.batchThreads = max(1, batchThreads)
        self.batchNice = max(0, min(19, batchNice))
        queues = [.interactive: JobQueue(), .batch: JobQueue()]
        for cls in WorkClass.allCases {
            let count = cls == .interactive ? self.interactiveThreads : self.batchThreads
            let queue = queues[cls]!
            let nice = cls == .batch ? self.batchNice : 0
            for i in 0..<count {
                let threadName = "\(name)-\(cls)-\(i)"
                let t = Thread {
                    // Seen in `top -H` and /proc/PID/task/*/comm (first 15 bytes): "cobrems-batch-0".
                    spotfinder_name_this_thread(threadName)
                    if nice > 0 { _ = spotfinder_nice_this_thread(nice) }
                    queue.serve()
                }
                t.name = threadName
                t.start()
            }
        }
    }

    /// Run `work` on a thread of `workClass` when one is free. Nil when `cancellation` was set before
    /// it started (it never starts then); once started, `work` itself decides when to stop.
    public func run<T: Sendable>(_ workClass: WorkClass, cancellation: CancellationFlag = CancellationFlag(),
                                 _ work: @escaping @Sendable () -> T) async -> T? {
        let queue = queues[workClass]!
        return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let id = queue.add { started in
                continuation.resume(returning: started ? work() : nil)
            }
            cancellation.onCancel { queue.withdraw(id) }
        }
    }

    /// The calling thread's nice value (batch threads show `batchNice`).
    public static var currentThreadNice: Int32 { spotfinder_this_thread_nice() }

    /// Jobs waiting (not running) in a class's queue.
    public func waiting(_ workClass: WorkClass) -> Int { queues[workClass]!.waiting }

    /// Jobs running now in a class.
    public func running(_ workClass: WorkClass) -> Int { queues[workClass]!.running }
}

/// One class's FIFO queue and the threads that serve it.
private final class JobQueue: @unchecked Sendable {
    /// A job: `true` to run it, `false` when it was withdrawn before it started.
    typealias Job = @Sendable (_ started: Bool) -> Void
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UInt64: Job] = [:]
    private var order: [UInt64] = []
    private var head = 0
    private var nextId: UInt64 = 0
    private var busy = 0

    func add(_ job: @escaping Job) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        nextId += 1
        jobs[nextId] = job
        order.append(nextId)
        condition.signal()
        return nextId
    }

    /// Take a job off the queue before it starts (no-op once it started).
    func withdraw(_ id: UInt64) {
        condition.lock()
        let job = jobs.removeValue(forKey: id)
        condition.unlock()
        job?(false)
    }

    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count
    }

    var running: Int {
        condition.lock()
        defer { condition.unlock() }
        return busy
    }

    func serve() {
        while true {
            condition.lock()
            var job: Job?
            while job == nil {
                while head == order.count { condition.wait() }
                let id = order[head]
                head += 1
                job = jobs.removeValue(forKey: id)
            }
            if head > 1024 && head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
            busy += 1
            condition.unlock()
            job!(true)
            condition.lock()
            busy -= 1
            condition.unlock()
        }
    }
}
