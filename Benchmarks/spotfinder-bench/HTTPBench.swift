import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Issue 5's target through the real system: a polarization plot for the default beam spot on a
/// synthetic radiator through HTTP, cold (cache misses) and cached, with one and two nodes.
enum HTTPBench {
    final class Service: @unchecked Sendable {
        let process = Process()
        let pipe = Pipe()
        var log = ""
        let lock = NSLock()
        init(_ path: String, _ args: [String]) throws {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = args
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
                let d = h.availableData
                guard let self, !d.isEmpty else { return }
                self.lock.lock(); self.log += String(decoding: d, as: UTF8.self); self.lock.unlock()
            }
            try process.run()
        }
        func port(after marker: String) throws -> UInt16 {
            for _ in 0..<600 {
                lock.lock(); let text = log; lock.unlock()
                if let r = text.range(of: marker + "127.0.0.1:"), let p = UInt16(text[r.upperBound...].prefix { $0.isNumber }) { return p }
                Thread.sleep(forTimeInterval: 0.05)
            }
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "no '\(marker)' in \(log)"])
        }
        func contains(_ s: String) -> Bool { lock.lock(); defer { lock.unlock() }; return log.contains(s) }
        func stop() { process.terminate(); process.waitUntilExit() }
    }

    /// The four services (store with the synthetic radiators, tilt-service, plot-renderer, edge) as
    /// processes of this build on free loopback ports; nodes are added one at a time.
    final class System {
        let token = "bench"
        let http: UInt16, rpc: UInt16
        private let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        private let data: String
        private var services: [Service] = []

        init(name: String) throws {
            data = FileManager.default.temporaryDirectory.appendingPathComponent("sf-bench-\(name)-\(getpid())").path
            setenv("SPOTFINDER_TOKEN", token, 1)  // the services read it from the environment, never argv
            let store = try Service("\(bin)/topograph-store", ["--listen", "127.0.0.1:0", "--data", data])
            services.append(store)
            let storePort = try store.port(after: "listening on ")
            let tilt = try Service("\(bin)/tilt-service", ["--listen", "127.0.0.1:0", "--store", "127.0.0.1:\(storePort)"])
            services.append(tilt)
            let renderer = try Service("\(bin)/plot-renderer", ["--listen", "127.0.0.1:0"])
            services.append(renderer)
            let edge = try Service("\(bin)/edge", ["--http", "127.0.0.1:0", "--rpc", "127.0.0.1:0", "--store", "127.0.0.1:\(storePort)",
                                                  "--tilt", "127.0.0.1:\(try tilt.port(after: "listening on "))",
                                                  "--renderer", "127.0.0.1:\(try renderer.port(after: "listening on "))"])
            services.append(edge)
            rpc = try edge.port(after: "rpc listening on ")
            http = try edge.port(after: "http listening on ")
        }

        /// One more cobrems-node, registered with the edge.
        func addNode() throws {
            let n = try Service("\(bin)/cobrems-node", ["--listen", "127.0.0.1:0", "--edge", "127.0.0.1:\(rpc)"])
            services.append(n)
            for _ in 0..<200 where !n.contains("registered") { Thread.sleep(forTimeInterval: 0.05) }
        }

        func stop() {
            for s in services.reversed() { s.stop() }
            try? FileManager.default.removeItem(atPath: data)
        }
    }

    static func get(_ url: URL) async throws -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let (data, response) = try await URLSession.shared.data(from: url)
        guard (response as? HTTPURLResponse)?.statusCode == 200, data.count > 1000 else {
            throw NSError(domain: "bench", code: 2, userInfo: [NSLocalizedDescriptionKey: String(decoding: data, as: UTF8.self)])
        }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }

    static func run() async throws -> [[String]] {
        var table = BenchTable("area", "measurement", "median", "p90", "notes")
        let system = try System(name: "http")
        defer { system.stop() }
        let http = system.http
        func url(_ thetah: Double) -> URL {
            URL(string: "http://127.0.0.1:\(http)/plot.png?radiator_name=SF-G03&plot_type=polar&rad_thetah=\(thetah)&rad_thetav=50")!
        }
        for count in [1, 2] {
            try system.addNode()
            _ = try await get(url(1.2))  // warm the model cache and connections
            var cold: [Double] = []
            for i in 0..<80 { cold.append(try await get(url(1.2 + Double(count * 1000 + i) * 1e-5))) }
            let t = Timing(samples: cold.sorted())
            let p99 = t.samples[Int(Double(t.samples.count - 1) * 0.99)]
            table.add("http", "polarization plot, default spot, \(count) node\(count > 1 ? "s" : ""), cold (cache miss)", ms(t.median), ms(t.p90),
                      String(format: "p99 %.1f ms; target median ≤ 150 ms, p99 ≤ 400 ms; original 10 s on 2400 cores", p99 * 1e3))
        }
        var cached: [Double] = []
        for _ in 0..<200 { cached.append(try await get(url(1.2))) }
        let c = Timing(samples: cached.sorted())
        table.add("http", "same plot again (response cache hit)", ms(c.median), ms(c.p90), "target ≤ 5 ms")
        return table.rows
    }
}
