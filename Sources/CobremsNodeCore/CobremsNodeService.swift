import API
import Foundation
import Compute
import Physics
import RPC
import Wire
import WireMapping

/// The cobrems-node's methods: spectra (finished, for lab tools) and partial
/// sums (for the edge's fan-out). Stateless apart from the model cache.
public struct CobremsNodeService: Sendable {
    public static let computeSpectrum = "/spotfinder.v1.CobremsNode/ComputeSpectrum"
    public static let computePartialSum = "/spotfinder.v1.CobremsNode/ComputePartialSum"
    /// Largest orientation set in one request.
    public static let maxSamples = 500_000

    public let computation: SpectrumComputation
    /// Where the computing happens: `capacity` threads, off the concurrency pool (heartbeats stay on time).
    public let threads: ComputeThreads

    public init(computation: SpectrumComputation = SpectrumComputation(),
                threads: ComputeThreads = ComputeThreads(count: ProcessInfo.processInfo.activeProcessorCount)) {
        self.computation = computation
        self.threads = threads
    }

    public var routes: RPCRoutes {
        var r = RPCRoutes()
        // Decoding, computing and encoding all happen on the compute threads (large orientation sets take
        // a while to decode too), so the concurrency pool stays free for heartbeats.
        r.raw(Self.computeSpectrum) { payload, context in
            await offPoolCall(payload, deadline: context.deadline) { (m: SpectrumRequestMessage) throws(RPCError) in try spectrum(m) }
        }
        r.raw(Self.computePartialSum) { payload, context in
            await offPoolCall(payload, deadline: context.deadline) { (m: PartialSumRequestMessage) throws(RPCError) in try partialSum(m) }
        }
        r.raw(Self.computeMapChunk) { payload, context in
            await offPoolCall(payload, deadline: context.deadline) { (m: MapChunkRequestMessage) throws(RPCError) in try mapChunk(m, deadline: context.deadline) }
        }
        r.raw(Self.reduceTile) { payload, context in
            await offPoolCall(payload, deadline: context.deadline) { (m: ReduceTileRequestMessage) throws(RPCError) in try reduceTile(m) }
        }
        return r
    }

    private func offPoolCall<Request: WireMessage, Response: WireMessage>(
        _ payload: Data, deadline: Deadline, _ body: @escaping @Sendable (Request) throws(RPCError) -> Response
    ) async -> Result<Data, RPCError> {
        do throws(RPCError) {
            return .success(try await threads.run(deadline: deadline) { () throws(RPCError) -> Data in
                let request: Request
                do throws(WireError) { request = try Request(serializedBytes: payload) } catch {
                    throw RPCError(.invalidArgument, "the payload is not a valid \(Request.protoName): \(error.message)")
                }
                let response = try body(request)
                do throws(WireError) { return Data(try response.serializedBytes()) } catch {
                    throw RPCError(.internalError, "cannot encode \(Response.protoName): \(error.message)")
                }
            })
        } catch {
            return .failure(error)
        }
    }

    /// A compute request's parameters and orientation set, checked (shared with the edge, which answers the same methods).
    public static func validated(_ beamline: BeamlineParameters?, _ orientation: Orientation?, _ samples: [TiltSampleMessage])
        throws(RPCError) -> (SpotfinderRequest, [TiltSample]?) {
        do throws(ParameterError) {
            let request = try SpotfinderRequest(beamline: beamline, orientation: orientation)
            guard samples.count <= Self.maxSamples else {
                throw ParameterError(parameter: "samples", message: "samples has \(samples.count) orientations: at most \(Self.maxSamples) per request")
            }
            if samples.isEmpty { return (request, nil) }
            let converted = samples.map(TiltSample.init)
            try OrientationTable.validate(converted)
            return (request, converted)
        } catch {
            throw error.rpcError
        }
    }

    public func spectrum(_ m: SpectrumRequestMessage) throws(RPCError) -> SpectrumResponseMessage {
        let (request, samples) = try Self.validated(m.beamline, m.orientation, m.samples)
        let onCrystal = m.fractionOnCrystal ?? 1, onMount = m.fractionOnMount ?? 0
        guard onCrystal.isFinite, onMount.isFinite, onCrystal > 0, onMount >= 0, onCrystal + onMount <= 1 + 1e-9 else {
            throw RPCError(.invalidArgument, "fraction_on_crystal = \(onCrystal), fraction_on_mount = \(onMount): must be in (0, 1] and [0, 1) with a sum of at most 1")
        }
        return SpectrumResponseMessage(computation.spectrum(for: request, samples: samples, fractionOnCrystal: onCrystal, fractionOnMount: onMount),
                                       orientationsAveraged: samples?.count ?? 1, plane: computation.polarizationPlane(for: request))
    }

    public func partialSum(_ m: PartialSumRequestMessage) throws(RPCError) -> PartialSumResponseMessage {
        let (request, samples) = try Self.validated(m.beamline, m.orientation, m.samples)
        let sum = computation.coherentSum(for: request, samples: samples)
        return PartialSumResponseMessage(coherent: sum.coherent, polarized: sum.polarized, totalWeight: sum.totalWeight)
    }
}
