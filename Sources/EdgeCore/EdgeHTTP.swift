import API
import Foundation
import HTTPServer
import RPC
import Scheduling
import ServiceSupport
import Topography
import Wire
import WireMapping

/// The edge's HTTP face: the page, the JSON API, PNG plots, health and metrics.
/// Errors are JSON naming the parameter (400), or say which service is missing (503).
public final class EdgeHTTP: HTTPHandler, Sendable {
    public let app: EdgeApp
    public let metrics: EdgeMetrics
    public let cache: ResponseCache
    let revisions: RadiatorRevisions
    let log: Log
    /// Deadline for one HTTP request, end to end.
    public let requestSeconds: Double
    /// POST /api/import (EdgeImport.swift).
    public let importer: EdgeImport
    /// The page's HTML, CSS and JavaScript files.
    public let assets: WebAssets
    /// Rocking-curve imaging on the server: scan folders, reduce, curve, build (EdgeRCI*.swift).
    public let rci: EdgeRCI

    public init(app: EdgeApp, metrics: EdgeMetrics, cache: ResponseCache = ResponseCache(), log: Log, requestSeconds: Double = 15,
                importToken: String = "", assets: WebAssets = .load(), scansRoot: ScansRoot = ScansRoot(path: nil)) {
        self.importer = EdgeImport(store: app.store, token: importToken)
        let revisions = RadiatorRevisions(store: app.store)
        let store = app.store
        // A built radiator is stored as an import is: the edge forgets its radiator caches the same way.
        self.rci = EdgeRCI(app: app, root: scansRoot, token: importToken, onRadiatorStored: { store.forgetList(); revisions.forget() })
        self.app = app
        self.assets = assets
        self.metrics = metrics
        self.cache = cache
        self.revisions = revisions
        self.log = log
        self.requestSeconds = requestSeconds
    }

    /// Serve on host:port (0 picks a free port); returns the server and the bound port.
    /// `onFatal` runs when the listener can no longer serve (the main exits; the supervisor restarts).
    public func serve(host: String, port: UInt16, maxConnections: Int? = nil,
                      onFatal: @escaping @Sendable (String) -> Void = { _ in }) throws -> (HTTP1Server, UInt16) {
        var config = HTTPServerConfig(host: host, port: port)
        config.maxConnections = maxConnections
        config.maxBodyBytes = { method, path in Self.maxBodyBytes(method: method, path: path) }
        config.onFatal = onFatal
        let log = self.log
        config.log = { log.warn("http: \($0)") }
        let server = try HTTP1Server(handler: self, config: config)
        return (server, server.port)
    }

    /// Bodies are small everywhere but on upload routes.
    public static func maxBodyBytes(method: HTTPMethod, path: String) -> Int {
        switch path {
        case "/api/import": 64 << 20
        default: 1 << 20
        }
    }

    /// A radiator was imported (here or through the edge's RPC): the next request sees the new list and
    /// revision at once, never a cached answer for the radiator's previous data.
    public func radiatorImported() {
        app.store.forgetList()
        revisions.forget()
    }

    /// The request being served, for routes that need its headers or body.
    @TaskLocal public static var current: HTTPRequest?

    /// Cached answers served while the store has not confirmed revisions for longer than this are marked.
    static let staleRevisionSeconds = 3.0

    /// Deadline of a spot map (GET /api/map, plot_type=map), s.
    public static let mapSeconds = 120.0

    struct Failure: Error {
        let status: HTTPStatusCode
        let json: [String: String]
        var headers: [HTTPHeader: String] = [:]
    }

    /// Uploads are authorised from the head: no token, no body read (and no `100 Continue`); a POST
    /// elsewhere is refused before its body too.
    public func refuseBody(of request: HTTPRequest) -> HTTPResponse? {
        guard request.method == .POST else { return nil }
        guard request.path == "/api/import" else {
            return json(.methodNotAllowed, ["error": "POST is not allowed on \(request.path): use GET"])
        }
        guard let refusal = importer.tokenRefusal(request.headers[HTTPHeader(EdgeImport.tokenHeader)]) else { return nil }
        metrics.observe(route: "/api/import", status: refusal.status, seconds: 0)
        return HTTPResponse(statusCode: .unauthorized, headers: [.contentType: "application/json"], body: refusal.json)
    }

