import Foundation
import RPC
import ServiceClients
import Synchronization

/// The store's radiator revisions as the response cache needs them, without waiting on the store:
/// a known list answers at once; when it is older than `maxAgeSeconds` one background refresh
/// (short deadline) brings it up to date. A re-import is thus seen within about `maxAgeSeconds`,
/// and with the store hung, cached answers are still served.
public final class RadiatorRevisions: Sendable {
    private struct State {
        var list: [(name: String, revision: UInt64)]?
        var fetched: UInt64 = 0
        var refreshing = false
    }
    private let state = Mutex(State())
    private let store: TopographStoreClient
    public let maxAgeSeconds: Double
    public let refreshSeconds: Double

    public init(store: TopographStoreClient, maxAgeSeconds: Double = 1, refreshSeconds: Double = 2) {
        self.store = store
        self.maxAgeSeconds = maxAgeSeconds
        self.refreshSeconds = refreshSeconds
    }

    /// The revision of `name` (nil: the first radiator) and that radiator's name; 0 when unknown.
    public func revision(of name: String?, deadline: Deadline) async throws(RPCError) -> (name: String, revision: UInt64) {
        let known: (list: [(name: String, revision: UInt64)], stale: Bool)? = state.withLock { s in
            guard let list = s.list else { return nil }
            let stale = Double(Deadline.now &- s.fetched) / 1e9 > maxAgeSeconds
            if stale && !s.refreshing { s.refreshing = true; return (list, true) }
            return (list, false)
        }
        let list: [(name: String, revision: UInt64)]
        if let known {
            if known.stale { Task { try? await self.refresh(deadline: .after(seconds: self.refreshSeconds)) } }
            list = known.list
        } else {
            list = try await refresh(deadline: deadline)
        }
        let chosen = name ?? list.first?.name ?? ""
        return (chosen, list.first { $0.name == chosen }?.revision ?? 0)
    }

    /// How old the known revisions are, s (nil: none known). Past a few seconds the store is not
    /// answering: cached views are still served, and say so.
    public var ageSeconds: Double? {
        state.withLock { s in s.list == nil ? nil : Double(Deadline.now &- s.fetched) / 1e9 }
    }

    /// After an import through this edge: the next lookup asks the store.
    public func forget() { state.withLock { $0.list = nil } }

    @discardableResult
    private func refresh(deadline: Deadline) async throws(RPCError) -> [(name: String, revision: UInt64)] {
        do {
            let fresh = try await store.list(deadline: deadline).map { ($0.name, $0.revision) }
            state.withLock { s in
                s.list = fresh
                s.fetched = Deadline.now
                s.refreshing = false
            }
            return fresh
        } catch {
            state.withLock { $0.refreshing = false }
            throw error
        }
    }
}
