import Foundation
import Testing
@testable import RPC
import Wire

/// Item 8: anonymous connections cannot starve a service of its known clients (those that say hello
/// with the deployment token), and idle anonymous ones are closed much sooner while they crowd it.
@Suite(.timeLimit(.minutes(2))) struct KnownClientTests {
    static let token = "deployment-token-for-tests"

    @Test func anonymousConnectionsCannotShutOutAKnownClient() async throws {
        let server = try TestServer.start {
            $0.maxConnections = 16
            $0.reservedConnections = 4
            $0.token = Self.token
            // Long enough that the held connections are still there while the callers below are tried,
            // even on a loaded CI machine; the culling is awaited afterwards.
            $0.pressureIdleTimeoutSeconds = 5
        }
        defer { Task { await server.shutdown() } }
        // Anyone fills every anonymous slot and holds it idle.
        var held: [Socket] = []
        for _ in 0..<16 { held.append(try Socket.connect(host: "127.0.0.1", port: server.port, timeoutSeconds: 2)) }
        defer { for s in held { s.close() } }
        for _ in 0..<100 where server.anonymousConnectionCount < 16 { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(server.anonymousConnectionCount == 16)
        // One more anonymous caller is refused; a known client is served.
        let stranger = RPCClient(host: "127.0.0.1", port: server.port)
        do {
            let _: CurveMessage = try await stranger.call(TestServer.echo, CurveMessage(label: "x"), deadline: .after(seconds: 10))
            Issue.record("an anonymous caller over the limit was served")
        } catch {
            #expect(error.code == .resourceExhausted || error.code == .unavailable, "\(error)")
        }
        let known = RPCClient(host: "127.0.0.1", port: server.port, config: RPCClientConfig(token: Self.token))
        let echoed: CurveMessage = try await known.call(TestServer.echo, CurveMessage(label: "known"), deadline: .after(seconds: 10))
        #expect(echoed.label == "known")
        // A wrong token does not make a caller known.
        let impostor = RPCClient(host: "127.0.0.1", port: server.port, config: RPCClientConfig(token: "guess"))
        await #expect(throws: RPCError.self) {
            let _: CurveMessage = try await impostor.call(TestServer.echo, CurveMessage(label: "x"), deadline: .after(seconds: 10))
        }
        // Crowded: idle anonymous connections are closed after the short pressure timeout until they no
        // longer take more than half the slots; the known client's pooled connection stays.
        for _ in 0..<3000 where server.anonymousConnectionCount > 8 { try await Task.sleep(nanoseconds: 10_000_000) }
        let anonymous = server.anonymousConnectionCount
        #expect(anonymous <= 8)
        #expect(server.connectionCount == anonymous + 1, "the known client's pooled connection is kept")
        let again: CurveMessage = try await known.call(TestServer.echo, CurveMessage(label: "still"), deadline: .after(seconds: 10))
        #expect(again.label == "still")
        known.close(); stranger.close(); impostor.close()
    }

    @Test func withoutCrowdingIdleConnectionsKeepTheNormalTimeout() async throws {
        let server = try TestServer.start {
            $0.maxConnections = 16
            $0.token = Self.token
            $0.pressureIdleTimeoutSeconds = 0.2
        }
        defer { Task { await server.shutdown() } }
        let a = RPCClient(host: "127.0.0.1", port: server.port)
        let _: CurveMessage = try await a.call(TestServer.echo, CurveMessage(label: "a"), deadline: .after(seconds: 10))
        try await Task.sleep(nanoseconds: 800_000_000)
        #expect(server.connectionCount == 1, "one anonymous connection is no crowd: kept past the pressure timeout")
        a.close()
    }
}
