// plot-renderer: spectra, histograms and maps → PNG (Render + libpng).
import PlotRendererCore
import RPC
import ServiceSupport

let log = Log(service: "plot-renderer")
await ServiceMain.run(log) {
    let flags = try Flags(valued: ["listen"])
    let listen = try flags.address("listen", default: "127.0.0.1:7103")
    let server = try RPCServer(routes: PlotRendererService().routes, config: RPCServerConfig(host: listen.host, port: listen.port))
    log.info("listening on \(listen.host):\(server.port)")
    return { await server.shutdown(graceSeconds: 10) }
}
