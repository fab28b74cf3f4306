import Foundation
import RPC
import ServiceSupport
import Synchronization
import Wire

/// The compute nodes the edge may use: registered with a shared token, kept
/// alive by heartbeats, expired when silent, taken out of rotation for a while
/// when they keep failing or stalling, with a per-node count of chunks in flight.
public final class NodeRegistry: Sendable {
    /// What the edge believes of a registration.
    public struct Policy: Sendable {
        /// The advertised host must be (or resolve to) the address the registration came from.
        /// Off only where nodes sit behind address translation (`edge --node-hosts any`).
        public var requireSameHost = true
        /// The most cores any node is trusted with, whatever it claims (`edge --node-max-capacity`).
        public var maxCapacity = 64
        /// A node starts trusted with this many cores and earns one more per chunk it answers correctly,
        /// up to its claim: capacity is what the node has proven, not what it says.
        public var startingCapacity = 2
        /// Failures or stalls in a row that take a node out of rotation.
        public var strikesToSuspend = 3
        /// How long the first suspension lasts; each further one in a row doubles it (up to 16×).
        public var suspensionSeconds = 5.0
        public init() {}
    }

    public struct Node: Sendable {
        public let id: String
        public let address: String
        /// The host the registration came from.
        public let peerHost: String
        /// The claim, capped by the policy's maximum.
        public let claimedCapacity: Int
        public let client: RPCClient
        public var lastHeartbeat: UInt64
        public var inFlight: Int
        public var registeredUnixMs: UInt64
        public var chunksServed = 0
        /// Failures or stalls in a row; any answer resets it.
        public var strikes = 0
        /// Monotonic time until which the node is out of rotation (0: in rotation).
        public var suspendedUntil: UInt64 = 0
        let startingCapacity: Int

        /// The cores the edge plans with: the claim, as far as answers have proven it.
        public var capacity: Int { min(claimedCapacity, startingCapacity + chunksServed) }
        public var isSuspended: Bool { suspendedUntil > Deadline.now }
    }

    /// How a call to a node ended, for its record.
    public enum CallOutcome: Sendable {
        case answered
        /// Failed, timed out, or sent nonsense: a strike.
        case failed
        /// Still running when another node's answer made it moot, after longer than a hedge delay: a strike.
        case stalled
        /// Cancelled early or refused for a reason that is the request's: no mark either way.
        case neutral
    }

    public let token: String
    public let heartbeatIntervalMs: UInt32
    public let expiryMs: UInt32
    public let policy: Policy
    private let clientConfig: RPCClientConfig
    private let nodes = Mutex<[String: Node]>([:])
    /// Clients of nodes that left while chunks were in flight on them: closed when the last one ends.
    private let retiring = Mutex<[ObjectIdentifier: (client: RPCClient, inFlight: Int)]>([:])

    private let log: Log?
    /// The edge's own pauses do not count as its nodes' silence.
    private let pauses = PauseClock()
    /// Whose turn it is among equally loaded nodes (`pick`).
    private let turn = Atomic<UInt>(0)

    public init(token: String, heartbeatIntervalMs: UInt32 = 1000, expiryMs: UInt32 = 3500, policy: Policy = Policy(), log: Log? = nil) {
        self.log = log
        self.token = token
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.expiryMs = expiryMs
        self.policy = policy
        clientConfig = RPCClientConfig(token: token.isEmpty ? nil : token)
    }

    /// Register or renew. `peerHost` is the address the call came from.
    public func register(_ r: RegisterNodeRequest, peerHost: String) throws(RPCError) -> RegisterNodeResponse {
        guard !token.isEmpty, tokenMatches(r.token, token) else {
            throw RPCError(.unauthenticated, "node registration refused: wrong or missing token")
        }
        guard !r.nodeId.isEmpty, r.nodeId.count <= 200 else { throw RPCError(.invalidArgument, "node_id must be 1–200 characters") }
        guard let (host, port) = RPCClient.split(r.address), !host.isEmpty, port > 0 else {
            throw RPCError(.invalidArgument, "address '\(r.address)' is not host:port")
        }
        guard (1...1024).contains(r.capacity) else { throw RPCError(.invalidArgument, "capacity = \(r.capacity) must be in [1, 1024] cores") }
        if policy.requireSameHost { try checkSameHost(host, peerHost: peerHost) }
        let capacity = min(Int(r.capacity), policy.maxCapacity)
        let result: Result<Node?, RPCError> = nodes.withLock { n in
            let now = Deadline.now
            if var existing = n[r.nodeId], !isExpired(existing, now: now) {
                // A live id belongs to whoever holds it: another address or host may not take it over.
                guard existing.address == r.address, existing.peerHost == peerHost else {
                    return .failure(RPCError(.alreadyExists, "node_id '\(r.nodeId)' is registered by another node; choose another --node-id"))
                }
                if existing.claimedCapacity == capacity {
                    existing.lastHeartbeat = now
                    n[r.nodeId] = existing
                    return .success(nil)
                }
            }
            let previous = n[r.nodeId]
            n[r.nodeId] = Node(id: r.nodeId, address: r.address, peerHost: peerHost, claimedCapacity: capacity,
                               client: previous?.address == r.address ? previous!.client : RPCClient(host: host, port: port, config: clientConfig),
                               lastHeartbeat: now, inFlight: previous?.inFlight ?? 0,
                               registeredUnixMs: UInt64(Date().timeIntervalSince1970 * 1000), chunksServed: previous?.chunksServed ?? 0,
                               startingCapacity: policy.startingCapacity)
            return .success(previous.flatMap { $0.address == r.address ? nil : $0 })
        }
        if let old = try result.get() { retire(old) }
        return RegisterNodeResponse(heartbeatIntervalMs: heartbeatIntervalMs, expiryMs: expiryMs)
    }

