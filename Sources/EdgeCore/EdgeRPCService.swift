import API
import CobremsNodeCore
import Physics
import RPC
import Wire
import WireMapping

/// The edge's RPC face: node registration, and the compute API for lab tools, fanned out over the
/// nodes. The edge answers the node's own compute methods too, so a lab tool points the same call
/// at one node or at the edge.
public struct EdgeRPCService: Sendable {
    public static let registerNode = "/spotfinder.v1.Edge/RegisterNode"
    public static let deregisterNode = "/spotfinder.v1.Edge/DeregisterNode"
    public static let listNodes = "/spotfinder.v1.Edge/ListNodes"
    public static let computeSpectrum = "/spotfinder.v1.Edge/ComputeSpectrum"

    public let registry: NodeRegistry
    public let compute: DistributedCompute

    public init(registry: NodeRegistry, compute: DistributedCompute) {
        self.registry = registry
        self.compute = compute
    }

    public var routes: RPCRoutes {
        var r = RPCRoutes()
        // Heartbeats are answered on the connection's thread: a busy edge never lets its nodes expire.
        r.inline(Self.registerNode) { (m: RegisterNodeRequest, context) throws(RPCError) in try registry.register(m, peerHost: context.peerHost) }
        r.inline(Self.deregisterNode) { (m: DeregisterNodeRequest, context) throws(RPCError) -> DeregisterNodeResponse in
            try registry.deregister(m, peerHost: context.peerHost)
            return DeregisterNodeResponse()
        }
        // Node addresses are internal: only token holders (known clients) may list them.
        r.unary(Self.listNodes) { (_: ListNodesRequest, context) in
            guard context.isKnownClient else {
                throw RPCError(.permissionDenied, "ListNodes is for the deployment's own services (say hello with the token first)")
            }
            return ListNodesResponse(nodes: registry.info())
        }
        // Interactive, for anyone: a deadline of at most 60 s, which anonymous callers must send.
        r.unary(Self.computeSpectrum, policy: .interactive(maxSeconds: 60)) { (m: SpectrumRequestMessage, context) in
            try await spectrum(m, deadline: context.deadline)
        }
        r.unary(CobremsNodeService.computeSpectrum, policy: .interactive(maxSeconds: 60)) { (m: SpectrumRequestMessage, context) in
            try await spectrum(m, deadline: context.deadline)
        }
        r.unary(CobremsNodeService.computePartialSum, policy: .interactive(maxSeconds: 60)) { (m: PartialSumRequestMessage, context) in
            try await partialSum(m, deadline: context.deadline)
        }
        return r
    }

    /// The node's ComputePartialSum, answered by the whole pool: the same sum, split over the nodes.
    func partialSum(_ m: PartialSumRequestMessage, deadline: Deadline) async throws(RPCError) -> PartialSumResponseMessage {
        let (request, samples) = try CobremsNodeService.validated(m.beamline, m.orientation, m.samples)
        let sum = try await compute.coherentSum(for: request, samples: samples, deadline: deadline.isNone ? Deadline.after(seconds: 60) : deadline)
        return PartialSumResponseMessage(coherent: sum.coherent, polarized: sum.polarized, totalWeight: sum.totalWeight)
    }

    func spectrum(_ m: SpectrumRequestMessage, deadline: Deadline) async throws(RPCError) -> SpectrumResponseMessage {
        let (request, samples) = try CobremsNodeService.validated(m.beamline, m.orientation, m.samples)
        let effectiveDeadline = deadline.isNone ? Deadline.after(seconds: 60) : deadline
        let onCrystal = m.fractionOnCrystal ?? 1, onMount = m.fractionOnMount ?? 0
        guard onCrystal.isFinite, onMount.isFinite, onCrystal > 0, onMount >= 0, onCrystal + onMount <= 1 + 1e-9 else {
            throw RPCError(.invalidArgument, "fraction_on_crystal = \(onCrystal), fraction_on_mount = \(onMount): must be in (0, 1] and [0, 1) with a sum of at most 1")
        }
        let sum = try await compute.coherentSum(for: request, samples: samples, deadline: effectiveDeadline)
        let model = compute.computation.model(for: request)
        let spectrum = compute.computation.spectrum(for: request, sum: sum)
            .onRadiator(fractionOnCrystal: onCrystal, fractionOnMount: onMount, mountRateFullBeam: model.mountRateFullBeam)
        return SpectrumResponseMessage(spectrum, orientationsAveraged: samples?.count ?? 1,
                                       plane: model.polarizationPlane(at: request.orientation))
    }
}
