import Dispatch
import Foundation
import RadiatorStore
import RockingCurve
import RockingScan
import RPC
import Scheduling
import ServiceClients
import TopographStoreCore
import Wire
import WireMapping

/// Rocking-curve imaging on the server: raw scan folders under the scans root listed and reduced (batch
/// work: tiles over the nodes, the edge's own fan-out) into the topograph-store. One pixel's curve:
/// EdgeRCICurve.swift; radiators from stored scans: EdgeRCIBuild.swift; routes: EdgeRCIRoutes.swift.
public struct EdgeRCI: Sendable {
    public let app: EdgeApp
    public let root: ScansRoot
    /// The deployment token: reduce and build store data, so they need it (checked before anything else).
    public let token: String
    /// Called after a radiator was stored by a build: the edge forgets its radiator caches, as imports do.
    public let onRadiatorStored: @Sendable () -> Void
    /// Bands of a scan in flight at once: enough to keep a few nodes busy. Reductions and builds are
    /// batch work: the callers (HTTP, RPC) hold an admission ticket of the edge's AdmissionController
    /// while one runs, which bounds how many hold their bands (up to 8 × 32 MB) at once.
    public static let bandsInFlight = 8

    public init(app: EdgeApp, root: ScansRoot, token: String, onRadiatorStored: @escaping @Sendable () -> Void = {}) {
        self.app = app
        self.root = root
        self.token = token
        self.onRadiatorStored = onRadiatorStored
    }

    /// 401 unless `given` is the deployment token (403 when the edge has none configured).
    public func checkToken(_ given: String?) throws(RCIFailure) {
        guard !token.isEmpty else {
            throw RCIFailure(403, "this edge has no deployment token configured (SPOTFINDER_TOKEN): it stores nothing", parameter: "token")
        }
        guard let given, !given.isEmpty, tokenMatches(given, token) else {
            throw RCIFailure(401, "send the deployment token (SPOTFINDER_TOKEN) in the X-Spotfinder-Token header", parameter: "token")
        }
    }

    // MARK: folders

    /// GET /api/rci/folders.
    public func folders(deadline: Deadline) async -> Data {
        let reduced = Set(((try? await app.scans.list(deadline: deadline)) ?? []).compactMap { $0.facts?.name })
        let root = self.root
        return await Self.onOwnThread {
            let list = root.scanFolders().map { root.describe($0, reducedNames: reduced) }
            let object: [String: Any] = ["root_configured": root.path != nil, "folders": list]
            return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        }
    }

    // MARK: reduce

    /// POST /api/rci/reduce: the folder reduced with its tiles through the edge's fan-out (or in
    /// process with --compute-in-process), on a thread of its own, then stored under its manifest name.
    public func reduce(folder: String, method: PeakMethod, motor: MotorChoice?, deadline: Deadline) async throws(RCIFailure) -> [String: Any] {
        let directory = try root.resolve(folder)
        let compute = app.compute
        // Set when the caller goes away (its task is cancelled); with the deadline it stops the reducer
        // between tiles and cancels the tiles in flight, which cancels them on the nodes.
        let flag = CancellationFlag()
        var settings = ReduceSettings()
        settings.method = method
        settings.motor = motor
        settings.workers = Self.bandsInFlight
        settings.reduceTile = { (tile, frames, options) throws(RockingCurveError) in
            try Self.reduceTileBlocking(compute, tile: tile, frames: frames, options: options, deadline: deadline, cancellation: flag)
        }
        settings.shouldStop = { flag.isCancelled || deadline.hasPassed }
        let frozen = settings
        let root = self.root
        let started = Date()
        let outcome: Result<ReducedScanRecord, RCIFailure> = await withTaskCancellationHandler { await Self.onOwnThread {
            do throws(ScanError) {
                let input = try ScanInput.open(directory: directory)
                let reduced = try ScanReducer.reduce(input, settings: frozen)
                do throws(ReducedScanError) {
                    return .success(try reduced.record(manifest: input.manifest, folder: folder, seconds: Date().timeIntervalSince(started)))
                } catch {
                    return .failure(RCIFailure(400, "folder = '\(folder)': \(error.parameter): \(error.message)", parameter: "folder"))
                }
            } catch {
                if flag.isCancelled { return .failure(RCIFailure(Self.cancelledStatus, "the reduction was cancelled: the caller went away")) }
                if deadline.hasPassed { return .failure(RCIFailure(504, "folder = '\(folder)': the reduction did not finish within its deadline")) }
                return .failure(RCIFailure(400, "folder = '\(folder)': \(root.publicMessage(error.message))", parameter: "folder"))
            }
        } } onCancel: {
            flag.cancel(reason: "the caller went away")
        }
        let record = try outcome.get()
        do throws(RPCError) { _ = try await app.scans.put(record, token: token, deadline: deadline) } catch {
            throw Self.failure(error)
        }
        let f = record.facts
        return ["scan_name": f.name, "folder": folder, "width": f.width, "height": f.height, "method": f.method.rawValue,
                "validity_counts": Dictionary(uniqueKeysWithValues: f.validityCounts.map { ($0.key.name, $0.value) }),
                "motor_corrected": !f.motorErrorsMicroradians.isEmpty, "motor_errors_urad": f.motorErrorsMicroradians,
                "seconds": Date().timeIntervalSince(started)]
    }

