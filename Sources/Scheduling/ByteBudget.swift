import Synchronization

/// A total of bytes several buffers share (request bodies being read, RPC frames being received):
/// each grows its buffer only after reserving here, so many slow or held uploads together cannot
/// take more memory than the budget, however large each one declares itself.
public final class ByteBudget: Sendable {
    public let limit: Int
    private let used = Mutex(0)

    public init(limit: Int) { self.limit = max(0, limit) }

    /// Reserve `bytes` if they fit; false (nothing reserved) when they do not.
    public func reserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        return used.withLock { u in
            guard u + bytes <= limit else { return false }
            u += bytes
            return true
        }
    }

    public func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.withLock { $0 = max(0, $0 - bytes) }
    }

    /// Bytes reserved now.
    public var inUse: Int { used.withLock { $0 } }
}
