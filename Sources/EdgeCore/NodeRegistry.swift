import Foundation
import RPC
import Synchronization
import Wire

/// The compute nodes the edge may use: registered with a shared token, kept
/// alive by heartbeats, expired when silent, with a per-node count of chunks in flight.
public final class NodeRegistry: Sendable {
    public struct Node: Sendable {
        public let id: String
        public let address: String
        public let capacity: Int
        public let client: RPCClient
        public var lastHeartbeat: UInt64
        public var inFlight: Int
        public var registeredUnixMs: UInt64
        public var chunksServed = 0
    }

    public let token: String
    public let heartbeatIntervalMs: UInt32
    public let expiryMs: UInt32
    private let nodes = Mutex<[String: Node]>([:])

    public init(token: String, heartbeatIntervalMs: UInt32 = 1000, expiryMs: UInt32 = 3500) {
        self.token = token
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.expiryMs = expiryMs
    }

    public func register(_ r: RegisterNodeRequest) throws(RPCError) -> RegisterNodeResponse {
        guard !token.isEmpty, r.token == token else {
            throw RPCError(.unauthenticated, "node registration refused: wrong or missing token")
        }
        guard !r.nodeId.isEmpty, r.nodeId.count <= 200 else { throw RPCError(.invalidArgument, "node_id must be 1–200 characters") }
        guard RPCClient.split(r.address) != nil else { throw RPCError(.invalidArgument, "address '\(r.address)' is not host:port") }
        guard (1...1024).contains(r.capacity) else { throw RPCError(.invalidArgument, "capacity = \(r.capacity) must be in [1, 1024] cores") }
        let now = Deadline.now
        let old: RPCClient? = nodes.withLock { n in
            if var existing = n[r.nodeId], existing.address == r.address, existing.capacity == Int(r.capacity) {
                existing.lastHeartbeat = now
                n[r.nodeId] = existing
                return nil
            }
            let previous = n[r.nodeId]?.client
            // A new node, or one that came back with a new address: a fresh client.
            let client = try? RPCClient(address: r.address)
            guard let client else { return previous }
            n[r.nodeId] = Node(id: r.nodeId, address: r.address, capacity: Int(r.capacity), client: client, lastHeartbeat: now, inFlight: 0,
                               registeredUnixMs: UInt64(Date().timeIntervalSince1970 * 1000))
            return previous
        }
        old?.close()
        return RegisterNodeResponse(heartbeatIntervalMs: heartbeatIntervalMs, expiryMs: expiryMs)
    }

    public func deregister(_ r: DeregisterNodeRequest) throws(RPCError) {
        guard !token.isEmpty, r.token == token else { throw RPCError(.unauthenticated, "deregistration refused: wrong or missing token") }
        nodes.withLock { $0.removeValue(forKey: r.nodeId) }?.client.close()
    }

    /// Nodes heard from within the expiry; silent ones are dropped.
    public func healthy() -> [Node] {
        let now = Deadline.now, expiry = UInt64(expiryMs) * 1_000_000
        let (alive, dead) = nodes.withLock { n -> ([Node], [Node]) in
            let dead = n.values.filter { now &- $0.lastHeartbeat > expiry }
            for d in dead { n[d.id] = nil }
            return (Array(n.values), dead)
        }
        for d in dead { d.client.close() }
        return alive.sorted { $0.id < $1.id }
    }

    /// The least loaded healthy node (in flight per core), skipping `excluded`.
    public func pick(excluding excluded: Set<String> = []) -> Node? {
        healthy().filter { !excluded.contains($0.id) }
            .min { Double($0.inFlight) / Double($0.capacity) < Double($1.inFlight) / Double($1.capacity) }
    }

    public func started(_ id: String) { nodes.withLock { $0[id]?.inFlight += 1 } }
    public func finished(_ id: String, succeeded: Bool) {
        nodes.withLock { n in
            guard n[id] != nil else { return }
            n[id]!.inFlight = max(0, n[id]!.inFlight - 1)
            if succeeded { n[id]!.chunksServed += 1 }
        }
    }

    public func info() -> [NodeInfo] {
        healthy().map { NodeInfo(nodeId: $0.id, address: $0.address, capacity: UInt32($0.capacity), inFlight: UInt32($0.inFlight),
                                 lastHeartbeatUnixMs: UInt64(Date().timeIntervalSince1970 * 1000) - (Deadline.now &- $0.lastHeartbeat) / 1_000_000) }
    }
}