    /// One tile through `DistributedCompute.reduceTile` (nodes, retries, hedges), awaited from a
    /// reducer worker thread: never a thread of the Swift concurrency pool, which the call needs.
    /// `cancellation` cancels the call (the nodes stop the tile within a few hundred pixels).
    static func reduceTileBlocking(_ compute: DistributedCompute, tile: CurveTile, frames: ScanFrames, options: ReductionOptions,
                                   deadline: Deadline, cancellation: CancellationFlag) throws(RockingCurveError) -> TileMaps {
        let box = TileBox()
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached {
            do throws(RPCError) {
                let job = try TileReductionJob(tile: tile, frames: frames, options: options)
                let payload = try DistributedCompute.encode(ReduceTileRequestMessage(job))
                let answer = try await compute.reduceTile(payload: payload, deadline: deadline)
                let message: ReduceTileResponseMessage
                do throws(WireError) { message = try ReduceTileResponseMessage(serializedBytes: answer) } catch {
                    throw RPCError(.internalError, "a malformed ReduceTile answer: \(error.message)")
                }
                box.result = .success(try message.outcome(for: job).maps)
            } catch {
                box.result = .failure(error)
            }
            done.signal()
        }
        // The caller left: the tile's call is cancelled, and with it the copies on the nodes.
        cancellation.onCancel { task.cancel() }
        done.wait()
        switch box.result! {
        case .success(let maps): return maps
        case .failure(let e): throw RockingCurveError(parameter: "tile", message: "the cluster could not reduce it: \(e.code): \(e.message)")
        }
    }

    // MARK: helpers

    /// Runs `body` on a thread of its own (long file and CPU work never holds a thread of the Swift pool).
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// An RPC failure of another service as a refusal: its status kept, the parameter named for 400/404.
    static func failure(_ e: RPCError, parameter: String? = nil) -> RCIFailure {
        let status = switch e.code {
        case .invalidArgument, .outOfRange, .failedPrecondition: 400
        case .notFound: 404
        case .unauthenticated: 401
        case .permissionDenied: 403
        case .deadlineExceeded: 504
        case .unavailable, .resourceExhausted: 503
        default: 500
        }
        return RCIFailure(status, e.message, parameter: status == 400 || status == 404 ? parameter : nil)
    }
}

/// Hands one tile's answer from the task to the waiting worker thread (the semaphore orders the accesses).
private final class TileBox: @unchecked Sendable {
    var result: Result<TileMaps, RPCError>?
}

extension Double {
    /// JSON has no NaN: nil (null) instead.
    var jsonSafe: Any { isFinite ? self : NSNull() }
}
