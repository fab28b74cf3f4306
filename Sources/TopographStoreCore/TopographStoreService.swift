import Foundation
import RadiatorStore
import RPC
import Synchronization
import Topography
import Wire
import WireMapping

/// The topograph-store's methods: list radiators, get one view, import (with a token).
public final class TopographStoreService: Sendable {
    public static let listRadiators = "/spotfinder.v1.TopographStore/ListRadiators"
    public static let getView = "/spotfinder.v1.TopographStore/GetView"
    public static let importRadiator = "/spotfinder.v1.TopographStore/ImportRadiator"

    let store: RadiatorStore
    let importToken: String?
    /// Decoded radiators by name with the revision they were read at: reads do not re-inflate files.
    private let cache = Mutex<[String: (revision: UInt64, radiator: Radiator, summary: RadiatorSummaryMessage)]>([:])

    public init(store: RadiatorStore, importToken: String?) {
        self.store = store
        self.importToken = importToken
    }

    public var routes: RPCRoutes {
        var r = RPCRoutes()
        r.unary(Self.listRadiators) { [self] (_: ListRadiatorsRequest, _) in try list() }
        r.unary(Self.getView) { [self] (m: GetViewRequest, _) in try view(m) }
        r.unary(Self.importRadiator) { [self] (m: ImportRadiatorRequest, _) in try importRadiator(m) }
        return r
    }

    func radiator(_ name: String) throws(RPCError) -> (Radiator, UInt64, RadiatorSummaryMessage) {
        let revision = store.revision(of: name)
        if let hit = cache.withLock({ $0[name] }), hit.revision == revision { return (hit.radiator, revision, hit.summary) }
        do {
            let r = try store.load(name)
            let summary = RadiatorSummaryMessage(RadiatorSummary(r), revision: revision)
            cache.withLock { $0[name] = (revision, r, summary) }
            return (r, revision, summary)
        } catch {
            throw RPCError(store.names().contains(name) ? .dataLoss : .notFound, error.message)
        }
    }

    public func list() throws(RPCError) -> ListRadiatorsResponse {
        var out: [RadiatorSummaryMessage] = []
        for name in store.names() {
            guard let (_, _, summary) = try? radiator(name) else { continue }  // unreadable files are skipped (and logged at start)
            out.append(summary)
        }
        return ListRadiatorsResponse(radiators: out)
    }

    public func view(_ m: GetViewRequest) throws(RPCError) -> GetViewResponse {
        let (r, revision, summary) = try radiator(m.radiatorName)
        let side = ViewSide(rawValue: m.radiatorView.isEmpty ? "front" : m.radiatorView)
        guard let side, let v = r.view(side) else {
            throw RPCError(.notFound, "radiator_view = '\(m.radiatorView)': \(r.name) has \(r.views.map(\.side.rawValue).joined(separator: ", "))")
        }
        var out = GetViewResponse()
        out.radiator = summary
        out.view = RadiatorViewMessage(v)
        out.revision = revision
        return out
    }

    public func importRadiator(_ m: ImportRadiatorRequest) throws(RPCError) -> ImportRadiatorResponse {
        guard let importToken, !importToken.isEmpty else {
            throw RPCError(.permissionDenied, "imports are disabled: start topograph-store with SPOTFINDER_TOKEN (or --token-file)")
        }
        guard tokenMatches(m.token, importToken) else { throw RPCError(.unauthenticated, "import refused: wrong or missing token") }
        guard let message = m.radiator else { throw RPCError(.invalidArgument, "import needs a radiator") }
        do {
            var r = try message.radiator()
            if r.views.count == 1 {
                try r.validate()
                r.views.append(r.views[0].mirrored())
            }
            let revision = try store.save(r)
            cache.withLock { $0[r.name] = nil }
            var out = ImportRadiatorResponse()
            out.radiator = RadiatorSummaryMessage(RadiatorSummary(r), revision: revision)
            out.revision = revision
            return out
        } catch {
            throw RPCError(.invalidArgument, error.message)
        }
    }
}
