import Synchronization

/// Set once when nobody waits for a piece of work any more (its caller disconnected or cancelled,
/// or its deadline passed). Long loops poll `isCancelled` between steps — a few milliseconds
/// apart — so abandoned work gives its core back within a fraction of a second. Swift task
/// cancellation cannot reach code that runs on threads of its own, which is why this is a flag.
public final class CancellationFlag: Sendable {
    private struct State { var reason: String?; var handlers: [@Sendable () -> Void] = [] }
    private let flag = Atomic(false)
    private let state = Mutex(State())

    public init() {}

    /// Mark the work abandoned (idempotent; the first reason is kept) and run the registered handlers.
    public func cancel(reason: String = "cancelled") {
        let handlers = state.withLock { s -> [@Sendable () -> Void] in
            guard s.reason == nil else { return [] }
            s.reason = reason
            defer { s.handlers = [] }
            return s.handlers
        }
        flag.store(true, ordering: .releasing)
        for h in handlers { h() }
    }

    public var isCancelled: Bool { flag.load(ordering: .acquiring) }

    /// Why it was cancelled (nil while it was not).
    public var reason: String? { state.withLock { $0.reason } }

    /// Run `handler` once at cancellation (at once if already cancelled): e.g. take queued work off its queue.
    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            if s.reason != nil { return true }
            s.handlers.append(handler)
            return false
        }
        if now { handler() }
    }
}
