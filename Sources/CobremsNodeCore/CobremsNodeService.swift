import API
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

    public init(computation: SpectrumComputation = SpectrumComputation()) {
        self.computation = computation
    }

    public var routes: RPCRoutes {
        var r = RPCRoutes()
        r.unary(Self.computeSpectrum) { (m: SpectrumRequestMessage, _) in try spectrum(m) }
        r.unary(Self.computePartialSum) { (m: PartialSumRequestMessage, _) in try partialSum(m) }
        r.unary(Self.computeMapChunk) { (m: MapChunkRequestMessage, _) in try await mapChunkOffPool(m) }
        return r
    }

    func validated(_ beamline: BeamlineParameters?, _ orientation: Orientation?, _ samples: [TiltSampleMessage])
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
        let (request, samples) = try validated(m.beamline, m.orientation, m.samples)
        return SpectrumResponseMessage(computation.spectrum(for: request, samples: samples), orientationsAveraged: samples?.count ?? 1)
    }

    public func partialSum(_ m: PartialSumRequestMessage) throws(RPCError) -> PartialSumResponseMessage {
        let (request, samples) = try validated(m.beamline, m.orientation, m.samples)
        let sum = computation.coherentSum(for: request, samples: samples)
        return PartialSumResponseMessage(coherent: sum.coherent, polarized: sum.polarized, totalWeight: sum.totalWeight)
    }
}
