import Foundation
import Testing
@testable import RPC
import Wire

/// The server answers what it can, closes what it must, never crashes, never leaks, keeps serving others.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HostileInputTests {
    func stillServes(_ server: RPCServer) async throws {
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        let r: CurveMessage = try await client.call(TestServer.echo, CurveMessage(label: "alive"))
        #expect(r.label == "alive")
        client.close()
    }

    @Test func hugeLengthPrefixIsRefusedWithoutReadingIt() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        let s = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        try s.writeAll([0xFF, 0xFF, 0xFF, 0xF0])  // ~4 GiB announced, nothing sent
        let reply = try #require(try await RawFrames.readEnvelope(s))
        #expect(reply.statusCode == StatusCode.resourceExhausted.rawValue)
        #expect(reply.statusMessage.contains("limit"))
        #expect(try await RawFrames.readEnvelope(s) == nil, "connection closed after an oversized frame")
        s.close()
        try await stillServes(server)
    }

    @Test func garbagePayloadIsInvalidArgumentAndTheConnectionLives() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        let s = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        try s.writeAll(RawFrames.frame([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))
        let reply = try #require(try await RawFrames.readEnvelope(s))
        #expect(reply.statusCode == StatusCode.invalidArgument.rawValue)
        // Same connection, a good request now.
        let ok = Envelope(kind: .request, method: TestServer.echo, requestId: 5, payload: Data(try CurveMessage(label: "x").serializedBytes()))
        try s.writeAll(RawFrames.frame(try ok.serializedBytes()))
        let answer = try #require(try await RawFrames.readEnvelope(s))
        #expect(answer.requestId == 5 && answer.statusCode == 0)
        // A request whose payload is not the method's message.
        let bad = Envelope(kind: .request, method: TestServer.echo, requestId: 6, payload: Data([0x0A, 0xFF]))
        try s.writeAll(RawFrames.frame(try bad.serializedBytes()))
        let badAnswer = try #require(try await RawFrames.readEnvelope(s))
        #expect(badAnswer.requestId == 6 && badAnswer.statusCode == StatusCode.invalidArgument.rawValue)
        s.close()
    }

    @Test func truncatedFrameAndSilentClientsAreClosed() async throws {
        let server = try TestServer.start { $0.idleTimeoutSeconds = 0.2; $0.readTimeoutSeconds = 0.2 }
        defer { Task { await server.shutdown() } }
        let silent = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        let partial = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        try partial.writeAll([0, 0, 0, 100, 1, 2, 3])  // promises 100 bytes, sends 3, then stalls
        var waited = 0
        while server.connectionCount > 0 && waited < 100 { try await Task.sleep(nanoseconds: 50_000_000); waited += 1 }
        #expect(server.connectionCount == 0, "silent and stalled peers do not pin a thread")
        #expect(try await RawFrames.readByte(silent, timeout: 1) == nil, "server closed the silent connection")
        silent.close(); partial.close()
        try await stillServes(server)
    }

    @Test func thousandsOfConnectionsOpenedAndDroppedLeakNothing() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        try await stillServes(server)
        try await Task.sleep(nanoseconds: 100_000_000)
        let baseline = openFileDescriptors()
        for i in 0..<2000 {
            // Generous connect timeout: under a loaded CI machine the accept backlog may briefly fill.
            let s = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 10)
            if i % 3 == 0 { try? s.writeAll([0, 0]) }  // half a header, then gone
            s.close()
        }
        var waited = 0
        while server.connectionCount > 0 && waited < 100 { try await Task.sleep(nanoseconds: 50_000_000); waited += 1 }
        #expect(server.connectionCount == 0)
        // Other suites run in parallel and open their own descriptors: allow a little noise.
        // A leak here would be one descriptor per connection, 2000 of them.
        var now = openFileDescriptors()
        for _ in 0..<20 where now > baseline + 32 { try await Task.sleep(nanoseconds: 100_000_000); now = openFileDescriptors() }
        #expect(now <= baseline + 32, "file descriptors return to baseline: \(baseline) before, \(now) after")
        try await stillServes(server)
    }

    @Test func connectionLimitIsResourceExhausted() async throws {
        let server = try TestServer.start { $0.maxConnections = 2 }
        defer { Task { await server.shutdown() } }
        let a = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        let b = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        try await Task.sleep(nanoseconds: 100_000_000)
        let c = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        let refusal = try #require(try await RawFrames.readEnvelope(c))
        #expect(refusal.statusCode == StatusCode.resourceExhausted.rawValue)
        a.close(); b.close(); c.close()
    }

    @Test func randomFramesNeverCrashTheServer() async throws {
        let server = try TestServer.start { $0.readTimeoutSeconds = 0.2 }
        defer { Task { await server.shutdown() } }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let s = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
            let body = (0..<Int.random(in: 0..<40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            try? s.writeAll(RawFrames.frame(body))
            s.close()
        }
        try await stillServes(server)
    }
}
