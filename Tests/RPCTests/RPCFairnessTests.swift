import Foundation
@testable import RPC
import Scheduling
import Synchronization
import Testing
import Wire

/// A server whose batch method runs until its call is cancelled, recording when it noticed.
final class AbandonProbe: Sendable {
    static let spin = "/spotfinder.v1.Test/Spin"
    static let capped = "/spotfinder.v1.Test/Capped"
    private let stoppedAt = Mutex<UInt64?>(nil)
    private let started = Atomic(0)

    var startedCount: Int { started.load(ordering: .acquiring) }
    var stopped: UInt64? { stoppedAt.withLock { $0 } }

    func routes() -> RPCRoutes {
        var r = RPCRoutes()
        // Polls its cancellation flag like a compute loop (on a thread of its own, not the pool).
        r.unary(Self.spin, policy: .batch(maxSeconds: 60)) { [self] (c: CurveMessage, context) -> CurveMessage in
            started.add(1, ordering: .releasing)
            await offPool { [self] in
                while !context.shouldStop { usleep(2000) }
                stoppedAt.withLock { $0 = Deadline.now }
            }
            return c
        }
        // Reports the deadline it was given.
        r.unary(Self.capped, policy: .batch(maxSeconds: 2)) { (_: CurveMessage, context) in
            CurveMessage(label: "remaining", x: [context.deadline.remainingSeconds])
        }
        return r
    }
}

/// Issue #22: abandoned work stops, deadlines are capped, and frames cannot hold memory or connections.
@Suite(.timeLimit(.minutes(1))) struct RPCFairnessTests {
    func waitForStop(_ probe: AbandonProbe) async throws -> Double? {
        let since = Deadline.now
        while probe.stopped == nil && Double(Deadline.now - since) / 1e9 < 5 { try await Task.sleep(nanoseconds: 5_000_000) }
        return probe.stopped.map { Double(Int64(bitPattern: $0 &- since)) / 1e9 }
    }

    /// A cancelled caller's Cancel frame reaches the handler's flag: its loop stops within a second.
    @Test func cancelledCallStopsOnTheServer() async throws {
        let probe = AbandonProbe()
        let server = try RPCServer(routes: probe.routes(), config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        let call = Task { let _: CurveMessage = try await client.call(AbandonProbe.spin, CurveMessage(), deadline: .after(seconds: 50)) }
        while probe.startedCount == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
        call.cancel()
        let stoppedAfter = try #require(try await waitForStop(probe), "the handler never saw the cancellation")
        #expect(stoppedAfter < 1)
        var settled = 0
        while server.callsInFlight > 0 && settled < 100 { try await Task.sleep(nanoseconds: 10_000_000); settled += 1 }
        #expect(server.callsInFlight == 0, "the cancelled call left the connection's count")
    }

    /// Calls sent on a connection that is then closed stop at once: nobody can read their answers.
    @Test func closedConnectionCancelsItsCalls() async throws {
        let probe = AbandonProbe()
        let server = try RPCServer(routes: probe.routes(), config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let s = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        let request = Envelope(kind: .request, method: AbandonProbe.spin, requestId: 1, timeoutMs: 4_000_000_000,
                               payload: Data(try CurveMessage().serializedBytes()))
        try s.writeAll(RawFrames.frame(try request.serializedBytes()))
        while probe.startedCount == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
        s.close()
        let stoppedAfter = try #require(try await waitForStop(probe), "the handler ran on after its caller left")
        #expect(stoppedAfter < 1)
    }

    /// A batch method caps the caller's deadline, and refuses "no deadline" from anonymous callers.
    @Test func deadlinesAreCappedAndRequired() async throws {
        let server = try RPCServer(routes: AbandonProbe().routes(), config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        let r: CurveMessage = try await client.call(AbandonProbe.capped, CurveMessage(), deadline: .after(seconds: 4_000_000))
        let remaining = try #require(r.x.first)
        #expect(remaining > 0 && remaining <= 2, "cut to the method's 2 s")
        do {
            let _: CurveMessage = try await client.call(AbandonProbe.capped, CurveMessage(), deadline: .none)
            Issue.record("an anonymous call without a deadline was served")
        } catch {
            #expect(error.code == .invalidArgument && error.message.contains("timeout_ms = 0"))
        }
    }

    /// Frames are buffered as they arrive, within a budget shared by anonymous connections: held
    /// frames declaring 16 MiB cost only what was sent, and past the budget the sender is refused.
    @Test func heldFramesStayWithinTheBudget() async throws {
        let server = try RPCServer(routes: AbandonProbe().routes(), config: { var c = RPCServerConfig(); c.anonymousFrameBudgetBytes = 1 << 20; return c }())
        defer { Task { await server.shutdown() } }
        var sockets: [Socket] = []
        defer { for s in sockets { s.close() } }
        let header: [UInt8] = [0x00, 0xFF, 0xFF, 0x00]  // ~16 MiB declared
        for _ in 0..<3 {
            let s = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
            try s.writeAll(header + [UInt8](repeating: 0x0A, count: 300_000))
            sockets.append(s)
        }
        // Three held frames hold ~1 MiB together; a fourth sender goes past the budget.
        let fourth = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        sockets.append(fourth)
        try fourth.writeAll(header + [UInt8](repeating: 0x0A, count: 300_000))
        let reply = try #require(try await RawFrames.readEnvelope(fourth))
        #expect(reply.statusCode == StatusCode.resourceExhausted.rawValue)
    }

    /// One address cannot hold every anonymous connection: past its share a connection must say hello.
    @Test func oneAddressCannotTakeEveryAnonymousConnection() async throws {
        let server = try RPCServer(routes: AbandonProbe().routes(), config: {
            var c = RPCServerConfig(); c.maxAnonymousConnectionsPerClient = 2; c.helloTimeoutSeconds = 0.2; return c
        }())
        defer { Task { await server.shutdown() } }
        let held = try (0..<2).map { _ in try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1) }
        defer { for s in held { s.close() } }
        while server.anonymousConnectionCount < 2 { try await Task.sleep(nanoseconds: 2_000_000) }
        let third = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        defer { third.close() }
        let reply = try #require(try await RawFrames.readEnvelope(third))
        #expect(reply.statusCode == StatusCode.resourceExhausted.rawValue && reply.statusMessage.contains("per address"))
    }

    /// A frame trickling in (each gap under the per-chunk timeout) is cut off at its overall limit.
    @Test func slowFrameIsCutOff() async throws {
        let server = try RPCServer(routes: AbandonProbe().routes(), config: {
            var c = RPCServerConfig(); c.frameTimeoutSeconds = 0.5; c.readTimeoutSeconds = 5; return c
        }())
        defer { Task { await server.shutdown() } }
        let s = try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 1)
        defer { s.close() }
        try s.writeAll([0, 0, 1, 0])
        let start = Deadline.now
        for _ in 0..<10 {
            try? s.writeAll([0x0A])
            try await Task.sleep(nanoseconds: 200_000_000)
            if (try? s.waitReadable(timeoutSeconds: 0)) == true { break }
        }
        let reply = try #require(try await RawFrames.readEnvelope(s))
        #expect(reply.statusCode == StatusCode.deadlineExceeded.rawValue)
        #expect(Double(Deadline.now - start) / 1e9 < 1.9, "cut off near 0.5 s, not after 10 trickled bytes")
    }
}
