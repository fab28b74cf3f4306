import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTPServer
import HTTPTestSupport
import RPC
import Synchronization
import Testing

/// An upload route that needs a token in its head, and a slow route that records being cancelled.
struct GuardedHandler: HTTPHandler {
    let cancelled = Flag()

    final class Flag: Sendable {
        let value = Atomic(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.path == "/slow" {
            do { try await Task.sleep(nanoseconds: 30_000_000_000) } catch { cancelled.value.store(true, ordering: .releasing) }
        }
        return HTTPResponse(statusCode: .ok, body: Data("body=\(request.body.count) peer=\(request.peerHost)".utf8))
    }

    func immediateResponse(to request: HTTPRequest) -> HTTPResponse? {
        request.path == "/healthz" ? HTTPResponse(statusCode: .ok, body: Data("ok".utf8)) : nil
    }

    func refuseBody(of request: HTTPRequest) -> HTTPResponse? {
        request.headers["X-Token"] == "secret" ? nil : .error(.unauthorized, "upload needs the token")
    }
}

/// Issue #22: what an anonymous client can hold on the HTTP server (bodies, slow bodies, connections,
/// abandoned requests) is bounded, and health stays visible.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HTTPFairnessTests {
    func server(_ handler: GuardedHandler = GuardedHandler(), _ configure: (inout HTTPServerConfig) -> Void = { _ in }) throws -> HTTP1Server {
        var config = HTTPServerConfig()
        config.maxBodyBytes = { _, _ in 64 << 20 }
        configure(&config)
        return try HTTP1Server(handler: handler, config: config)
    }

    /// A 64 MiB upload without the token is answered 401 from its head: no `100 Continue`, no body read.
    @Test func unauthorisedUploadIsRefusedBeforeItsBody() async throws {
        let s = try server()
        defer { Task { await s.stop() } }
        let c = try RawClient(port: s.port)
        defer { c.close() }
        try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(64 << 20)\r\nExpect: 100-continue\r\n\r\n")
        let r = try #require(c.readResponse())
        #expect(r.status == 401, "refused from the head, not 100 Continue")
        // With the token the same upload is told to continue and read.
        let ok = try RawClient(port: s.port)
        defer { ok.close() }
        try ok.send("POST /upload HTTP/1.1\r\nHost: x\r\nX-Token: secret\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        // The interim answer has no body (RawClient.readResponse would wait for one): read its line.
        #expect(try ok.socket.waitReadable(timeoutSeconds: 5))
        var interim = [UInt8](repeating: 0, count: 25)
        let n = interim.withUnsafeMutableBytes { recv(ok.socket.fd, $0.baseAddress, 25, 0) }
        #expect(n == 25 && String(decoding: interim, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
        try ok.send("hello")
        let done = try #require(ok.readResponse())
        #expect(done.status == 200 && String(decoding: done.body, as: UTF8.self).hasPrefix("body=5 peer=127.0.0.1"))
    }

    /// A body trickling in (a byte now and then, each gap under the per-chunk timeout) is cut off at its
    /// overall limit: grace + length at the minimum rate.
    @Test func slowBodyIsCutOffAtItsOverallLimit() async throws {
        let s = try server { $0.bodyGraceSeconds = 0.5; $0.bodyMinimumBytesPerSecond = 1000; $0.bodyReadTimeoutSeconds = 5 }
        defer { Task { await s.stop() } }
        let c = try RawClient(port: s.port)
        defer { c.close() }
        try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nX-Token: secret\r\nContent-Length: 100\r\n\r\n")
        let start = Date()
        var status: Int?
        for _ in 0..<40 where status == nil {
            try? c.send("x")
            if (try? c.socket.waitReadable(timeoutSeconds: 0.2)) == true { status = c.readResponse()?.status }
        }
        #expect(status == 408)
        #expect(Date().timeIntervalSince(start) < 4, "cut off near its 0.6 s limit, not after 40 trickled bytes")
    }

    /// One address cannot hold more than its share of connections.
    @Test func oneClientCannotTakeEveryConnection() async throws {
        let s = try server { $0.maxConnectionsPerClient = 2 }
        defer { Task { await s.stop() } }
        let a = try RawClient(port: s.port), b = try RawClient(port: s.port)
        defer { a.close(); b.close() }
        try a.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(a.readResponse()?.status == 200)
        try b.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(b.readResponse()?.status == 200)
        let third = try RawClient(port: s.port)
        defer { third.close() }
        let r = try #require(third.readResponse())
        #expect(r.status == 503 && String(decoding: r.body, as: UTF8.self).contains("your address"))
    }

    /// With the connection cap full, a health check still gets its answer (and anything else a 503).
    @Test func healthAnswersWhileTheCapIsFull() async throws {
        let s = try server { $0.maxConnections = 2 }
        defer { Task { await s.stop() } }
        let a = try RawClient(port: s.port), b = try RawClient(port: s.port)
        defer { a.close(); b.close() }
        try a.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(a.readResponse()?.status == 200)
        try b.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(b.readResponse()?.status == 200)
        let health = try RawClient(port: s.port)
        defer { health.close() }
        try health.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(health.readResponse()?.status == 200)
        let other = try RawClient(port: s.port)
        defer { other.close() }
        try other.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(other.readResponse()?.status == 503)
    }

    /// A client that goes away while its request is computed cancels the handler's task.
    @Test func disconnectCancelsTheHandler() async throws {
        let handler = GuardedHandler()
        let s = try server(handler)
        defer { Task { await s.stop() } }
        let c = try RawClient(port: s.port)
        try c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(nanoseconds: 200_000_000)
        c.close()
        let start = Date()
        while !handler.cancelled.isSet && Date().timeIntervalSince(start) < 10 {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(handler.cancelled.isSet)
        #expect(Date().timeIntervalSince(start) < 2, "cancelled within a second of the disconnect")
    }
}
