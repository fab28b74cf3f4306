import Foundation
import HTTPServer
import HTTPTestSupport
import RPC
import Synchronization
import Testing

/// The HTTP server on real loopback sockets: framing, limits, timeouts, caps.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HTTPServerTests {
    func server(_ configure: (inout HTTPServerConfig) -> Void = { _ in }) throws -> HTTP1Server {
        var config = HTTPServerConfig()
        configure(&config)
        return try HTTP1Server(handler: EchoHandler(), config: config)
    }

    func status(_ bytes: [UInt8]) -> Int? {
        let line = String(decoding: bytes.prefix(40), as: UTF8.self)
        guard line.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(line.dropFirst(9).prefix(3))
    }

    @Test func getHeadPostAndKeepAlivePipelining() async throws {
        let s = try server()
        defer { Task { await s.stop() } }
        let c = try RawClient(port: s.port)
        defer { c.close() }
        // Three requests in one write: answered in order on one connection.
        try c.send("GET /echo?a=1&b=%41 HTTP/1.1\r\nHost: x\r\nX-Test: yes\r\n\r\n"
                   + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                   + "HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        let a = try #require(c.readResponse())
        #expect(a.status == 200)
        #expect(String(decoding: a.body, as: UTF8.self) == "GET /echo ?a=1&b=%41 x=yes body=0")
        let b = try #require(c.readResponse())
        #expect(String(decoding: b.body, as: UTF8.self) == "POST /echo ? x=- body=5")
        let h = try #require(c.readResponse(head: true))
        #expect(h.status == 200 && h.body.isEmpty && Int(h.headers["content-length"] ?? "") ?? 0 > 0, "HEAD: the length, not the body")
        // Still open: one more, then the client asks to close.
        try c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let d = try #require(c.readResponse())
        #expect(d.status == 200 && String(decoding: d.body, as: UTF8.self) == "ok")
        #expect(d.headers["connection"] == "close")
        #expect(c.isClosed(timeout: 5))
    }

    @Test func largeBodiesAreWrittenWhole() async throws {
        let s = try server()
        defer { Task { await s.stop() } }
        let c = try RawClient(port: s.port)
        defer { c.close() }
        try c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try #require(c.readResponse())
        #expect(r.status == 200 && r.body.count == 3 << 20 && r.body.allSatisfy { $0 == 7 })
    }

    /// A 1 MB request line is refused as soon as 8 KiB have arrived: linear, not quadratic, in its length.
    @Test func megabyteRequestLineIs414() async throws {
        let s = try server()
        defer { Task { await s.stop() } }
        for _ in 0..<3 {
            let c = try RawClient(port: s.port)
            defer { c.close() }
            try? c.send("GET /echo?q=" + String(repeating: "a", count: 1 << 20) + " HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(status(c.readToEnd()) == 414)
        }
    }

    @Test func hugeHeadersAre431() async throws {
        let s = try server()
        defer { Task { await s.stop() } }
        let oneLong = "GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 1 << 20) + "\r\n\r\n"
        let manySmall = "GET /echo HTTP/1.1\r\nHost: x\r\n" + (0..<150).map { "X-\($0): " + String(repeating: "c", count: 600) + "\r\n" }.joined() + "\r\n"
        for request in [oneLong, manySmall] {
            let c = try RawClient(port: s.port)
            defer { c.close() }
            try? c.send(request)
            #expect(status(c.readToEnd()) == 431)
        }
    }

    @Test func malformedRequestsAre400AndClosed() async throws {
        let s = try server()
        defer { Task { await s.stop() } }
        let bad = ["GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /echo\r\n\r\n", "GET /echo HTTP/1.1 extra\r\n\r\n",
                   "G(T /echo HTTP/1.1\r\n\r\n", "GET echo HTTP/1.1\r\n\r\n", "GET /echo HTTP/x.y\r\n\r\n",
                   "GET /echo HTTP/1.1\r\nNo colon here\r\n\r\n", "GET /echo HTTP/1.1\r\n folded: x\r\n\r\n",
                   "GET /echo HTTP/1.1\r\nBad Name: x\r\n\r\n", "GET /echo HTTP/1.1\r\nX: a\u{01}b\r\n\r\n",
                   "GET /%zz HTTP/1.1\r\n\r\n", "GET /%ff HTTP/1.1\r\n\r\n",
                   "POST /echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "POST /echo HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n",
                   "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                   "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"]
        for request in bad {
            let c = try RawClient(port: s.port)
            defer { c.close() }
            try c.send(request)
            let answer = c.readToEnd()
            #expect(status(answer) == 400, "\(request.debugDescription) → \(String(decoding: answer.prefix(60), as: UTF8.self))")
        }
        // Raw bytes that are not text at all.
        let c = try RawClient(port: s.port)
        defer { c.close() }
        try c.send([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00, 0x00, 0xfb, 0x03, 0x03, 0x0a, 0x0d, 0x0a, 0x0d, 0x0a])
        #expect(status(c.readToEnd()) == 400)
    }

    @Test func bodiesAreBoundedPerPathAnd100ContinueIsSent() async throws {
        let s = try server { $0.maxBodyBytes = { _, path in path == "/upload" ? 1000 : 10 } }
        defer { Task { await s.stop() } }
        let c = try RawClient(port: s.port)
        defer { c.close() }
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")
        #expect(status(c.readToEnd()) == 413)
        let d = try RawClient(port: s.port)
        defer { d.close() }
        try d.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
        let cont = try #require(d.readResponse())
        #expect(cont.status == 100)
        try d.send([UInt8](repeating: 65, count: 1000))
        let r = try #require(d.readResponse())
        #expect(r.status == 200 && String(decoding: r.body, as: UTF8.self).hasSuffix("body=1000"))
        let e = try RawClient(port: s.port)
        defer { e.close() }
        try e.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        #expect(status(e.readToEnd()) == 411)
    }

    @Test func slowHeadersAreClosedByTheHeaderTimeout() async throws {
        let s = try server { $0.headerTimeoutSeconds = 0.5 }
        defer { Task { await s.stop() } }
        let c = try RawClient(port: s.port)
        defer { c.close() }
        try c.send("GET /echo HTTP/1.1\r\nHost: x\r\n")
        // Slowloris: a header byte now and then keeps nothing open past the head's deadline.
        for _ in 0..<3 { try? c.send("X"); try await Task.sleep(nanoseconds: 100_000_000) }
        let answer = c.readToEnd(timeout: 10)
        #expect(status(answer) == 408)
        #expect(s.connectionCount == 0 || c.isClosed(timeout: 2))
    }

    @Test func idleKeepAliveConnectionsAreClosed() async throws {
        let s = try server { $0.idleTimeoutSeconds = 0.3 }
        defer { Task { await s.stop() } }
        let c = try RawClient(port: s.port)
        defer { c.close() }
        try c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(c.readResponse()?.status == 200)
        #expect(c.isClosed(timeout: 10), "closed after the idle timeout")
        let silent = try RawClient(port: s.port)
        defer { silent.close() }
        #expect(silent.isClosed(timeout: 10), "a connection that never sends is closed too")
    }

    @Test func connectionCapRefusesWith503AndRecovers() async throws {
        let s = try server { $0.maxConnections = 4 }
        defer { Task { await s.stop() } }
        var held: [RawClient] = []
        for _ in 0..<4 {
            let c = try RawClient(port: s.port)
            try c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(c.readResponse()?.status == 200)
            held.append(c)
        }
        let extra = try RawClient(port: s.port)
        defer { extra.close() }
        let refusal = try #require(extra.readResponse())
        #expect(refusal.status == 503)
        #expect(String(decoding: refusal.body, as: UTF8.self).contains("connections open"))
        for c in held { c.close() }
        held.removeAll()
        // Once released, the server serves again.
        var served = false
        for _ in 0..<100 where !served {
            let c = try RawClient(port: s.port)
            defer { c.close() }
            try c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            served = c.readResponse()?.status == 200
            if !served { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(served)
    }

    /// With every thread of the Swift concurrency pool blocked, the immediate route still answers.
    @Test func immediateAnswersDoNotNeedTheConcurrencyPool() async throws {
        let s = try server()
        defer { Task { await s.stop() } }
        let release = DispatchSemaphore(value: 0)
        let blockers = ProcessInfo.processInfo.activeProcessorCount + 2
        for _ in 0..<blockers {
            Task.detached { _ = release.wait(timeout: .now() + 10) }
        }
        let answered: Int? = await withCheckedContinuation { k in
            // A plain thread: the pool is busy.
            Thread {
                Thread.sleep(forTimeInterval: 0.2)
                let c = try? RawClient(port: s.port)
                try? c?.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                let status = c?.readResponse(timeout: 5)?.status
                for _ in 0..<blockers { release.signal() }
                k.resume(returning: status)
            }.start()
        }
        #expect(answered == 200)
    }

    @Test func stopClosesEverything() async throws {
        let s = try server()
        let c = try RawClient(port: s.port)
        defer { c.close() }
        try c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(c.readResponse()?.status == 200)
        await s.stop(timeout: 2)
        #expect(c.isClosed(timeout: 5))
        #expect(throws: (any Error).self) { try RawClient(port: s.port).send("GET / HTTP/1.1\r\n\r\n") }
    }
}
