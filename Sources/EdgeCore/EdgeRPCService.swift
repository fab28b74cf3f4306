import API
import Physics
import RPC
import Wire
import WireMapping

/// The edge's RPC face: node registration, and the direct compute API for lab tools (fanned out).
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
        r.unary(Self.registerNode) { (m: RegisterNodeRequest, _) in try registry.register(m) }
        r.unary(Self.deregisterNode) { (m: DeregisterNodeRequest, _) -> DeregisterNodeResponse in
            try registry.deregister(m)
            return DeregisterNodeResponse()
        }
        r.unary(Self.listNodes) { (_: ListNodesRequest, _) in ListNodesResponse(nodes: registry.info()) }
        r.unary(Self.computeSpectrum) { (m: SpectrumRequestMessage, context) in try await spectrum(m, deadline: context.deadline) }
        return r
    }

    func spectrum(_ m: SpectrumRequestMessage, deadline: Deadline) async throws(RPCError) -> SpectrumResponseMessage {
        let request: SpotfinderRequest
        let samples = m.samples.isEmpty ? nil : m.samples.map(TiltSample.init)
        do {
            request = try SpotfinderRequest(beamline: m.beamline, orientation: m.orientation)
            if let samples { try OrientationTable.validate(samples) }
        } catch { throw error.rpcError }
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
