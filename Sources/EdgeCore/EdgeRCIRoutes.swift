import API
import Foundation
import RockingCurve
import RockingScan
import RPC
import Scheduling
import Wire

/// The rocking-curve routes' query parsing, shared by HTTP (`/api/rci/...`) and RPC (`Edge/ReduceScanFolder`,
/// `Edge/BuildRadiator`, `Edge/GetBuildReport`: the same query in, the same JSON out).
extension EdgeRCI {
    public static let reduceScanFolder = "/spotfinder.v1.Edge/ReduceScanFolder"
    public static let buildRadiator = "/spotfinder.v1.Edge/BuildRadiator"
    public static let getBuildReport = "/spotfinder.v1.Edge/GetBuildReport"

    /// Routes that store data (the token is checked before anything else).
    public static let storingRoutes: Set<String> = ["/api/rci/reduce", "/api/rci/build"]
    public static let routes: Set<String> = ["/api/rci/folders", "/api/rci/reduce", "/api/rci/curve", "/api/rci/build", "/api/rci/build_report", "/api/rci/build_map"]
    static let parameters: [String: [String]] = [
        "/api/rci/folders": [],
        "/api/rci/reduce": ["folder", "method", "motor"],
        "/api/rci/curve": ["scan_name", "column", "row"],
        "/api/rci/build": ["radiator_name", "thickness_um", "front_h", "front_v", "back_h", "back_v"],
        "/api/rci/build_report": ["radiator_name"],
        "/api/rci/build_map": ["radiator_name", "map", "format"],
    ]
    /// The status of a refusal whose caller went away (nobody reads it; RPC: CANCELLED).
    static let cancelledStatus = 499
    /// A reduction of a large scan over a small cluster takes minutes; a build tens of seconds.
    static let reduceSeconds = 3600.0
    static let buildSeconds = 900.0

    /// One request: `route` with its query; `token` as the caller sent it; `deadline` the caller's (RPC),
    /// else the route's own. Answers (content type, body). Reduce and build are batch work: the caller
    /// holds an admission ticket while they run (`EdgeHTTP.rciRoute`, `addRoutes`).
    public func handle(route: String, query: String, token given: String?, requestSeconds: Double,
                       deadline callerDeadline: Deadline? = nil) async throws(RCIFailure) -> (String, Data) {
        guard let allowed = Self.parameters[route] else { throw RCIFailure(404, "no page \(route)") }
        if Self.storingRoutes.contains(route) { try checkToken(given) }
        var q: [String: String] = [:]
        do throws(ParameterError) {
            for (name, value) in try QueryString.parse(query) {
                guard allowed.contains(name) else {
                    throw ParameterError(parameter: name, message: "\(name) is not a parameter of \(route): use \(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))")
                }
                guard q[name] == nil else { throw ParameterError(parameter: name, message: "\(name) is given twice") }
                q[name] = value
            }
        } catch { throw RCIFailure(400, error.message, parameter: error.parameter) }
        func required(_ name: String, _ hint: String) throws(RCIFailure) -> String {
            guard let v = q[name], !v.isEmpty else { throw RCIFailure(400, "\(name): \(hint)", parameter: name) }
            return v
        }
        func integer(_ name: String) throws(RCIFailure) -> Int {
            let text = try required(name, "give a pixel index (0 = the image's first)")
            guard let v = Int(text) else { throw RCIFailure(400, "\(name) = '\(text)': not a whole number", parameter: name) }
            return v
        }
        let json = "application/json"
        switch route {
        case "/api/rci/folders":
            return (json, await folders(deadline: .after(seconds: max(requestSeconds, 60))))
        case "/api/rci/reduce":
            let folder = try required("folder", "name a scan folder relative to the scans root (GET /api/rci/folders lists them)")
            let methodText = q["method"] ?? PeakMethod.moments.rawValue
            guard let method = PeakMethod(rawValue: methodText) else {
                throw RCIFailure(400, "method = '\(methodText)': allowed \(PeakMethod.allCases.map(\.rawValue).joined(separator: ", "))", parameter: "method")
            }
            var motor: MotorChoice?
            if let m = q["motor"] {
                guard let choice = MotorChoice(rawValue: m) else {
                    throw RCIFailure(400, "motor = '\(m)': allowed \(MotorChoice.allCases.map(\.rawValue).joined(separator: ", "))", parameter: "motor")
                }
                motor = choice
            }
            return (json, try Self.encode(try await reduce(folder: folder, method: method, motor: motor, deadline: callerDeadline ?? .after(seconds: Self.reduceSeconds))))
        case "/api/rci/curve":
            let name = try required("scan_name", "name a reduced scan (GET /api/scans lists them)")
            return (json, try Self.encode(try await curve(scanName: name, column: try integer("column"), row: try integer("row"),
                                                          deadline: .after(seconds: max(requestSeconds, 60)))))
        case "/api/rci/build":
            let name = try required("radiator_name", "name the radiator to build (1–64 letters, digits, '-', '_', '.')")
            let thicknessText = try required("thickness_um", "give the plate's thickness in µm")
            guard let thickness = Double(thicknessText), thickness.isFinite, thickness > 0, thickness <= 10_000 else {
                throw RCIFailure(400, "thickness_um = '\(thicknessText)': a thickness in µm, above 0 and at most 10000", parameter: "thickness_um")
            }
            var scans: [String: String] = [:]
            for role in Self.roles { if let v = q[role.parameter], !v.isEmpty { scans[role.parameter] = v } }
            for needed in ["front_h", "front_v"] where scans[needed] == nil {
                throw RCIFailure(400, "\(needed): name the stored reduced scan (GET /api/scans lists them)", parameter: needed)
            }
            if (scans["back_h"] == nil) != (scans["back_v"] == nil) {
                let missing = scans["back_h"] == nil ? "back_h" : "back_v"
                throw RCIFailure(400, "\(missing): the back view needs both back_h and back_v (or neither)", parameter: missing)
            }
            return (json, try Self.encode(try await build(radiatorName: name, thicknessMicrons: thickness, scans: scans, deadline: callerDeadline ?? .after(seconds: Self.buildSeconds))))
        case "/api/rci/build_report":
            let name = try required("radiator_name", "name a radiator built on the server")
            return (json, try await buildReport(radiatorName: name, deadline: .after(seconds: max(requestSeconds, 30))))
        default:  // build_map
            let name = try required("radiator_name", "name a radiator built on the server")
            let map = try required("map", "name a build map (GET /api/rci/build_report lists them under maps)")
            let format = q["format"] ?? "json"
            guard ["json", "csv", "tiff", "png"].contains(format) else {
                throw RCIFailure(400, "format = '\(format)': allowed json, csv, tiff, png", parameter: "format")
            }
            return try await buildMap(radiatorName: name, map: map, format: format, deadline: .after(seconds: max(requestSeconds, 60)))
        }
    }

