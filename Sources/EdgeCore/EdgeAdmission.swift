import API
import Foundation
import HTTPServer
import RPC
import Scheduling

/// Which HTTP requests are batch work at the edge, and how they are admitted. Spot maps and the grid
/// exports (CSV/JSON of the tilt, spot and map plots: up to 500 × 500 cells, seconds of CPU) are batch:
/// they wait for a slot within the per-client and overall budgets
/// (`EdgeApp.admission`), or are refused with 429 and Retry-After. Everything else is interactive
/// and never waits for admission.
extension EdgeHTTP {
    /// The class of work of a GET route with its parsed request.
    static func workClass(path: String, request: SpotfinderRequest) -> WorkClass {
        switch path {
        case "/api/map": return .batch
        case "/plot.png":
            let type = request.word("plot_type")
            if type == "map" { return .batch }
            // A spectrum's CSV/JSON (≤ 4000 bins) is as cheap as its plot: interactive.
            return request.word("format") != "png" && (type == "tilt" || type == "spot") ? .batch : .interactive
        default: return .interactive
        }
    }

    /// Who is asking: token holders (`Authorization: Bearer TOKEN` or `X-Spotfinder-Token`) are known
    /// clients with a larger share; everyone else is counted by address.
    static func client(of request: HTTPRequest?, token: String) -> ClientIdentity {
        let headers = request?.headers ?? [:]
        var given = headers[.authorization] ?? ""
        if given.lowercased().hasPrefix("bearer ") { given = String(given.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        if given.isEmpty { given = headers[HTTPHeader(EdgeImport.tokenHeader)] ?? "" }
        let host = request?.peerHost ?? ""
        let known = !token.isEmpty && !given.isEmpty && tokenMatches(given, token)
        return ClientIdentity(key: host.isEmpty ? "unknown" : host, isKnown: known)
    }

    /// A slot for batch work, or a 429 that says when to come back.
    func admitBatch() async throws -> AdmissionTicket {
        let client = Self.client(of: Self.current, token: app.compute.registry.token)
        do {
            let ticket = try await app.admission.admit(client)
            metrics.count("batch_admitted_total")
            return ticket
        } catch {
            if error.cancelled { throw CancellationError() }
            metrics.count("batch_refused_total")
            throw Failure(status: .tooManyRequests,
                          json: ["error": error.message, "status": "RESOURCE_EXHAUSTED", "retry_after_s": "\(error.retryAfterSeconds)"],
                          headers: [HTTPHeader("Retry-After"): "\(error.retryAfterSeconds)"])
        }
    }

    /// GET /api/queue: where the caller's batch work stands (answered on the connection's thread, so the
    /// page can ask while every pool thread is busy): `running`, `queued`, `position` (1-based, 0: none
    /// waiting), and the totals `total_running`, `total_queued`, `slots`.
    func queueStatus(_ request: HTTPRequest) -> HTTPResponse {
        let status = app.admission.status(of: Self.client(of: request, token: app.compute.registry.token))
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.keyEncodingStrategy = .convertToSnakeCase
        return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json", HTTPHeader("Cache-Control"): "no-store"],
                            body: (try? e.encode(status)) ?? Data())
    }
}
