import Foundation
import Testing
@testable import RPC
import Wire

@Suite(.timeLimit(.minutes(1))) struct RPCCallTests {
    @Test func unaryCallRoundTrips() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        let sent = CurveMessage(label: "θ spectrum", x: [1, 2, 3], y: [4, 5, 6])
        let got: CurveMessage = try await client.call(TestServer.echo, sent)
        #expect(got == sent)
        client.close()
    }

    @Test func manyCallsInFlightOnOneConnectionAreMatchedById() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        // 60: an anonymous connection may have 64 calls in flight (RPCServerConfig.maxInFlightPerAnonymousConnection).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<60 {
                group.addTask {
                    // Later calls finish first: answers come back out of order.
                    let m = CurveMessage(label: "call \(i)", x: [Double(60 - i) * 0.002])
                    let r: CurveMessage = try await client.call(TestServer.slow, m)
                    #expect(r.label == "call \(i)")
                }
            }
            try await group.waitForAll()
        }
        #expect(server.connectionCount == 1, "all calls shared one connection")
        client.close()
    }

    @Test func handlerErrorsArriveWithTheirCodeAndSentence() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        do {
            let _: CurveMessage = try await client.call(TestServer.fail, CurveMessage(label: "-1"))
            Issue.record("expected INVALID_ARGUMENT")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("ebeam_energy = -1"))
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        await #expect(throws: RPCError.self) {
            let _: CurveMessage = try await client.call("/spotfinder.v1.Nope/Nothing", CurveMessage())
        }
        do { let _: CurveMessage = try await client.call("/spotfinder.v1.Nope/Nothing", CurveMessage()) } catch {
            #expect(error.code == .unimplemented)
        }
    }

    @Test func deadlineExceededComesBackInTime() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        let start = Deadline.now
        do {
            let _: CurveMessage = try await client.call(TestServer.slow, CurveMessage(x: [30]), deadline: .after(seconds: 0.2))
            Issue.record("expected DEADLINE_EXCEEDED")
        } catch {
            #expect(error.code == .deadlineExceeded)
        }
        let elapsed = Double(Deadline.now - start) / 1e9
        #expect(elapsed < 10, "the caller was released near its deadline, not after the 30 s handler")
    }

    @Test func deadlinePropagatesToTheHandler() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        // Generous margins: a loaded CI machine may delay the call by seconds.
        let r: CurveMessage = try await client.call(TestServer.deadline, CurveMessage(), deadline: .after(seconds: 30))
        let remaining = try #require(r.x.first)
        #expect(remaining > 15 && remaining <= 30.01)
        let none: CurveMessage = try await client.call(TestServer.deadline, CurveMessage(), deadline: .none)
        #expect(none.x.first == .infinity)
    }

    @Test func serverEnforcesTheDeadlineItself() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        let s = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        let payload = try CurveMessage(x: [30]).serializedBytes()
        let request = Envelope(kind: .request, method: TestServer.slow, requestId: 77, timeoutMs: 100, payload: Data(payload))
        try s.writeAll(RawFrames.frame(try request.serializedBytes()))
        let start = Deadline.now
        let reply = try #require(try await RawFrames.readEnvelope(s))
        #expect(reply.requestId == 77)
        #expect(reply.statusCode == StatusCode.deadlineExceeded.rawValue)
        #expect(Double(Deadline.now - start) / 1e9 < 10, "answered at the 100 ms deadline, not after the 30 s handler")
        s.close()
    }

    @Test func aDownPeerIsUnavailable() async throws {
        let server = try TestServer.start()
        let port = server.port
        await server.shutdown()
        let client = RPCClient(host: "127.0.0.1", port: port)
        do {
            let _: CurveMessage = try await client.call(TestServer.echo, CurveMessage(), idempotent: true)
            Issue.record("expected UNAVAILABLE")
        } catch {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("127.0.0.1:\(port)"))
        }
    }

    @Test func clientRefusesToSendOversizedMessages() async throws {
        let server = try TestServer.start()
        defer { Task { await server.shutdown() } }
        var config = RPCClientConfig()
        config.maxFrameBytes = 1000
        let client = RPCClient(host: "127.0.0.1", port: server.port, config: config)
        do {
            let _: CurveMessage = try await client.call(TestServer.echo, CurveMessage(x: Array(repeating: 1, count: 500)))
            Issue.record("expected RESOURCE_EXHAUSTED")
        } catch {
            #expect(error.code == .resourceExhausted)
        }
    }

    @Test func gracefulShutdownFinishesCallsInFlight() async throws {
        let server = try TestServer.start()
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        async let answer: CurveMessage = client.call(TestServer.slow, CurveMessage(label: "in flight", x: [0.5]))
        var waited = 0
        while server.callsInFlight == 0 && waited < 500 { try await Task.sleep(nanoseconds: 10_000_000); waited += 1 }
        await server.shutdown(graceSeconds: 10)
        #expect(try await answer.label == "in flight")
        #expect(throws: SocketError.self) { try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 0.5) }
    }

    @Test func reconnectsAfterTheServerDropsAnIdleConnection() async throws {
        let server = try TestServer.start { $0.idleTimeoutSeconds = 0.3 }
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        // Idempotent: a request that races the server's idle close may be retried.
        let _: CurveMessage = try await client.call(TestServer.echo, CurveMessage(label: "a"), idempotent: true)
        var waited = 0
        while server.connectionCount > 0 && waited < 300 { try await Task.sleep(nanoseconds: 10_000_000); waited += 1 }
        #expect(server.connectionCount == 0, "the idle connection was closed by the server")
        let b: CurveMessage = try await client.call(TestServer.echo, CurveMessage(label: "b"), idempotent: true)
        #expect(b.label == "b")
    }
}