    static func encode(_ object: [String: Any]) throws(RCIFailure) -> Data {
        do { return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) } catch {
            throw RCIFailure(500, "the answer could not be encoded")
        }
    }

    /// The three RPC methods: the same query and JSON as HTTP; refusals keep their status as an RPC code.
    /// Reduce and build are batch methods: the caller's deadline (capped), its admission budget
    /// (RESOURCE_EXHAUSTED beyond it), and a stop on every node when the caller goes away.
    public func addRoutes(to routes: inout RPCRoutes) {
        for (method, route) in [(Self.reduceScanFolder, "/api/rci/reduce"), (Self.buildRadiator, "/api/rci/build"), (Self.getBuildReport, "/api/rci/build_report")] {
            let seconds: Double? = switch route {
            case "/api/rci/reduce": Self.reduceSeconds
            case "/api/rci/build": Self.buildSeconds
            default: nil
            }
            let policy: MethodPolicy = seconds.map { .batch(maxSeconds: $0) } ?? .interactive()
            routes.unary(method, policy: policy) { (m: RCIRequestMessage, context) throws(RPCError) -> RCIResponseMessage in
                do throws(RCIFailure) {
                    var ticket: AdmissionTicket?
                    if let seconds {
                        try checkToken(m.token)
                        do throws(AdmissionRefusal) { ticket = try await app.admission.admit(context.client) } catch {
                            throw RCIFailure(error.cancelled ? Self.cancelledStatus : 429, error.message)
                        }
                    }
                    defer { ticket?.release() }
                    let deadline: Deadline? = seconds.map { context.deadline.isNone ? .after(seconds: $0) : context.deadline }
                    let (_, body) = try await handle(route: route, query: m.query, token: m.token, requestSeconds: 60, deadline: deadline)
                    return RCIResponseMessage(json: String(decoding: body, as: UTF8.self))
                } catch {
                    let code: StatusCode = switch error.status {
                    case 400: .invalidArgument
                    case 401: .unauthenticated
                    case 403: .permissionDenied
                    case 404: .notFound
                    case 429: .resourceExhausted
                    case Self.cancelledStatus: .cancelled
                    case 503: .unavailable
                    case 504: .deadlineExceeded
                    default: .internalError
                    }
                    throw RPCError(code, error.message)
                }
            }
        }
    }
}
