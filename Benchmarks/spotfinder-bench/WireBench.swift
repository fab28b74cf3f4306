import Foundation
import RPC
import Topography
import Wire

/// Issue 3's targets on loopback: small round trip ≤ 100 µs median, 1 MiB ≥ 500 MB/s,
/// 64 concurrent clients without errors; plus the 100 000-input decoder fuzz.
enum WireBench {
    static let echo = "/spotfinder.v1.Bench/Echo"
    static let sink = "/spotfinder.v1.Bench/Sink"

    static func run() async throws -> [[String]] {
        var table = BenchTable("area", "measurement", "median", "p90", "notes")
        var routes = RPCRoutes()
        routes.unary(echo) { (m: PlotResponse, _) in m }
        routes.unary(sink) { (m: PlotResponse, _) in PlotResponse(png: Data(m.png.prefix(8))) }
        let server = try RPCServer(routes: routes, config: RPCServerConfig())
        let client = RPCClient(host: "127.0.0.1", port: server.port)

        let small = PlotResponse(png: Data(repeating: 7, count: 64))
        _ = try await client.call(echo, small, as: PlotResponse.self)
        var times: [Double] = []
        for _ in 0..<3000 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try await client.call(echo, small, as: PlotResponse.self)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        let roundTrip = Timing(samples: times.sorted())
        table.add("wire", "small request/response round trip (64 B)", String(format: "%.1f µs", roundTrip.median * 1e6),
                  String(format: "%.1f µs", roundTrip.p90 * 1e6), "target ≤ 100 µs median")

        let big = PlotResponse(png: Data(repeating: 0xA5, count: 1 << 20))
        let upload = try await timeAsync(repetitions: 60) { _ = try await client.call(sink, big, as: PlotResponse.self) }
        table.add("wire", "1 MiB request, small answer", ms(upload.median), ms(upload.p90),
                  String(format: "%.0f MB/s one way, encode+frame+send+receive+decode; target ≥ 500 MB/s", Double(1 << 20) / upload.median / 1e6))
        let bigTiming = try await timeAsync(repetitions: 40) { _ = try await client.call(echo, big, as: PlotResponse.self) }
        table.add("wire", "1 MiB echo (1 MiB each way)", ms(bigTiming.median), ms(bigTiming.p90),
                  String(format: "%.0f MB/s moved", 2.0 * Double(1 << 20) / bigTiming.median / 1e6))

        let clients = (0..<64).map { _ in RPCClient(host: "127.0.0.1", port: server.port) }
        let perClient = 200
        let t0 = DispatchTime.now().uptimeNanoseconds
        let errors = await withTaskGroup(of: Int.self) { group in
            for c in clients {
                group.addTask {
                    var failed = 0
                    for _ in 0..<perClient {
                        do { _ = try await c.call(echo, small, as: PlotResponse.self) } catch { failed += 1 }
                    }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
        table.add("wire", "64 concurrent clients × \(perClient) calls", String(format: "%.0f calls/s", Double(64 * perClient) / seconds), "-",
                  "\(errors) errors")
        for c in clients { c.close() }
        client.close()
        await server.shutdown()

        let envelope = Envelope(method: "/spotfinder.v1.CobremsNode/ComputeSpectrum", requestId: 1, timeoutMs: 5000,
                                payload: Data(repeating: 1, count: 64))
        let bytes = try envelope.serializedBytes()
        let encode = Timing.measure(repetitions: 20_000) { _ = try? envelope.serializedBytes() }
        let decode = Timing.measure(repetitions: 20_000) { _ = try? Envelope(serializedBytes: bytes) }
        table.add("wire", "envelope encode / decode through protobuf-c", String(format: "%.1f / %.1f µs", encode.median * 1e6, decode.median * 1e6), "-",
                  "Codable ↔ descriptor-driven C structs; \(bytes.count) bytes")

        let fuzz = fuzzDecoder(inputs: 100_000)
        table.add("wire", "decoder fuzz, 100 000 random/mutated inputs", ms(fuzz.seconds), "-",
                  "\(fuzz.decoded) decoded, \(fuzz.rejected) rejected, 0 crashes")
        return table.rows
    }

    static func timeAsync(repetitions: Int, _ body: () async throws -> Void) async throws -> Timing {
        try await body()
        var samples: [Double] = []
        for _ in 0..<repetitions {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try await body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        return Timing(samples: samples.sorted())
    }

    static func fuzzDecoder(inputs: Int) -> (seconds: Double, decoded: Int, rejected: Int) {
        var rng = SplitMix64(seed: 0x5EED)
        func next() -> UInt64 { rng.next() }
        var seed = SpectrumRequestMessage(orientation: Orientation(radThetah: 1, radThetav: 50),
                                          samples: [TiltSampleMessage(weight: 1)])
        seed.beamline = BeamlineParameters()
        seed.beamline?.ebeamEnergy = 11.6
        let seeds = [(try? Envelope(method: "/a/b", requestId: 3, payload: Data([1, 2])).serializedBytes()) ?? [],
                     (try? seed.serializedBytes()) ?? []]
        var decoded = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        for i in 0..<inputs {
            var bytes = seeds[i % 2]
            if i % 3 == 0 {
                bytes = (0..<Int(next() % 96)).map { _ in UInt8(truncatingIfNeeded: next()) }
            } else {
                for _ in 0..<(1 + Int(next() % 5)) where !bytes.isEmpty {
                    bytes[Int(next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: next())
                }
            }
            if (try? Envelope(serializedBytes: bytes)) != nil { decoded += 1 }
            if (try? SpectrumRequestMessage(serializedBytes: bytes)) != nil { decoded += 1 }
        }
        return (Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9, decoded, 2 * inputs - decoded)
    }
}
