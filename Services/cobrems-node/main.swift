// cobrems-node: stateless spectrum computation over RPC; joins an edge's pool if told to.
import CobremsNodeCore
import Foundation
import RPC
import ServiceSupport

let log = Log(service: "cobrems-node")
await ServiceMain.run(log) {
    let flags = try Flags(valued: ["listen", "advertise", "edge", "capacity", "node-id"], secrets: ["token"])
    let listen = try flags.address("listen", default: "127.0.0.1:7003")
    let capacity = try flags.int("capacity", default: ProcessInfo.processInfo.activeProcessorCount)
    guard (1...1024).contains(capacity) else { throw Flags.UsageError(description: "--capacity must be in [1, 1024] cores, got \(capacity)") }
    let token = try flags.secret("token")
    var config = RPCServerConfig(host: listen.host, port: listen.port)
    config.token = token
    let service = CobremsNodeService(threads: CobremsNodeService.threads(capacity: capacity))
    let server = try RPCServer(routes: service.routes, config: config)
    let advertised = flags.string("advertise") ?? "\(listen.host):\(server.port)"
    log.info("listening on \(listen.host):\(server.port), capacity \(capacity)")
    var registration: NodeRegistration?
    if let edgeAddress = flags.string("edge") {
        guard let token, !token.isEmpty else {
            throw Flags.UsageError(description: "SPOTFINDER_TOKEN (or --token-file) is required to join an edge's pool")
        }
        let nodeId = flags.string("node-id") ?? "\(ProcessInfo.processInfo.hostName)-\(server.port)-\(getpid())"
        let r = NodeRegistration(edge: try RPCClient(address: edgeAddress, config: RPCClientConfig(token: token)), nodeId: nodeId,
                                 advertisedAddress: advertised, capacity: capacity, token: token, log: log)
        try await r.start()
        registration = r
    }
    return { [registration] in
        await registration?.stop()
        await server.shutdown(graceSeconds: 10)
    }
}
