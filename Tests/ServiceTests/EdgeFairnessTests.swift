import API
import Compute
@testable import EdgeCore
import Foundation
import HTTPServer
import RPC
import Scheduling
import ServiceClients
import ServiceSupport
import Testing
import Wire

/// Issue #22 at the edge, in process (no other service is needed for these answers).
@Suite struct EdgeFairnessTests {
    static func edge(admission: AdmissionController = AdmissionController()) throws -> EdgeHTTP {
        let metrics = EdgeMetrics()
        let registry = NodeRegistry(token: "secret-token")
        let compute = DistributedCompute(registry: registry, computation: SpectrumComputation(), metrics: metrics, computeInProcessWithoutNodes: false)
        // Nothing listens on port 1: none of these answers may need another service.
        let nowhere = try RPCClient(address: "127.0.0.1:1")
        let app = EdgeApp(store: TopographStoreClient(rpc: nowhere), tilt: nowhere, renderer: nowhere, compute: compute, admission: admission)
        return EdgeHTTP(app: app, metrics: metrics, log: Log(service: "edge-test"), importToken: "secret-token", assets: WebAssets(folder: nil))
    }

    static func request(_ method: HTTPMethod, _ target: String, headers: [HTTPHeader: String] = [:], peer: String = "10.1.2.3") -> HTTPRequest {
        let parts = target.split(separator: "?", maxSplits: 1)
        var r = HTTPRequest(method: method, target: target, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "", headers: headers)
        r.peerHost = peer
        return r
    }

    /// An upload without the token (or with a wrong one) is refused from its head: the body is never read.
    @Test func importIsAuthorisedBeforeItsBody() throws {
        let edge = try Self.edge()
        let anonymous = try #require(edge.refuseBody(of: Self.request(.POST, "/api/import?filename=a.json")))
        #expect(anonymous.statusCode == .unauthorized)
        let wrong = try #require(edge.refuseBody(of: Self.request(.POST, "/api/import", headers: [HTTPHeader(EdgeImport.tokenHeader): "nope"])))
        #expect(wrong.statusCode == .unauthorized)
        #expect(edge.refuseBody(of: Self.request(.POST, "/api/import", headers: [HTTPHeader(EdgeImport.tokenHeader): "secret-token"])) == nil)
        #expect(edge.refuseBody(of: Self.request(.POST, "/api/spectrum"))?.statusCode == .methodNotAllowed)
    }

    /// A client past its batch budget gets 429 with Retry-After at once (not a place in an endless queue),
    /// and /api/queue tells it where its work stands; interactive routes never ask for admission.
    @Test func mapsPastTheBudgetGet429WithRetryAfter() async throws {
        let admission = AdmissionController(budget: AdmissionBudget(running: 2, anonymousRunning: 1))
        let edge = try Self.edge(admission: admission)
        let me = ClientIdentity(key: "10.1.2.3", isKnown: false)
        let running = try await admission.admit(me)
        let waiting = (0..<2).map { _ in Task { try await admission.admit(me) } }
        while admission.load.queued < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
        let queue = try #require(edge.immediateResponse(to: Self.request(.GET, "/api/queue")))
        let status = try JSONSerialization.jsonObject(with: queue.body) as? [String: Int]
        #expect(status?["running"] == 1 && status?["queued"] == 2 && status?["position"] == 1)
        let refused = try await edge.handleRequest(Self.request(.GET, "/api/map?radiator_name=ideal"))
        #expect(refused.statusCode == .tooManyRequests)
        #expect(Int(refused.headers[HTTPHeader("Retry-After")] ?? "") ?? 0 >= 1)
        // A token holder is not held back by anonymous clients (it gets past admission to the map itself,
        // which the ideal crystal does not have: 400).
        let known = try await edge.handleRequest(Self.request(.GET, "/api/map?radiator_name=ideal",
                                                              headers: [.authorization: "Bearer secret-token"], peer: "10.9.9.9"))
        #expect(known.statusCode == .badRequest)
        running.release()
        for w in waiting { try await w.value.release() }
    }
}

