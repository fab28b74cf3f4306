import Foundation

/// Wait for SIGINT or SIGTERM (Ctrl-C, `kill`, docker stop, scancel), or a given wall-clock time,
/// then return, so a service main can shut down gracefully. SIGPIPE is ignored: sockets report EPIPE.
public enum Signals {
    /// Why the wait ended.
    public enum Ending: Sendable, Equatable {
        case signal
        /// The `until` time came (a batch job's wall-time is running out).
        case deadline
    }

    @discardableResult
    public static func waitForTermination(until deadline: Date? = nil) async -> Ending {
        signal(SIGPIPE, SIG_IGN)
        return await withCheckedContinuation { (continuation: CheckedContinuation<Ending, Never>) in
            let once = ResumeOnce(continuation)
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { once.resume(.signal) }
                source.resume()
                Retained.sources.append(source)
            }
            if let deadline {
                // Wall-clock, not uptime: the time is a batch system's end time, which a suspended machine does not move.
                DispatchQueue.global().asyncAfter(wallDeadline: .now() + max(0, deadline.timeIntervalSinceNow)) { once.resume(.deadline) }
            }
        }
    }

    private final class ResumeOnce: @unchecked Sendable {
        private var continuation: CheckedContinuation<Ending, Never>?
        private let lock = NSLock()
        init(_ c: CheckedContinuation<Ending, Never>) { continuation = c }
        func resume(_ ending: Ending) {
            lock.lock(); defer { lock.unlock() }
            continuation?.resume(returning: ending)
            continuation = nil
        }
    }

    /// Signal sources must outlive the wait.
    private enum Retained { nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = [] }
}
