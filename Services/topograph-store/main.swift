// topograph-store: radiator topographs on disk (atomic, checksummed), served over RPC.
import RadiatorStore
import RPC
import ServiceSupport
import TopographStoreCore

let log = Log(service: "topograph-store")
await ServiceMain.run(log) {
    let flags = try Flags(valued: ["listen", "data"], secrets: ["token"])
    let listen = try flags.address("listen", default: "127.0.0.1:7101")
    let store = try RadiatorStore(directory: flags.string("data", default: "data/radiators")!)
    try store.installDefaultsIfEmpty()
    let (radiators, problems) = store.loadAll()
    for p in problems { log.warn("skipping unreadable radiator file: \(p)") }
    let token = try flags.secret("token")
    if token?.isEmpty ?? true { log.warn("no SPOTFINDER_TOKEN (or --token-file): imports are disabled, reads are open") }
    var config = RPCServerConfig(host: listen.host, port: listen.port)
    config.token = token
    let server = try RPCServer(routes: TopographStoreService(store: store, importToken: token).routes, config: config)
    log.info("listening on \(listen.host):\(server.port), \(radiators.count) radiators in \(store.directory)")
    return { await server.shutdown(graceSeconds: 10) }
}
