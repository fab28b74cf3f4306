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
        r.unary(Self.computeSpectrum) { (m: SpectrumRequestMessage, context) in
            try await threads.run(deadline: context.deadline) { () throws(RPCError) in try spectrum(m) }
        }
        r.unary(Self.computePartialSum) { (m: PartialSumRequestMessage, context) in
            try await threads.run(deadline: context.deadline) { () throws(RPCError) in try partialSum(m) }
        }
        return r
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
        return SpectrumResponseMessage(computation.spectrum(for: request, samples: samples), orientationsAveraged: samples?.count ?? 1)
    }

    public func partialSum(_ m: PartialSumRequestMessage) throws(RPCError) -> PartialSumResponseMessage {
        let (request, samples) = try Self.validated(m.beamline, m.orientation, m.samples)
        let sum = computation.coherentSum(for: request, samples: samples)
        return PartialSumResponseMessage(coherent: sum.coherent, polarized: sum.polarized, totalWeight: sum.totalWeight)
    }
}