    /// Health answers on the connection's own thread: it never queues behind compute on the pool.
    public func immediateResponse(to request: HTTPRequest) -> HTTPResponse? {
        if request.path == "/api/queue", request.method == .GET || request.method == .HEAD { return queueStatus(request) }
        guard request.path == "/healthz", request.method == .GET || request.method == .HEAD else { return nil }
        let start = Deadline.now
        let nodes = app.compute.registry.healthy()
        let batch = app.admission.load
        let response = json(.ok, ["status": "ok", "nodes": "\(nodes.count)", "capacity": "\(nodes.reduce(0) { $0 + $1.capacity })",
                                  "batch_running": "\(batch.running)", "batch_queued": "\(batch.queued)"])
        metrics.observe(route: "/healthz", status: 200, seconds: Double(Deadline.now - start) / 1e9)
        return response
    }

    public func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let start = Deadline.now
        let path = request.path
        let routeName = path.hasPrefix("/static/") ? "/static" : ["/", "/healthz", "/metrics", "/api/queue", "/api/radiators", "/api/import", "/api/tilt", "/api/spectrum", "/api/snap", "/api/map", "/plot.png", "/radiator.png",
                                                                        "/api/scans", "/api/scan"]
            .contains(path) || EdgeRCI.routes.contains(path) ? path : "other"
        let response: HTTPResponse
        do {
            response = try await Self.$current.withValue(request) {
                switch request.method {
                case .GET, .HEAD: return try await route(path, query: request.query)
                case .POST: return try await routePost(path, request)
                default: throw Failure(status: .methodNotAllowed, json: ["error": "\(request.method.rawValue) is not allowed: use GET (or POST to upload)"])
                }
            }
        } catch let f as Failure {
            var r = json(f.status, f.json)
            r.headers.merge(f.headers) { a, _ in a }
            response = r
        } catch is CancellationError where Task.isCancelled {
            // The client went away: nobody reads this.
            response = json(.serviceUnavailable, ["error": "cancelled: the client closed the connection"])
        } catch {
            log.error("\(path): \(error)")
            response = json(.internalServerError, ["error": "internal error"])
        }
        metrics.observe(route: routeName, status: response.statusCode.code, seconds: Double(Deadline.now - start) / 1e9)
        return response
    }

    /// POST routes (uploads); the body is `request.body`, bounded by `maxBodyBytes`.
    func routePost(_ path: String, _ request: HTTPRequest) async throws -> HTTPResponse {
        if EdgeRCI.storingRoutes.contains(path) { return try await rciRoute(path, request) }
        switch path {
        case "/api/import":
            // Batch work (parsing, a ROOT conversion, the store's write), in the caller's budget.
            let ticket = try await admitBatch()
            defer { ticket.release() }
            let a = await importer.handle(body: request.body, query: request.query, token: request.headers[HTTPHeader(EdgeImport.tokenHeader)],
                                          deadline: .after(seconds: max(requestSeconds, 60)))
            if a.status == 200 { radiatorImported() }
            let known: [HTTPStatusCode] = [.ok, .badRequest, .unauthorized, .forbidden, .serviceUnavailable, .gatewayTimeout]
            return HTTPResponse(statusCode: known.first { $0.code == a.status } ?? .internalServerError,
                                headers: [.contentType: "application/json"], body: a.json)
        default:
            throw Failure(status: .methodNotAllowed, json: ["error": "POST is not allowed on \(path): use GET"])
        }
    }

    /// The rocking-curve routes (EdgeRCIRoutes.swift): refusals as JSON `{error, parameter}` with their status.
    /// Reduce and build are batch work: after the token check, admitted as maps are (429 + Retry-After
    /// beyond the caller's budget); a caller that disconnects cancels the task and so the reduction.
    func rciRoute(_ path: String, _ request: HTTPRequest) async throws -> HTTPResponse {
        let token = request.headers[HTTPHeader(EdgeImport.tokenHeader)]
        var ticket: AdmissionTicket?
        defer { ticket?.release() }
        if EdgeRCI.storingRoutes.contains(path) {
            do throws(RCIFailure) { try rci.checkToken(token) } catch { return rciRefusal(error) }
            ticket = try await admitBatch()
        }
        do throws(RCIFailure) {
            let (type, body) = try await rci.handle(route: path, query: request.query, token: token, requestSeconds: requestSeconds)
            return HTTPResponse(statusCode: .ok, headers: [.contentType: type], body: body)
        } catch {
            if error.status == EdgeRCI.cancelledStatus { throw CancellationError() }
            return rciRefusal(error)
        }
    }

    func rciRefusal(_ error: RCIFailure) -> HTTPResponse {
        let known: [HTTPStatusCode] = [.badRequest, .unauthorized, .forbidden, .notFound, .serviceUnavailable, .gatewayTimeout]
        var body = ["error": error.message]
        if let p = error.parameter { body["parameter"] = p }
        return json(known.first { $0.code == error.status } ?? .internalServerError, body)
    }

    func route(_ path: String, query: String) async throws -> HTTPResponse {
        switch path {
        case _ where path == "/" || path == "/index.html" || path.hasPrefix("/static/"):
            guard let file = assets.file(at: path) else {
                guard assets.folder == nil else { return json(.notFound, ["error": "no page file \(path)"]) }
                return json(.serviceUnavailable, ["error": "the page's files were not found: set SPOTFINDER_WEB to Sources/EdgeCore/Web or copy Spotfinder_EdgeCore.resources next to the edge"])
            }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: file.contentType, HTTPHeader("Cache-Control"): "no-cache"], body: file.body)
        case "/metrics":
            try requireDeploymentToken()
            let nodes = app.compute.registry.healthy()
            let stats = app.store.cacheStatistics
            let batch = app.admission.load
            let text = metrics.render(gauges: [
                // Work waiting for admission: what `spotfinder scale` reads as pressure beyond the nodes' own load.
                ("queue_depth", "Batch jobs (maps, exports, tile reductions) waiting for admission.", Double(batch.queued)),
                ("batch_running", "Batch jobs admitted and running.", Double(batch.running)),
                ("nodes", "Registered, healthy cobrems-nodes.", Double(nodes.count)),
                ("node_capacity", "Cores offered by healthy nodes.", Double(nodes.reduce(0) { $0 + $1.capacity })),
                ("chunks_in_flight", "Chunks being computed on nodes.", Double(nodes.reduce(0) { $0 + $1.inFlight })),
                ("response_cache_entries", "Responses held in the edge cache.", Double(cache.count)),
                ("radiator_cache_hits", "Radiator views served from the edge's cache.", Double(stats.hits)),
                ("radiator_cache_misses", "Radiator views fetched from the store.", Double(stats.misses)),
            ])
            var perNode = "# HELP spotfinder_node_chunks_total Chunks each node has computed.\n# TYPE spotfinder_node_chunks_total counter\n"
            for n in nodes { perNode += "spotfinder_node_chunks_total{node=\"\(n.id)\",address=\"\(n.address)\"} \(n.chunksServed)\n" }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: Data((text + perNode).utf8))
        case "/api/radiators":
            let list = try await rpc { try await self.app.store.list(deadline: .after(seconds: self.requestSeconds)) }
            let out = list.map { r -> [String: Any] in
                ["name": r.name, "crystal": r.crystal, "thickness_um": r.thicknessUm, "views": r.views, "width_mm": r.widthMm,
                 "height_mm": r.heightMm, "rms_tilt_urad": r.rmsTiltUrad, "notes": r.notes, "pixel_mm": r.pixelMm,
                 "mount": ["material": r.mountMaterial, "thickness_mm": r.mountThicknessMm]]
            }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"],
                                body: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]))
        case "/api/rci/folders", "/api/rci/curve", "/api/rci/build_report", "/api/rci/build_map":
            guard let request = Self.current else { throw Failure(status: .internalServerError, json: ["error": "internal error"]) }
            return try await rciRoute(path, request)
        case "/api/rci/reduce", "/api/rci/build":
            throw Failure(status: .methodNotAllowed, json: ["error": "\(path) stores data: use POST with the X-Spotfinder-Token header"])
        case "/api/scans", "/api/scan":
            let (type, body) = try await scanRoute(path, query: query)
            return HTTPResponse(statusCode: .ok, headers: [.contentType: type], body: body)
        case "/api/tilt", "/api/spectrum", "/api/snap", "/api/map", "/plot.png", "/radiator.png":
            let request = try parse(query)
            let key = try await cacheKey(path, request)
            if let hit = cache.get(key) {
                metrics.count("response_cache_hits_total")
                var headers = [HTTPHeader.contentType: hit.contentType, HTTPHeader("X-Spotfinder-Cache"): "hit"]
                if let age = revisions.ageSeconds, age > Self.staleRevisionSeconds {
                    // A hung store is not a dead service: the cached view is served, and marked unconfirmed.
                    metrics.count("response_cache_unconfirmed_total")
                    headers[HTTPHeader("X-Spotfinder-Stale")] = "the radiator store has not confirmed this radiator's revision for \(Int(age)) s"
                }
                return HTTPResponse(statusCode: .ok, headers: headers, body: hit.body)
            }
            metrics.count("response_cache_misses_total")
            let ticket = Self.workClass(path: path, request: request) == .batch ? try await admitBatch() : nil
            defer { ticket?.release() }
            let (type, body) = try await compute(path, request)
            cache.put(key, ResponseCache.Entry(contentType: type, body: body))
            return HTTPResponse(statusCode: .ok, headers: [.contentType: type, HTTPHeader("X-Spotfinder-Cache"): "miss"], body: body)
        default:
            return json(.notFound, ["error": "no page \(path): try /, /api/radiators, /api/spectrum?…, /plot.png?…"])
        }
    }

    func compute(_ path: String, _ request: SpotfinderRequest) async throws -> (String, Data) {
        // A spot map is many spectra: it gets longer than one plot.
        let isMap = path == "/api/map" || (path == "/plot.png" && request.word("plot_type") == "map")
        let deadline = Deadline.after(seconds: isMap ? max(requestSeconds, Self.mapSeconds) : requestSeconds)
        switch path {
        case "/api/tilt":
            let name = try await rpc { try await self.app.radiatorName(for: request, deadline: deadline) }
            guard let name else { throw Failure(status: .badRequest, json: ["error": "radiator_name: the tilt distribution needs a radiator with a topograph", "parameter": "radiator_name"]) }
            let t = try await rpc { try await self.app.tiltDistribution(request, radiator: name, deadline: deadline) }
            return ("application/json", try encode(TiltResponse(t, radiatorName: name, view: request.viewSide)))
        case "/api/spectrum":
            let r = try await rpc { try await self.app.spectrum(request, deadline: deadline) }
            return ("application/json", try encode(SpectrumResponse(spectrum: r.spectrum, request: r.request, radiatorName: r.radiatorName,
                                                                    orientationsAveraged: r.orientations,
                                                                    fractionOnCrystal: r.tilt?.fractionOnCrystal,
                                                                    fractionOnMount: r.tilt?.fractionOnMount, plane: r.plane)))
        case "/api/snap":
            let r = try await rpc { try await self.app.snap(request, deadline: deadline) }
            return ("application/json", try encode(r))
        case "/api/map":
            return ("application/json", try encode(try await rpc { try await self.app.map(request, deadline: deadline) }))
        case "/plot.png":
            let compare = try request.compareQueries.map { q throws in try parseCompare(q) }
            switch try await rpc({ try await self.app.plot(request, deadline: deadline, comparisons: compare) }) {
            case .png(let d): return ("image/png", d)
            case .csv(let s): return ("text/csv; charset=utf-8", Data(s.utf8))
            case .json(let d): return ("application/json", d)
            }
        default:  // /radiator.png
            let name = try await rpc { try await self.app.radiatorName(for: request, deadline: deadline) }
            guard let name else { throw Failure(status: .badRequest, json: ["error": "radiator_name: the ideal crystal has no picture", "parameter": "radiator_name"]) }
            return ("image/png", try await rpc { try await self.app.radiatorImage(name: name, request: request, deadline: deadline) })
        }
    }

    /// Identical requests share an entry; a re-imported radiator changes its revision and so the key.
    func cacheKey(_ path: String, _ request: SpotfinderRequest) async throws -> String {
        var key = path + "?" + request.understood.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        for compare in request.compareQueries { key += "&compare=\(compare)" }
        if !request.isIdealRadiator {
            // Known revisions answer at once (refreshed in the background): a hit needs no other service.
            let r = try await rpc { try await self.revisions.revision(of: request.radiatorName, deadline: .after(seconds: min(5, self.requestSeconds))) }
            key += "#\(r.name)@\(r.revision)"
        }
        return key
    }

    /// Internal pages (metrics: node ids and addresses) need the deployment token:
    /// `Authorization: Bearer TOKEN` (or `X-Spotfinder-Token: TOKEN`).
    func requireDeploymentToken() throws {
        let token = app.compute.registry.token
        let headers = Self.current?.headers ?? [:]
        var given = headers[.authorization] ?? ""
        if given.lowercased().hasPrefix("bearer ") { given = String(given.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        if given.isEmpty { given = headers["X-Spotfinder-Token"] ?? "" }
        guard !token.isEmpty else {
            throw Failure(status: .forbidden, json: ["error": "internal page: the edge has no deployment token configured"])
        }
        guard tokenMatches(given, token) else {
            throw Failure(status: .unauthorized, json: ["error": "internal page: send the deployment token as 'Authorization: Bearer TOKEN'"])
        }
    }

    func parse(_ query: String) throws -> SpotfinderRequest {
        do { return try SpotfinderRequest(query: query) } catch {
            throw Failure(status: .badRequest, json: ["error": error.message, "parameter": error.parameter])
        }
    }

    /// `compare` holds a whole query: its errors name `compare` (the parameter the user gave).
    func parseCompare(_ query: String) throws -> SpotfinderRequest {
        do { return try SpotfinderRequest(query: query) } catch {
            throw Failure(status: .badRequest, json: ["error": "compare: the pinned query is not valid: \(error.message)", "parameter": "compare"])
        }
    }

    /// Run a call to other services, turning its status into an HTTP answer. What the user can act on
    /// (a parameter, a missing radiator or node) is passed on; internals (addresses, node ids, Swift
    /// error text) go to the log and the answer says only what happened.
    func rpc<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as RPCError {
            let status: HTTPStatusCode
            var message = error.message
            switch error.code {
            case .invalidArgument, .outOfRange, .failedPrecondition: status = .badRequest
            case .notFound: status = .notFound
            case .unavailable:
                status = .serviceUnavailable
                if !message.hasPrefix("no cobrems-node is registered") {
                    message = "a Spotfinder service this request needs is unavailable; try again shortly"
                }
            case .deadlineExceeded:
                status = .gatewayTimeout
                message = "the request did not finish within \(Int(requestSeconds)) s; try again, or ask for less work (coarser bins, a smaller spot)"
            case .resourceExhausted:
                status = .serviceUnavailable
                message = "the services are busy or the answer would be too large; try again shortly, or ask for less (coarser bins, a smaller spot)"
            case .unauthenticated, .permissionDenied:
                status = .forbidden
                message = "not allowed"
            default:
                status = .internalServerError
                message = "internal error; the edge's log has the details"
            }
            if message != error.message { log.warn("\(Self.current?.path ?? "?"): \(error.code): \(error.message)") }
            var body = ["error": message, "status": error.code.description]
            if status == .badRequest || status == .notFound, let name = Self.parameterNamed(in: message) { body["parameter"] = name }
            throw Failure(status: status, json: body)
        }
    }

    /// The parameter a service's message starts with ("rad_tilt_resol = …", "radiator_name: …").
    static func parameterNamed(in message: String) -> String? {
        guard let first = message.split(separator: " ").first else { return nil }
        let name = String(first.trimmingCharacters(in: CharacterSet(charactersIn: ":,;")))
        let known = ParameterCatalog.numeric.contains { $0.name == name } || ParameterCatalog.choices.contains { $0.name == name }
            || ParameterCatalog.optionalNumeric.contains { $0.name == name }
            || name == "radiator_name" || name == "compare"
        return known ? name : nil
    }

    func encode(_ v: some Encodable) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try e.encode(v)
    }

    func json(_ status: HTTPStatusCode, _ body: [String: String]) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: [.contentType: "application/json"],
                     body: (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data())
    }
}
