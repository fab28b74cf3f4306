import RPC
import TiltServiceCore
import TopographStoreCore
import Wire
import WireMapping

/// One address for lab tools (the Python `spotfinder.Client`): the edge's RPC port also answers the
/// topograph-store's list and import (radiators and reduced scans) and the tilt-service's tilt distribution, forwarded unchanged
/// with the caller's deadline. The store still checks the import token; statuses pass through.
public struct EdgeGateway: Sendable {
    public let store: RPCClient
    public let tilt: RPCClient
    /// Used when a caller sends no deadline (timeout_ms = 0).
    public let defaultSeconds: Double
    /// Called after an import succeeded (the edge forgets its radiator list and revisions).
    public let onImport: @Sendable () -> Void

    public init(store: RPCClient, tilt: RPCClient, defaultSeconds: Double = 60, onImport: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.tilt = tilt
        self.defaultSeconds = defaultSeconds
        self.onImport = onImport
    }

    public func add(to routes: inout RPCRoutes) {
        let (store, tilt, seconds, onImport) = (store, tilt, defaultSeconds, onImport)
        @Sendable func deadline(_ c: RPCContext) -> Deadline { c.deadline.isNone ? .after(seconds: seconds) : c.deadline }
        routes.unary(TopographStoreService.listRadiators, policy: .interactive(maxSeconds: 60)) { (m: ListRadiatorsRequest, c) -> ListRadiatorsResponse in
            try await store.call(TopographStoreService.listRadiators, m, deadline: deadline(c), idempotent: true)
        }
        routes.unary(TopographStoreService.importRadiator, policy: .batch(maxSeconds: 120)) { (m: ImportRadiatorRequest, c) -> ImportRadiatorResponse in
            let r: ImportRadiatorResponse = try await store.call(TopographStoreService.importRadiator, m, deadline: deadline(c), idempotent: false)
            onImport()
            return r
        }
        // Reduced rocking-curve scans: the store checks the token of a put.
        routes.unary(ReducedScanService.putReducedScan, policy: .batch(maxSeconds: 120)) { (m: PutReducedScanRequest, c) -> PutReducedScanResponse in
            try await store.call(ReducedScanService.putReducedScan, m, deadline: deadline(c), idempotent: false)
        }
        routes.unary(ReducedScanService.listReducedScans, policy: .interactive(maxSeconds: 60)) { (m: ListReducedScansRequest, c) -> ListReducedScansResponse in
            try await store.call(ReducedScanService.listReducedScans, m, deadline: deadline(c), idempotent: true)
        }
        routes.unary(ReducedScanService.getReducedScan, policy: .interactive(maxSeconds: 60)) { (m: GetReducedScanRequest, c) -> GetReducedScanResponse in
            try await store.call(ReducedScanService.getReducedScan, m, deadline: deadline(c), idempotent: true)
        }
        routes.unary(TiltService.computeTilt, policy: .interactive(maxSeconds: 60)) { (m: TiltRequestMessage, c) -> TiltResponseMessage in
            try await tilt.call(TiltService.computeTilt, m, deadline: deadline(c), idempotent: true)
        }
    }
}
