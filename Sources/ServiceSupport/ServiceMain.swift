import Foundation

/// The shape every service main shares: start (returning how to stop), wait for
/// SIGINT/SIGTERM, stop gracefully; a start-up error is logged and exits with status 2.
public enum ServiceMain {
    public static func run(_ log: Log, start: () async throws -> @Sendable () async -> Void) async -> Never {
        await run(log, draining: { (try await start(), nil) })
    }

    /// As `run`, for a service that must also stop by itself at a time it learns while starting
    /// (a node on a batch system drains before its job's wall-time ends): `start` returns that time too.
    public static func run(_ log: Log, draining start: () async throws -> (stop: @Sendable () async -> Void, drainAt: Date?)) async -> Never {
        do {
            let (stop, drainAt) = try await start()
            if await Signals.waitForTermination(until: drainAt) == .deadline, let drainAt {
                log.info("draining: the drain time \(ISO8601DateFormatter().string(from: drainAt)) has come")
            }
            log.info("shutting down")
            await stop()
            exit(0)
        } catch {
            log.error("\(error)")
            exit(2)
        }
    }
}
