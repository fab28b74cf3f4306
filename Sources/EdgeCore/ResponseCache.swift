import Foundation
import Synchronization

/// Identical requests served from memory: LRU bounded by entries and bytes.
public final class ResponseCache: Sendable {
    public struct Entry: Sendable { public let contentType: String; public let body: Data }
    private struct State { var entries: [String: Entry] = [:]; var order: [String] = []; var bytes = 0 }
    private let state = Mutex(State())
    public let maxEntries: Int
    public let maxBytes: Int

    public init(maxEntries: Int = 512, maxBytes: Int = 64 << 20) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    public func get(_ key: String) -> Entry? {
        state.withLock { s in
            guard let e = s.entries[key] else { return nil }
            s.order.removeAll { $0 == key }
            s.order.append(key)
            return e
        }
    }

    public func put(_ key: String, _ entry: Entry) {
        guard entry.body.count <= maxBytes / 4 else { return }
        state.withLock { s in
            if let old = s.entries[key] { s.bytes -= old.body.count; s.order.removeAll { $0 == key } }
            s.entries[key] = entry
            s.order.append(key)
            s.bytes += entry.body.count
            while s.order.count > maxEntries || s.bytes > maxBytes {
                let victim = s.order.removeFirst()
                s.bytes -= s.entries.removeValue(forKey: victim)?.body.count ?? 0
            }
        }
    }

    public var count: Int { state.withLock { $0.entries.count } }
}
