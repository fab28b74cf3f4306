import Foundation
import Synchronization

/// One thread that fires deadline actions in time order. Every call arms a
/// timer that almost never fires; a heap under a lock makes arming and
/// cancelling a few hundred nanoseconds, with no task or dispatch source per call.
public final class DeadlineTimers: @unchecked Sendable {
    public static let shared = DeadlineTimers()

    private struct Entry { let at: UInt64; let id: UInt64 }
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var heap: [Entry] = []
    private var actions: [UInt64: @Sendable () -> Void] = [:]
    private var nextId: UInt64 = 0

    private init() {
        let t = Thread { [self] in run() }
        t.name = "rpc-deadlines"
        t.stackSize = 256 << 10
        t.start()
    }

    /// Run `action` at `deadline` unless cancelled first. Returns a token for `cancel`.
    @discardableResult
    public func schedule(at deadline: Deadline, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        nextId += 1
        actions[nextId] = action
        push(Entry(at: deadline.uptimeNanoseconds, id: nextId))
        if heap[0].id == nextId { condition.signal() }
        return nextId
    }

    public func cancel(_ token: UInt64) {
        condition.lock()
        actions[token] = nil
        // Drop cancelled entries from the top so the heap does not grow with finished calls.
        while let top = heap.first, actions[top.id] == nil { pop() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            guard let top = heap.first else { condition.wait(); continue }
            let now = Deadline.now
            if top.at > now {
                condition.wait(until: Date(timeIntervalSinceNow: Double(top.at - now) / 1e9))
                continue
            }
            pop()
            guard let action = actions.removeValue(forKey: top.id) else { continue }
            condition.unlock()
            action()
            condition.lock()
        }
    }

    private func push(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[parent].at > heap[i].at else { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    private func pop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && heap[l].at < heap[m].at { m = l }
            if r < heap.count && heap[r].at < heap[m].at { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
    }
}
