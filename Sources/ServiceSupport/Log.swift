import Foundation
import Synchronization

/// One line per event, service name first: `cobrems-node 2026-11-25T06:00:00Z info registered with edge ...`.
public struct Log: Sendable {
    public let service: String
    private static let lock = Mutex(())

    public init(service: String) { self.service = service }

    public func info(_ message: String) { write("info", message) }
    public func warn(_ message: String) { write("warn", message) }
    public func error(_ message: String) { write("error", message) }

    private func write(_ level: String, _ message: String) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        let line = "\(service) \(stamp) \(level) \(message.replacingOccurrences(of: "\n", with: " "))\n"
        Self.lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }
}
