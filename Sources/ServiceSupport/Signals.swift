import Foundation

/// Wait for SIGINT or SIGTERM (Ctrl-C, `kill`, docker stop), then return, so a
/// service main can shut down gracefully. SIGPIPE is ignored: sockets report EPIPE.
public enum Signals {
    public static func waitForTermination() async {
        signal(SIGPIPE, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = ResumeOnce(continuation)
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { once.resume() }
                source.resume()
                Retained.sources.append(source)
            }
        }
    }

    private final class ResumeOnce: @unchecked Sendable {
        private var continuation: CheckedContinuation<Void, Never>?
        private let lock = NSLock()
        init(_ c: CheckedContinuation<Void, Never>) { continuation = c }
        func resume() {
            lock.lock(); defer { lock.unlock() }
            continuation?.resume()
            continuation = nil
        }
    }

    /// Signal sources must outlive the wait.
    private enum Retained { nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = [] }
}
