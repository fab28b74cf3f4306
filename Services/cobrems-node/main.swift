// cobrems-node: stateless spectrum computation over RPC; joins an edge's pool if told to.
import CobremsNodeCore
import Foundation
import RPC
import ServiceSupport

let log = Log(service: "cobrems-node")
await ServiceMain.run(log, draining: {
    let flags = try Flags(valued: ["listen", "advertise", "edge", "capacity", "node-id", "drain-at"], secrets: ["token"])
    let listen = try flags.address("listen", default: "127.0.0.1:7003")
    let capacity = try flags.int("capacity", default: ProcessInfo.processInfo.activeProcessorCount)
    guard (1...1024).contains(capacity) else { throw Flags.UsageError(description: "--capacity must be in [1, 1024] cores, got \(capacity)") }
    let drainAt = try NodeLaunch.drainTime(flags.string("drain-at"), now: Date())
    let token = try flags.secret("token")
    var config = RPCServerConfig(host: listen.host, port: listen.port)
    config.token = token
    let service = CobremsNodeService(threads: CobremsNodeService.threads(capacity: capacity))
    let server = try RPCServer(routes: service.routes, config: config)
    let advertised = try NodeLaunch.advertisedAddress(flags.string("advertise"), listenHost: listen.host, boundPort: server.port)
    log.info("listening on \(listen.host):\(server.port), capacity \(capacity), pid \(getpid())"
             + (drainAt.map { ", draining at \(ISO8601DateFormatter().string(from: $0))" } ?? ""))
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
    // Leaving: out of the edge's registry first (no new chunks come), then the chunks in flight finish.
    return ({ [registration] in
        await registration?.stop()
        await server.shutdown(graceSeconds: 10)
    }, drainAt)
})
