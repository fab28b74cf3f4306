// edge: the web page, JSON API and PNG plots over HTTP; node registry and direct compute over RPC.
import Compute
import Foundation
import EdgeCore
import RPC
import ServiceClients
import ServiceSupport

let log = Log(service: "edge")
await ServiceMain.run(log) {
    let flags = try Flags(valued: ["http", "rpc", "store", "tilt", "renderer", "token", "deadline", "http-max-connections"], boolean: ["compute-in-process"])
    let http = try flags.address("http", default: "127.0.0.1:8080")
    let rpc = try flags.address("rpc", default: "127.0.0.1:7100")
    let token = flags.string("token") ?? ""
    if token.isEmpty { log.warn("no --token (or SPOTFINDER_TOKEN): no cobrems-node can register") }
    let registry = NodeRegistry(token: token)
    let metrics = EdgeMetrics()
    let compute = DistributedCompute(registry: registry, computation: SpectrumComputation(), metrics: metrics,
                                     computeInProcessWithoutNodes: flags.has("compute-in-process"))
    let app = EdgeApp(store: TopographStoreClient(rpc: try RPCClient(address: flags.string("store", default: "127.0.0.1:7101")!)),
                      tilt: try RPCClient(address: flags.string("tilt", default: "127.0.0.1:7102")!),
                      renderer: try RPCClient(address: flags.string("renderer", default: "127.0.0.1:7103")!),
                      compute: compute)
    var routes = EdgeRPCService(registry: registry, compute: compute).routes
    app.addMapRoute(to: &routes)
    EdgeGateway(store: app.store.rpc, tilt: app.tilt).add(to: &routes)  // lab tools: one address for everything
    let rpcServer = try RPCServer(routes: routes, config: RPCServerConfig(host: rpc.host, port: rpc.port))
    log.info("rpc listening on \(rpc.host):\(rpcServer.port) (node registration, direct compute, radiators and tilts for lab tools)")
    let handler = EdgeHTTP(app: app, metrics: metrics, log: log, requestSeconds: try flags.double("deadline", default: 15),
                           importToken: token)
    let (server, port) = try handler.serve(host: http.host, port: http.port, maxConnections: try flags.int("http-max-connections", default: 512)) {
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