/// Reductions and builds are batch work: admitted as maps are, after the token check.
@Suite struct RCIAdmissionTests {
    @Test func reducePastTheBudgetGets429WithRetryAfter() async throws {
        var budget = AdmissionBudget(running: 1, anonymousRunning: 1)
        budget.knownPerClientRunning = 1
        budget.knownPerClientQueued = 1
        let admission = AdmissionController(budget: budget)
        let edge = try EdgeFairnessTests.edge(admission: admission)
        let me = ClientIdentity(key: "10.1.2.3", isKnown: true)
        let running = try await admission.admit(me)
        let waiting = Task { try await admission.admit(me) }
        while admission.load.queued < 1 { try await Task.sleep(nanoseconds: 1_000_000) }
        let token = [HTTPHeader(EdgeImport.tokenHeader): "secret-token"]
        for route in ["/api/rci/reduce?folder=a", "/api/rci/build?radiator_name=x&thickness_um=50&front_h=a&front_v=b"] {
            let refused = try await edge.handleRequest(EdgeFairnessTests.request(.POST, route, headers: token))
            #expect(refused.statusCode == .tooManyRequests, "\(route)")
            #expect(Int(refused.headers[HTTPHeader("Retry-After")] ?? "") ?? 0 >= 1)
        }
        // The token is checked before admission: a caller without it is told so, not queued.
        let anonymous = try await edge.handleRequest(EdgeFairnessTests.request(.POST, "/api/rci/reduce?folder=a"))
        #expect(anonymous.statusCode == .unauthorized)
        running.release()
        // Within the budget it gets past admission to the folder, which this edge (no scans root) cannot resolve.
        try await waiting.value.release()
        let admitted = try await edge.handleRequest(EdgeFairnessTests.request(.POST, "/api/rci/reduce?folder=a", headers: token))
        #expect(admitted.statusCode != .tooManyRequests)
        #expect(admission.load.running == 0, "the reduction's ticket was released")
    }
}

extension RCIAdmissionTests {
    /// Edge/ReduceScanFolder past the caller's budget: RESOURCE_EXHAUSTED at once, with the same sentence.
    @Test func reduceOverRPCPastTheBudgetIsResourceExhausted() async throws {
        var budget = AdmissionBudget(running: 1, anonymousRunning: 1)
        budget.perClientQueued = 1
        let admission = AdmissionController(budget: budget)
        let edge = try EdgeFairnessTests.edge(admission: admission)
        var routes = RPCRoutes()
        edge.rci.addRoutes(to: &routes)
        let server = try RPCServer(routes: routes, config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        let me = ClientIdentity(key: "127.0.0.1", isKnown: false)
        let running = try await admission.admit(me)
        let waiting = Task { try await admission.admit(me) }
        while admission.load.queued < 1 { try await Task.sleep(nanoseconds: 1_000_000) }
        do {
            let _: RCIResponseMessage = try await client.call(EdgeRCI.reduceScanFolder, RCIRequestMessage(token: "secret-token", query: "folder=a"),
                                                              deadline: .after(seconds: 10))
            Issue.record("admitted past the budget")
        } catch {
            #expect(error.code == .resourceExhausted, "\(error)")
        }
        running.release()
        try await waiting.value.release()
    }
}

/// Issue #22: after the edge itself stood still (SIGSTOP, a frozen VM), its nodes' silence is counted
/// only from when it ran again: it must not drop them all and answer 503.
@Suite struct PauseClockTests {
    @Test func aLongGapIsTheProcessesOwnPause() {
        let clock = PauseClock()
        let now = Deadline.now
        #expect(clock.resumedAt(now) == 0, "no pause yet")
        let later = now + 10_000_000_000  // as if this process had not run for 10 s
        #expect(clock.resumedAt(later) == later, "the gap is seen as a pause, resumed at `later`")
    }
}
