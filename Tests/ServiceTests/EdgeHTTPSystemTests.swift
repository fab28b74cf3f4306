import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RPC
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The edge's HTTP face as a real process: descriptor exhaustion, cached answers without the store.
@Suite(.serialized, .timeLimit(.minutes(3))) struct EdgeHTTPSystemTests {
    /// An edge alone (no other service is needed for /healthz) under `ulimit -n 256`.
    func limitedEdge(_ extra: [String]) async throws -> (ServiceProcess, UInt16) {
        let command = "ulimit -n 256 && exec '\(executable("edge"))' --http 127.0.0.1:0 --rpc 127.0.0.1:0 --store 127.0.0.1:1 "
            + "--tilt 127.0.0.1:1 --renderer 127.0.0.1:1 " + extra.joined(separator: " ")
        let edge = try ServiceProcess("/bin/sh", ["-c", command], environment: ["SPOTFINDER_TOKEN": "t"])
        return (edge, try await edge.port(after: "http listening on "))
    }

    /// Hold 400 connections against a process allowed 256 descriptors, release them: the edge serves again.
    /// Once with the default cap (half the limit: the rest get 503) and once with a cap above the limit
    /// (accept() hits EMFILE and must back off, not die).
    @Test(arguments: [[], ["--http-max-connections", "2000"]])
    func descriptorExhaustionIsSurvived(_ extra: [String]) async throws {
        let (edge, port) = try await limitedEdge(extra)
        defer { edge.stop() }
        let outcome = await offPool { () -> (held: Int, refused: Int, servedAfter: Bool) in
            var held: [Socket] = []
            var refused = 0
            for _ in 0..<400 {
                guard let s = try? Socket.connect(host: "127.0.0.1", port: port, timeoutSeconds: 2) else { continue }
                held.append(s)
            }
            // A request on each: either served (and kept) or refused with 503, or never accepted.
            for s in held { try? s.writeAll(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }
            var buffer = [UInt8](repeating: 0, count: 512)
            for s in held where (try? s.waitReadable(timeoutSeconds: 0.02)) == true {
                let n = buffer.withUnsafeMutableBytes { recv(s.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 12, String(decoding: buffer[0..<12], as: UTF8.self) == "HTTP/1.1 503" { refused += 1 }
            }
            let count = held.count
            for s in held { s.close() }
            held.removeAll()
            // Released: within a few seconds a fresh client is served.
            var served = false
            for _ in 0..<100 where !served {
                if let s = try? Socket.connect(host: "127.0.0.1", port: port, timeoutSeconds: 2) {
                    try? s.writeAll(Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
                    if (try? s.waitReadable(timeoutSeconds: 2)) == true {
                        let n = buffer.withUnsafeMutableBytes { recv(s.fd, $0.baseAddress, $0.count, 0) }
                        served = n > 12 && String(decoding: buffer[0..<12], as: UTF8.self) == "HTTP/1.1 200"
                    }
                    s.close()
                }
                if !served { Thread.sleep(forTimeInterval: 0.1) }
            }
            return (count, refused, served)
        }
        #expect(outcome.held > 256, "more connections than the descriptor limit were opened")
        #expect(outcome.refused > 0, "clients beyond what the edge can hold are told so (503)")
        #expect(outcome.servedAfter, "the edge serves again once the connections are released")
        #expect(edge.process.isRunning, "the edge is still running: \(edge.output.suffix(500))")
    }

    /// A cached URL needs no other service: with the topograph-store stopped (SIGSTOP), it still answers at once.
    @Test func cachedAnswersDoNotWaitForAHungStore() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        let store = system.services[0]
        #expect(store.name == "topograph-store")
        let q = "/api/tilt?radiator_name=SF-E02"
        #expect(try await system.get(q).headers["x-spotfinder-cache"] == "miss")
        kill(store.process.processIdentifier, SIGSTOP)
        defer { kill(store.process.processIdentifier, SIGCONT) }
        try await Task.sleep(nanoseconds: 1_500_000_000)  // past the edge's revision refresh interval
        for _ in 0..<3 {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(system.http)\(q)")!)
            request.timeoutInterval = 3  // the store-bound path would take the 5 s store deadline
            let (_, response) = try await URLSession.shared.data(for: request)
            let h = try #require(response as? HTTPURLResponse)
            #expect(h.statusCode == 200 && h.value(forHTTPHeaderField: "X-Spotfinder-Cache") == "hit")
        }
    }
}
