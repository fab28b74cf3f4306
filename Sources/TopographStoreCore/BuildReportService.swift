import Dispatch
import Foundation
import RadiatorStore
import RPC
import Topography
import Wire

/// The store's radiator build reports: put (with the deployment token; the radiator must be stored
/// already) and get (the report alone, one map, or every map). One message each: the maps travel
/// zlib-compressed, and a report's grid is the radiator's.
public final class BuildReportService: Sendable {
    public static let putBuildReport = "/spotfinder.v1.TopographStore/PutBuildReport"
    public static let getBuildReport = "/spotfinder.v1.TopographStore/GetBuildReport"

    let reports: BuildReportStore
    let radiators: RadiatorStore
    let token: String?

    public init(reports: BuildReportStore, radiators: RadiatorStore, token: String?) {
        self.reports = reports
        self.radiators = radiators
        self.token = token
    }

    public func add(to routes: inout RPCRoutes) {
        // Compressing, checking and fsyncing take a while: off the cooperative pool.
        routes.unary(Self.putBuildReport) { [self] (m: PutBuildReportRequest, _) in
            try await Self.offPool { () throws(RPCError) in try self.put(m) }
        }
        routes.unary(Self.getBuildReport) { [self] (m: GetBuildReportRequest, _) in
            try await Self.offPool { () throws(RPCError) in try self.get(m) }
        }
    }

    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws(RPCError) -> T) async throws(RPCError) -> T {
        let result: Result<T, RPCError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Result { () throws(RPCError) in try body() }) }
        }
        return try result.get()
    }

    public func put(_ m: PutBuildReportRequest) throws(RPCError) -> PutBuildReportResponse {
        guard let token, !token.isEmpty else {
            throw RPCError(.permissionDenied, "storing build reports is disabled: start topograph-store with SPOTFINDER_TOKEN (or --token-file)")
        }
        guard tokenMatches(m.token, token) else { throw RPCError(.unauthenticated, "put refused: wrong or missing token") }
        guard let report = m.report else { throw RPCError(.invalidArgument, "report: the request holds no build report") }
        guard radiators.names().contains(report.radiatorName) else {
            throw RPCError(.failedPrecondition, "radiator_name '\(report.radiatorName)': store the radiator before its build report")
        }
        do throws(RadiatorError) { return PutBuildReportResponse(revision: try reports.save(report)) } catch {
            throw RPCError(.invalidArgument, error.message)
        }
    }

    public func get(_ m: GetBuildReportRequest) throws(RPCError) -> GetBuildReportResponse {
        var report: StoredBuildReportMessage
        do throws(RadiatorError) { report = try reports.load(m.radiatorName) } catch {
            throw RPCError(reports.names().contains(m.radiatorName) ? .dataLoss : .notFound, error.message)
        }
        switch m.map {
        case "": report.maps = []
        case "*": break
        default:
            guard let map = report.maps.first(where: { $0.name == m.map }) else {
                throw RPCError(.notFound, "map '\(m.map)': the build report of \(m.radiatorName) has \(report.maps.map(\.name).joined(separator: ", "))")
            }
            report.maps = [map]
        }
        return GetBuildReportResponse(report: report)
    }
}
