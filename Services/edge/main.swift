// edge: the web page, JSON API and PNG plots over HTTP; node registry and direct compute over RPC.
import Compute
import Foundation
import EdgeCore
import RPC
import ServiceClients
import ServiceSupport

let log = Log(service: "edge")
await ServiceMain.run(log) {
    let flags = try Flags(valued: ["http", "rpc", "store", "tilt", "renderer", "deadline", "http-max-connections", "node-hosts", "node-max-capacity", "scans"],
                          boolean: ["compute-in-process"], secrets: ["token"])
    let http = try flags.address("http", default: "127.0.0.1:8080")
    let rpc = try flags.address("rpc", default: "127.0.0.1:7100")
    let token = try flags.secret("token") ?? ""
    if token.isEmpty { log.warn("no SPOTFINDER_TOKEN (or --token-file): no cobrems-node can register") }
    var policy = NodeRegistry.Policy()
    switch flags.string("node-hosts", default: "same") {
    case "same": policy.requireSameHost = true
    case "any": policy.requireSameHost = false
    case let other: throw Flags.UsageError(description: "--node-hosts must be same or any, got '\(other ?? "")'")
    }
    policy.maxCapacity = try flags.int("node-max-capacity", default: policy.maxCapacity)
    guard (1...1024).contains(policy.maxCapacity) else {
        throw Flags.UsageError(description: "--node-max-capacity must be in [1, 1024] cores, got \(policy.maxCapacity)")
    }
    let requestSeconds = try flags.double("deadline", default: 15)
    guard requestSeconds > 0, requestSeconds <= 3600 else {
        throw Flags.UsageError(description: "--deadline must be in (0, 3600] seconds (one HTTP request, end to end), got \(requestSeconds)")
    }
    let registry = NodeRegistry(token: token, policy: policy, log: log)
    let metrics = EdgeMetrics()
    let compute = DistributedCompute(registry: registry, computation: SpectrumComputation(), metrics: metrics,
                                     computeInProcessWithoutNodes: flags.has("compute-in-process"))
    // The edge says hello with the token to each service: its pooled connections are known clients there.
    let clients = RPCClientConfig(token: token.isEmpty ? nil : token)
    let app = EdgeApp(store: TopographStoreClient(rpc: try RPCClient(address: flags.string("store", default: "127.0.0.1:7101")!, config: clients)),
                      tilt: try RPCClient(address: flags.string("tilt", default: "127.0.0.1:7102")!, config: clients),
                      renderer: try RPCClient(address: flags.string("renderer", default: "127.0.0.1:7103")!, config: clients),
                      compute: compute)
    let scans = flags.string("scans")
    let handler = EdgeHTTP(app: app, metrics: metrics, log: log, requestSeconds: requestSeconds, importToken: token, scansRoot: ScansRoot(path: scans))
    var routes = EdgeRPCService(registry: registry, compute: compute).routes
    app.addMapRoute(to: &routes)
    app.addSnapRoute(to: &routes)
    compute.addReduceTileRoute(to: &routes)
    handler.rci.addRoutes(to: &routes)
    // Lab tools: one address for everything; an import through it is seen at once, as an HTTP import is.
    EdgeGateway(store: app.store.rpc, tilt: app.tilt, onImport: { handler.radiatorImported() }).add(to: &routes)
    var rpcConfig = RPCServerConfig(host: rpc.host, port: rpc.port)
    rpcConfig.token = token.isEmpty ? nil : token  // nodes say hello with it: connections kept for them
    let rpcServer = try RPCServer(routes: routes, config: rpcConfig)
    log.info("rpc listening on \(rpc.host):\(rpcServer.port) (node registration, direct compute, radiators and tilts for lab tools)")
    let (server, port) = try handler.serve(host: http.host, port: http.port, maxConnections: flags.string("http-max-connections") == nil ? nil : try flags.int("http-max-connections", default: 512)) {
        // The listener cannot serve any more: exit so the supervisor starts a fresh process.
        log.error("http listener failed for good (\($0)); exiting for a restart")
        exit(3)
    }
    log.info("http listening on \(http.host):\(port): open http://\(http.host == "0.0.0.0" ? "127.0.0.1" : http.host):\(port)/")
    return {
        await server.stop(timeout: 5)
        await rpcServer.shutdown(graceSeconds: 5)
    }
}
