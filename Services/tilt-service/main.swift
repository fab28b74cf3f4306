// tilt-service: beam spot × topograph → tilt distribution; caches radiators from the store.
import RPC
import ServiceClients
import ServiceSupport
import TiltServiceCore

let log = Log(service: "tilt-service")
await ServiceMain.run(log) {
    let flags = try Flags(valued: ["listen", "store", "cache"], secrets: ["token"])
    let listen = try flags.address("listen", default: "127.0.0.1:7102")
    let token = try flags.secret("token")
    let store = TopographStoreClient(rpc: try RPCClient(address: flags.string("store", default: "127.0.0.1:7101")!, config: RPCClientConfig(token: token)),
                                     capacity: try flags.int("cache", default: 16))
    var config = RPCServerConfig(host: listen.host, port: listen.port)
    config.token = token  // the edge says hello with it: connections kept for it
    let server = try RPCServer(routes: TiltService(store: store).routes, config: config)
    log.info("listening on \(listen.host):\(server.port), store \(store.rpc.address)")
    return { await server.shutdown(graceSeconds: 10) }
}
