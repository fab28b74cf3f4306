// plot-renderer: spectra, histograms and maps → PNG (Render + libpng).
import PlotRendererCore
import RPC
import ServiceSupport

let log = Log(service: "plot-renderer")
await ServiceMain.run(log) {
    let flags = try Flags(valued: ["listen"], secrets: ["token"])
    let listen = try flags.address("listen", default: "127.0.0.1:7103")
    var config = RPCServerConfig(host: listen.host, port: listen.port)
    config.token = try flags.secret("token")  // the edge says hello with it: connections kept for it
    let server = try RPCServer(routes: PlotRendererService().routes, config: config)
    log.info("listening on \(listen.host):\(server.port)")
    return { await server.shutdown(graceSeconds: 10) }
}
