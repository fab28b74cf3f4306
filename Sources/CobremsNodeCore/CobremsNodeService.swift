import API
import Foundation
import Compute
import Physics
import RPC
import Scheduling
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
    /// Where the computing happens, off the concurrency pool (heartbeats stay on time): spectra and
    /// partial sums on the interactive threads, map chunks (and any other batch method) on the batch
    /// threads at lower priority, so a flood of maps never delays a spectrum.
    public let threads: PriorityThreads

    /// Threads for a node offering `capacity` cores: that many of each class.
    public static func threads(capacity: Int) -> PriorityThreads {
        PriorityThreads(interactiveThreads: capacity, batchThreads: capacity, name: "cobrems")
    }

    public init(computation: SpectrumComputation = SpectrumComputation(),
                threads: PriorityThreads = CobremsNodeService.threads(capacity: ProcessInfo.processInfo.activeProcessorCount)) {
        self.computation = computation
        self.threads = threads
    }

    public var routes: RPCRoutes {
        var r = RPCRoutes()
        // Decoding, computing and encoding all happen on the compute threads (large orientation sets take
        // a while to decode too), so the concurrency pool stays free for heartbeats.
        r.raw(Self.computeSpectrum, policy: .interactive()) { payload, context in
            await offPoolCall(payload, context) { (m: SpectrumRequestMessage) throws(RPCError) in try spectrum(m) }
        }
        r.raw(Self.computePartialSum, policy: .interactive()) { payload, context in
            await offPoolCall(payload, context) { (m: PartialSumRequestMessage) throws(RPCError) in try partialSum(m) }
        }
        // Batch: the batch threads, a 120 s cap on the caller's deadline, and a stop within a few
        // placements of the caller giving up (the map engine polls `context.shouldStop`).
        r.raw(Self.computeMapChunk, policy: .batch(maxSeconds: 120)) { payload, context in
            await offPoolCall(payload, context) { (m: MapChunkRequestMessage) throws(RPCError) in
                do throws(RPCError) { return try mapChunk(m, shouldStop: { context.shouldStop }) } catch {
                    throw context.shouldStop ? Self.stopped(context) : error
                }
            }
        }
        // Batch: rocking-curve tiles run on the batch threads (spectra go first); a tile whose caller left
        // before a thread was free never starts, one whose caller leaves stops within a few hundred pixels.
        r.raw(Self.reduceTile, policy: .batch(maxSeconds: 300)) { payload, context in
            await offPoolCall(payload, context) { (m: ReduceTileRequestMessage) throws(RPCError) in
                do throws(RPCError) { return try reduceTile(m, shouldStop: { context.shouldStop }) } catch {
                    throw context.shouldStop ? Self.stopped(context) : error
                }
            }
        }
        return r
    }

    /// Decode, compute and encode on a thread of the call's class; work whose caller gave up before a
    /// thread was free never starts.
    func offPoolCall<Request: WireMessage, Response: WireMessage>(
        _ payload: Data, _ context: RPCContext, _ body: @escaping @Sendable (Request) throws(RPCError) -> Response
    ) async -> Result<Data, RPCError> {
        let outcome = await threads.run(context.workClass, cancellation: context.cancellation) { () -> Result<Data, RPCError> in
            do throws(RPCError) {
                if context.shouldStop { throw Self.stopped(context) }
                let request: Request
                do throws(WireError) { request = try Request(serializedBytes: payload) } catch {
                    throw RPCError(.invalidArgument, "the payload is not a valid \(Request.protoName): \(error.message)")
                }
                let response = try body(request)
                do throws(WireError) { return .success(Data(try response.serializedBytes())) } catch {
                    throw RPCError(.internalError, "cannot encode \(Response.protoName): \(error.message)")
                }
            } catch {
                return .failure(error)
            }
        }
        return outcome ?? .failure(Self.stopped(context))
    }

    /// Why work was not done: its caller went away, or its deadline passed.
    static func stopped(_ context: RPCContext) -> RPCError {
        context.deadline.hasPassed && !context.cancellation.isCancelled
            ? RPCError(.deadlineExceeded, "the deadline passed before \(context.method) was computed")
            : RPCError(.cancelled, "\(context.method) was cancelled: \(context.cancellation.reason ?? "the caller went away")")
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
