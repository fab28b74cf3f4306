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

    /// Out of descriptors, a new client is told so (503) instead of waiting in the backlog for nothing:
    /// 400 idle connections from four loopback addresses (100 each, under the 128 per address) against a
    /// process allowed 256 descriptors and a connection cap above that, so accept() itself fails (EMFILE).
    @Test func aNewClientOutOfDescriptorsGets503() async throws {
        let (edge, port) = try await limitedEdge(["--http-max-connections", "2000"])
        defer { edge.stop() }
        let answer = await offPool { () -> String in
            var held: [Int32] = []
            defer { for fd in held { close(fd) } }
            for i in 0..<400 {
                if let fd = Self.connect(from: "127.0.0.\(2 + i % 4)", port: port) { held.append(fd) }
            }
            // Sends nothing: the answer must come from the edge unasked, before any header timeout.
            guard let fresh = Self.connect(from: "127.0.0.1", port: port) else { return "the new client could not connect" }
            defer { close(fresh) }
            var p = pollfd(fd: fresh, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 5000) > 0 else { return "no answer within 5 s (\(held.count) connections held)" }
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = buffer.withUnsafeMutableBytes { recv(fresh, $0.baseAddress, $0.count, 0) }
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : "closed without an answer (recv \(n), errno \(errno))"
        }
        #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer.prefix(200))")
        #expect(edge.process.isRunning, "the edge is still running: \(edge.output.suffix(500))")
    }

    /// A TCP connection from `source` (a loopback address) to the edge, or nil within 2 s.
    static func connect(from source: String, port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        func address(_ host: String, _ port: UInt16) -> sockaddr_in {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &a.sin_addr)
            return a
        }
        var local = address(source, 0), remote = address("127.0.0.1", port)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let r = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, size) } }
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard bound == 0, r == 0 || (errno == EINPROGRESS && poll(&p, 1, 2000) > 0),
              getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0, err == 0 else { close(fd); return nil }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// A hung store is not a dead service: with the topograph-store stopped (SIGSTOP), a cached view keeps
    /// answering at once (never waiting out the 2 s revision check), and once the store has not confirmed
    /// revisions for 3 s the answers say so in `X-Spotfinder-Stale`; when it answers again the mark goes.
    @Test func cachedAnswersDoNotWaitForAHungStore() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        let store = system.services[0]
        #expect(store.name == "topograph-store")
        let q = "/api/tilt?radiator_name=SF-E02"
        #expect(try await system.get(q).headers["x-spotfinder-cache"] == "miss")
        // While the store answers, a hit is confirmed (a hit past 1 s refreshes the revisions in the background).
        #expect(try await Self.askUntil(system, q, headers: { $0["x-spotfinder-stale"] == nil }), "a store that answers: no stale mark")
        kill(store.process.processIdentifier, SIGSTOP)
        let stopped = ContinuousClock.now
        defer { kill(store.process.processIdentifier, SIGCONT) }
        var answers: [(startedAfter: Double, seconds: Double, headers: [String: String])] = []
        for _ in 0..<20 {
            let began = ContinuousClock.now
            let r = try await system.get(q)
            #expect(r.status == 200 && r.headers["x-spotfinder-cache"] == "hit")
            answers.append((Self.seconds(began - stopped), Self.seconds(ContinuousClock.now - began), r.headers))
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        let slowest = answers.map(\.seconds).max() ?? 0
        #expect(slowest < 1.5, "a cached answer waited on the hung store: \(slowest) s")
        // The revisions were last confirmed before the stop: every answer begun 3 s after it is marked.
        let late = answers.filter { $0.startedAfter > 3.2 }
        #expect(late.count >= 3, "the loop outlasted the stale threshold: \(answers.map(\.startedAfter))")
        for a in late { #expect(a.headers["x-spotfinder-stale"]?.contains("has not confirmed") == true, "\(a.startedAfter) s: \(a.headers)") }
        kill(store.process.processIdentifier, SIGCONT)
        #expect(try await Self.askUntil(system, q, headers: { $0["x-spotfinder-stale"] == nil }), "the mark goes once the store answers again")
    }

    /// Cached GETs of `q`, 100 ms apart for at most 10 s, until one's headers satisfy `condition`.
    static func askUntil(_ system: LocalSystem, _ q: String, headers condition: ([String: String]) -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            let r = try await system.get(q)
            if r.headers["x-spotfinder-cache"] == "hit" && condition(r.headers) { return true }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        return false
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
