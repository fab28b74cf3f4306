import Foundation
import RPC
import ServiceSupport
import Synchronization
import Wire

/// Keeps a node in the edge's registry: registers, renews with heartbeats at the
/// interval the edge asks for, re-registers after the edge restarts, and
/// deregisters on shutdown.
public final class NodeRegistration: Sendable {
    public static let register = "/spotfinder.v1.Edge/RegisterNode"
    public static let deregister = "/spotfinder.v1.Edge/DeregisterNode"

    private let edge: RPCClient
    private let request: RegisterNodeRequest
    private let log: Log
    private let loop = Mutex<Task<Void, Never>?>(nil)

    public init(edge: RPCClient, nodeId: String, advertisedAddress: String, capacity: Int, token: String, log: Log) {
        self.edge = edge
        self.log = log
        request = RegisterNodeRequest(nodeId: nodeId, address: advertisedAddress, capacity: UInt32(capacity), token: token)
    }

    /// Register once now (throws if refused, e.g. a wrong token), then keep renewing in the background.
    public func start() async throws(RPCError) {
        var interval = try await renew()
        log.info("registered \(request.nodeId) at \(request.address) (capacity \(request.capacity)) with edge \(edge.address)")
        let task = Task { [self] in
            var failing = false
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval) * 1_000_000)
                if Task.isCancelled { break }
                do {
                    interval = try await renew()
                    if failing { log.info("heartbeats to edge \(edge.address) resumed") }
                    failing = false
                } catch {
                    if !failing { log.warn("heartbeat to edge \(edge.address) failed: \(error)") }
                    failing = true
                    interval = 1000
                }
            }
        }
        loop.withLock { $0 = task }
    }

    private func renew() async throws(RPCError) -> UInt32 {
        let r: RegisterNodeResponse = try await edge.call(Self.register, request, deadline: .after(seconds: 2), idempotent: true)
        return max(100, r.heartbeatIntervalMs)
    }

    /// Stop heartbeats and leave the pool (best effort: the edge also expires silent nodes).
    public func stop() async {
        loop.withLock { $0?.cancel() }
        do {
            let _: DeregisterNodeResponse = try await edge.call(
                Self.deregister, DeregisterNodeRequest(nodeId: request.nodeId, token: request.token), deadline: .after(seconds: 2))
            log.info("deregistered \(request.nodeId) from edge \(edge.address)")
        } catch {
            log.warn("could not deregister from edge \(edge.address): \(error)")
        }
    }
}
