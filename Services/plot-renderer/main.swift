// plot-renderer: spectra, histograms and maps → PNG (Render + libpng).
import Foundation
import PlotRendererCore
import RPC
import ServiceSupport

let log = Log(service: "plot-renderer")
do {
    let flags = try Flags(valued: ["listen"])
    let listen = try flags.address("listen", default: "127.0.0.1:7103")
    let server = try RPCServer(routes: PlotRendererService().routes, config: RPCServerConfig(host: listen.host, port: listen.port))
    log.info("listening on \(listen.host):\(server.port)")
    await Signals.waitForTermination()
    log.info("shutting down")
    await server.shutdown(graceSeconds: 10)
} catch {
    log.error("\(error)")
    exit(2)
}
