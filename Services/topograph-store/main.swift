// topograph-store: radiator topographs and reduced rocking-curve scans on disk (atomic, checksummed), served over RPC.
import RadiatorStore
import RPC
import ServiceSupport
import TopographStoreCore

let log = Log(service: "topograph-store")
await ServiceMain.run(log) {
    let flags = try Flags(valued: ["listen", "data", "scans"], secrets: ["token"])
    let listen = try flags.address("listen", default: "127.0.0.1:7101")
    let data = flags.string("data", default: "data/radiators")!
    let store = try RadiatorStore(directory: data)
    let scans = try ReducedScanStore(directory: flags.string("scans", default: "\(data)/scans")!)
    for stale in scans.removeStaleTemporaries() { log.warn("removed an unfinished write (a crash mid-save): \(scans.directory)/\(stale)") }
    for name in scans.names() {
        do throws(ReducedScanError) { _ = try scans.load(name) } catch { log.warn("skipping unreadable reduced scan: \(error.message)") }
    }
    try store.installDefaultsIfEmpty()
    let (radiators, problems) = store.loadAll()
    for p in problems { log.warn("skipping unreadable radiator file: \(p)") }
    let token = try flags.secret("token")
    if token?.isEmpty ?? true { log.warn("no SPOTFINDER_TOKEN (or --token-file): imports are disabled, reads are open") }
    var config = RPCServerConfig(host: listen.host, port: listen.port)
    config.token = token
    var routes = TopographStoreService(store: store, importToken: token).routes
    ReducedScanService(store: scans, token: token).add(to: &routes)
    BuildReportService(reports: try BuildReportStore(directory: "\(data)/builds"), radiators: store, token: token).add(to: &routes)
    let server = try RPCServer(routes: routes, config: config)
    log.info("listening on \(listen.host):\(server.port), \(radiators.count) radiators in \(store.directory), \(scans.names().count) reduced scans in \(scans.directory)")
    return { await server.shutdown(graceSeconds: 10) }
}
