import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPC
import Synchronization

/// One real service process on loopback: started from the built executables,
/// its log read to learn the port it bound (all start with port 0).
final class ServiceProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    private let log = LogBuffer()

    init(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        self.name = name
        process.executableURL = URL(fileURLWithPath: name.hasPrefix("/") ? name : executable(name))
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b }
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [log] h in
            let data = h.availableData
            if !data.isEmpty { log.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
    }

    var output: String { log.text }

    /// Wait until the log contains `marker` followed by host:port; returns the port.
    func port(after marker: String, timeout: Double = 90) async throws -> UInt16 {
        let deadline = Deadline.after(seconds: timeout)
        while !deadline.hasPassed {
            let text = output
            if let range = text.range(of: marker + "127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let p = UInt16(digits) { return p }
            }
            guard process.isRunning else { throw ProcessFailure(message: "\(name) exited: \(text)") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw ProcessFailure(message: "\(name) did not report '\(marker)' within \(timeout) s: \(output)")
    }

    func waitForLog(_ text: String, timeout: Double = 30) async throws {
        let deadline = Deadline.after(seconds: timeout)
        while !deadline.hasPassed {
            if output.contains(text) { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw ProcessFailure(message: "\(name) did not log '\(text)': \(output)")
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    deinit { kill() }
}

final class LogBuffer: Sendable {
    private let buffer = Mutex("")
    func append(_ s: String) { buffer.withLock { $0 += s } }
    var text: String { buffer.withLock { $0 } }
}

struct ProcessFailure: Error, CustomStringConvertible { let message: String; var description: String { message } }

/// The whole Spotfinder system as real processes: store, tilt-service, renderer, edge, and nodes on demand.
final class LocalSystem: @unchecked Sendable {
    let token = "test-token-\(UUID().uuidString.prefix(8))"
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("sf-system-\(UUID().uuidString)").path
    var services: [ServiceProcess] = []
    var nodes: [ServiceProcess] = []
    var edgeRPC: UInt16 = 0
    var storeRPC: UInt16 = 0
    var tiltRPC: UInt16 = 0
    var http: UInt16 = 0

    /// `scans`: the edge's raw scan folders root (`edge --scans`), when the test needs one.
    static func start(computeInProcess: Bool = false, scans: String? = nil) async throws -> LocalSystem {
        let s = LocalSystem()
        // The token travels in the environment, never on a command line.
        let env = ["SPOTFINDER_TOKEN": s.token]
        let store = try ServiceProcess("topograph-store", ["--listen", "127.0.0.1:0", "--data", s.data], environment: env)
        s.services.append(store)
        let storePort = try await store.port(after: "listening on ")
        s.storeRPC = storePort
        let tilt = try ServiceProcess("tilt-service", ["--listen", "127.0.0.1:0", "--store", "127.0.0.1:\(storePort)"], environment: env)
        let renderer = try ServiceProcess("plot-renderer", ["--listen", "127.0.0.1:0"], environment: env)
        s.services += [tilt, renderer]
        let tiltPort = try await tilt.port(after: "listening on "), rendererPort = try await renderer.port(after: "listening on ")
        s.tiltRPC = tiltPort
        let edge = try ServiceProcess("edge", ["--http", "127.0.0.1:0", "--rpc", "127.0.0.1:0", "--store", "127.0.0.1:\(storePort)",
                                               "--tilt", "127.0.0.1:\(tiltPort)", "--renderer", "127.0.0.1:\(rendererPort)"]
                                      + (computeInProcess ? ["--compute-in-process"] : []) + (scans.map { ["--scans", $0] } ?? []), environment: env)
        s.services.append(edge)
        s.edgeRPC = try await edge.port(after: "rpc listening on ")
        s.http = try await edge.port(after: "http listening on ")
        return s
    }

    /// Start a cobrems-node and wait until it has registered.
    @discardableResult
    func addNode(token: String? = nil, capacity: Int = 2) async throws -> ServiceProcess {
        let node = try ServiceProcess("cobrems-node", ["--listen", "127.0.0.1:0", "--edge", "127.0.0.1:\(edgeRPC)", "--capacity", "\(capacity)"],
                                      environment: ["SPOTFINDER_TOKEN": token ?? self.token])
        nodes.append(node)
        if token == nil || token == self.token { try await node.waitForLog("registered") }
        return node
    }

    func get(_ pathAndQuery: String, headers requestHeaders: [String: String] = [:]) async throws -> (status: Int, headers: [String: String], body: Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(http)\(pathAndQuery)")!)
        for (k, v) in requestHeaders { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let h = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in h.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return (h.statusCode, headers, data)
    }

    /// The edge's `spotfinder_node_chunks_total` lines once every one of `nodes` nodes has answered a chunk,
    /// running `again(attempt)` (attempt 1, 2, …) between looks, at most `attempts` looks: a node the scheduler
    /// starves on a loaded 2-core machine is rightly hedged around (its copies lose), so one run may not show it.
    func chunksPerNode(nodes: Int, attempts: Int, again: (Int) async throws -> Void) async throws -> [Substring] {
        var perNode: [Substring] = []
        for attempt in 0..<attempts {
            if attempt > 0 { try await again(attempt) }
            let metrics = String(decoding: try await get("/metrics", headers: ["Authorization": "Bearer \(token)"]).body, as: UTF8.self)
            perNode = metrics.split(separator: "\n").filter { $0.hasPrefix("spotfinder_node_chunks_total{") }
            if perNode.count == nodes && perNode.allSatisfy({ !$0.hasSuffix(" 0") }) { break }
        }
        return perNode
    }

    /// The edge's count of healthy nodes (/healthz).
    func healthyNodes() async throws -> Int {
        Int(try await json("/healthz")["nodes"] as? String ?? "") ?? -1
    }

    /// The edge's /metrics text (with the deployment token).
    func metricsText() async throws -> String {
        let r = try await get("/metrics", headers: ["Authorization": "Bearer \(token)"])
        guard r.status == 200 else { throw ProcessFailure(message: "GET /metrics: \(r.status)") }
        return String(decoding: r.body, as: UTF8.self)
    }

    /// The registry as /metrics shows it: node id → (advertised address, chunks computed).
    func registeredNodes() async throws -> [String: (address: String, chunks: Int)] {
        Self.registeredNodes(inMetrics: try await metricsText())
    }

    static func registeredNodes(inMetrics text: String) -> [String: (address: String, chunks: Int)] {
        var nodes: [String: (address: String, chunks: Int)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("spotfinder_node_chunks_total{") {
            guard let id = line.firstMatch(of: /node="([^"]*)"/)?.output.1, let address = line.firstMatch(of: /address="([^"]*)"/)?.output.1,
                  let chunks = Int(line.split(separator: " ").last ?? "") else { continue }
            nodes[String(id)] = (String(address), chunks)
        }
        return nodes
    }

    /// A gauge or counter without labels from /metrics (`spotfinder_NAME VALUE`).
    func metric(_ name: String) async throws -> Double? {
        Self.metric(name, inMetrics: try await metricsText())
    }

    static func metric(_ name: String, inMetrics text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix("spotfinder_\(name) ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    /// A POST with the deployment token (or `token`; "" sends none): status and JSON body.
    func post(_ pathAndQuery: String, token given: String? = nil) async throws -> (status: Int, json: [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(http)\(pathAndQuery)")!)
        request.httpMethod = "POST"
        request.timeoutInterval = 300
        let t = given ?? token
        if !t.isEmpty { request.setValue(t, forHTTPHeaderField: "X-Spotfinder-Token") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    func json(_ pathAndQuery: String) async throws -> [String: Any] {
        let r = try await get(pathAndQuery)
        return (try JSONSerialization.jsonObject(with: r.body) as? [String: Any]) ?? [:]
    }

    func stop() {
        for n in nodes { n.stop() }
        for s in services.reversed() { s.stop() }
        try? FileManager.default.removeItem(atPath: data)
    }
}