    /// The advertised host must be the connection's own address, or a name that resolves to it
    /// (resolved here, blocking only the registering connection's thread).
    private func checkSameHost(_ host: String, peerHost: String) throws(RPCError) {
        guard !peerHost.isEmpty else { return }
        if host == peerHost { return }
        let addresses = Socket.numericAddresses(of: host)
        guard addresses.contains(peerHost) else {
            throw RPCError(.permissionDenied, "address host '\(host)' is not the host the registration came from (\(peerHost)); "
                           + "advertise this host's own address, or start the edge with --node-hosts any")
        }
    }

    public func deregister(_ r: DeregisterNodeRequest, peerHost: String) throws(RPCError) {
        guard !token.isEmpty, tokenMatches(r.token, token) else { throw RPCError(.unauthenticated, "deregistration refused: wrong or missing token") }
        let removed: Result<Node?, RPCError> = nodes.withLock { n in
            guard let node = n[r.nodeId] else { return .success(nil) }
            if policy.requireSameHost && !peerHost.isEmpty && node.peerHost != peerHost {
                return .failure(RPCError(.permissionDenied, "node '\(r.nodeId)' may only be deregistered from its own host"))
            }
            return .success(n.removeValue(forKey: r.nodeId))
        }
        if let node = try removed.get() { retire(node) }
    }

    /// Close a departed node's client now, or when the chunks still in flight on it end (they may yet answer).
    private func retire(_ node: Node) {
        let keep = retiring.withLock { r -> Bool in
            guard node.inFlight > 0 else { return false }
            r[ObjectIdentifier(node.client)] = (node.client, node.inFlight)
            return true
        }
        if !keep { node.client.close() }
    }

    /// Nodes heard from within the expiry; silent ones are dropped.
    public func healthy() -> [Node] {
        let (alive, dead) = nodes.withLock { n -> ([Node], [Node]) in
            // `now` is read under the lock: a heartbeat stamped after it must not look 584 years old.
            let now = Deadline.now
            let dead = n.values.filter { isExpired($0, now: now) }
            for d in dead { n[d.id] = nil }
            return (Array(n.values), dead)
        }
        for d in dead {
            log?.warn("node \(d.id) at \(d.address) left the pool: no heartbeat for \(Double(Deadline.now &- d.lastHeartbeat) / 1e9) s")
            retire(d)
        }
        return alive.sorted { $0.id < $1.id }
    }

    /// Silent for longer than the expiry (never true for a heartbeat later than `now`).
    private func isExpired(_ node: Node, now: UInt64) -> Bool {
        // Silence is counted from the node's last heartbeat or the edge's own resumption, whichever is later.
        let since = max(node.lastHeartbeat, pauses.resumedAt(now))
        return now > since && now - since > UInt64(expiryMs) * 1_000_000
    }

    /// Healthy nodes in rotation; if every one is suspended, all of them (a request fails only when every node has).
    public func available() -> [Node] {
        let all = healthy()
        let inRotation = all.filter { !$0.isSuspended }
        return inRotation.isEmpty ? all : inRotation
    }

    /// The least loaded available node (in flight per core), skipping `excluded`. Equally loaded nodes take
    /// turns: work sent one chunk at a time (a small scan's tiles, a lab tool's spectra) finds every node idle
    /// at each pick, and would otherwise always land on the same one, leaving the others cold and unproven.
    public func pick(excluding excluded: Set<String> = [], withSpareCapacity: Bool = false) -> Node? {
        let candidates = available().filter { !excluded.contains($0.id) && (!withSpareCapacity || $0.inFlight < $0.capacity) }
        func load(_ n: Node) -> Double { Double(n.inFlight) / Double(n.capacity) }
        guard let least = candidates.map(load).min() else { return nil }
        let tied = candidates.filter { load($0) == least }
        return tied[Int(turn.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(tied.count))]
    }

    public func started(_ id: String) { nodes.withLock { $0[id]?.inFlight += 1 } }

    public func finished(_ node: Node, outcome: CallOutcome) {
        let found = nodes.withLock { n -> Bool in
            guard var x = n[node.id], x.client === node.client else { return false }
            x.inFlight = max(0, x.inFlight - 1)
            switch outcome {
            case .answered:
                // An answer is as good a sign of life as a heartbeat (a busy node's may run late).
                x.lastHeartbeat = max(x.lastHeartbeat, Deadline.now)
                x.chunksServed += 1
                x.strikes = 0
                x.suspendedUntil = 0
            case .failed, .stalled:
                x.strikes += 1
                if x.strikes >= policy.strikesToSuspend {
                    let doublings = min(x.strikes - policy.strikesToSuspend, 4)
                    x.suspendedUntil = Deadline.now &+ UInt64(policy.suspensionSeconds * 1e9) << UInt64(doublings)
                }
            case .neutral:
                break
            }
            n[node.id] = x
            return true
        }
        if found { return }
        let close = retiring.withLock { r -> RPCClient? in
            let key = ObjectIdentifier(node.client)
            guard let entry = r[key] else { return nil }
            if entry.inFlight <= 1 { r[key] = nil; return entry.client }
            r[key] = (entry.client, entry.inFlight - 1)
            return nil
        }
        close?.close()
    }

    public func info() -> [NodeInfo] {
        healthy().map { NodeInfo(nodeId: $0.id, address: $0.address, capacity: UInt32($0.capacity), inFlight: UInt32($0.inFlight),
                                 lastHeartbeatUnixMs: UInt64(Date().timeIntervalSince1970 * 1000) - (Deadline.now - min(Deadline.now, $0.lastHeartbeat)) / 1_000_000) }
    }
}
