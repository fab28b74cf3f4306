import Foundation
import RPC
import Synchronization
import Topography
import TopographStoreCore
import Wire
import WireMapping

/// A caching client of the topograph-store: views are kept (bounded, LRU) and
/// revalidated against the store's revision at most every `revalidateSeconds`,
/// so a re-imported radiator is seen within that time.
public final class TopographStoreClient: Sendable {
    public let rpc: RPCClient
    public let capacity: Int
    public let revalidateSeconds: Double
    private struct Entry { var view: RadiatorView; var summary: RadiatorSummaryMessage; var checked: UInt64 }
    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var list: (radiators: [RadiatorSummaryMessage], fetched: UInt64)?
    }
    private let state = Mutex(State())
    private let hits = Atomic<Int>(0), misses = Atomic<Int>(0)

    public init(rpc: RPCClient, capacity: Int = 16, revalidateSeconds: Double = 1) {
        self.rpc = rpc
        self.capacity = capacity
        self.revalidateSeconds = revalidateSeconds
    }

    public var cacheStatistics: (hits: Int, misses: Int) { (hits.load(ordering: .relaxed), misses.load(ordering: .relaxed)) }

    /// The store's radiators (with revisions), at most `revalidateSeconds` old.
    public func list(deadline: Deadline) async throws(RPCError) -> [RadiatorSummaryMessage] {
        if let cached = state.withLock({ $0.list }), Double(Deadline.now - cached.fetched) / 1e9 < revalidateSeconds {
            return cached.radiators
        }
        let r: ListRadiatorsResponse = try await rpc.call(TopographStoreService.listRadiators, ListRadiatorsRequest(),
                                                          deadline: deadline, idempotent: true)
        state.withLock { $0.list = (r.radiators, Deadline.now) }
        return r.radiators
    }

    /// The view, from cache when the store's revision is unchanged.
    public func view(name: String, side: ViewSide, deadline: Deadline) async throws(RPCError) -> (RadiatorView, RadiatorSummaryMessage) {
        let key = "\(name)/\(side.rawValue)"
        if let e = state.withLock({ $0.entries[key] }) {
            if Double(Deadline.now - e.checked) / 1e9 < revalidateSeconds {
                hits.add(1, ordering: .relaxed)
                touch(key)
                return (e.view, e.summary)
            }
            // Revalidate cheaply: the list carries each radiator's revision.
            state.withLock { $0.list = nil }
            if let current = try await list(deadline: deadline).first(where: { $0.name == name }), current.revision == e.summary.revision {
                state.withLock { $0.entries[key]?.checked = Deadline.now }
                hits.add(1, ordering: .relaxed)
                return (e.view, e.summary)
            }
        }
        misses.add(1, ordering: .relaxed)
        let r: GetViewResponse = try await rpc.call(TopographStoreService.getView, GetViewRequest(radiatorName: name, radiatorView: side.rawValue),
                                                    deadline: deadline, idempotent: true)
        guard let message = r.view, let summary = r.radiator else { throw RPCError(.internalError, "topograph-store sent an empty view") }
        let view: RadiatorView
        do { view = try message.radiatorView() } catch { throw RPCError(.dataLoss, error.message) }
        state.withLock { s in
            s.entries[key] = Entry(view: view, summary: summary, checked: Deadline.now)
            s.order.removeAll { $0 == key }
            s.order.append(key)
            while s.order.count > capacity { s.entries[s.order.removeFirst()] = nil }
        }
        return (view, summary)
    }

    private func touch(_ key: String) {
        state.withLock { s in
            s.order.removeAll { $0 == key }
            s.order.append(key)
        }
    }
}

extension TopographStoreClient {
    /// Drop the cached list (after an import through this client's owner), so the next list asks the store.
    public func forgetList() {
        state.withLock { $0.list = nil }
    }
}
