import Foundation

/// The shape every service main shares: start (returning how to stop), wait for
/// SIGINT/SIGTERM, stop gracefully; a start-up error is logged and exits with status 2.
public enum ServiceMain {
    public static func run(_ log: Log, start: () async throws -> @Sendable () async -> Void) async -> Never {
        do {
            let stop = try await start()
            await Signals.waitForTermination()
            log.info("shutting down")
            await stop()
            exit(0)
        } catch {
            log.error("\(error)")
            exit(2)
        }
    }
}
