import Foundation
import Testing
@testable import RPC
import Wire

/// protobuf-c hands strings over NUL-terminated: "SF-G03\0" must be refused, not served as "SF-G03".
@Suite struct StringFieldTests {
    /// GetViewRequest { radiator_name = name } as raw wire bytes (the Swift encoder itself refuses a NUL).
    static func getView(_ name: [UInt8]) -> [UInt8] { [0x0A, UInt8(name.count)] + name }

    @Test func nulAndInvalidUTF8InAnyStringFieldAreRefusedByTheDecoder() throws {
        #expect(try GetViewRequest(serializedBytes: Self.getView(Array("SF-G03".utf8))).radiatorName == "SF-G03")
        #expect(throws: WireError.self) { try GetViewRequest(serializedBytes: Self.getView(Array("SF-G03".utf8) + [0])) }
        #expect(throws: WireError.self) { try GetViewRequest(serializedBytes: Self.getView(Array("SF-G03".utf8) + [0, 0x78])) }
        #expect(throws: WireError.self) { try GetViewRequest(serializedBytes: Self.getView([0xC3, 0x28])) }  // not UTF-8
        // Nested: a string inside a message inside the request (RadiatorSummary.name in a GetViewResponse).
        let summary: [UInt8] = [0x0A, 3, 0x61, 0x00, 0x62]
        #expect(throws: WireError.self) { try GetViewResponse(serializedBytes: [0x0A, UInt8(summary.count)] + summary) }
        // Bytes fields may hold zeros; so may numbers.
        let envelope = try Envelope(method: "/m", requestId: 0x100, payload: Data([0, 0, 1])).serializedBytes()
        #expect(try Envelope(serializedBytes: envelope).payload == Data([0, 0, 1]))
        #expect(try Envelope(serializedBytes: envelope).requestId == 0x100)
        // UTF-8 beyond ASCII is fine.
        #expect(try GetViewRequest(serializedBytes: Self.getView(Array("Ø-größe".utf8))).radiatorName == "Ø-größe")
    }

    @Test func aServerAnswersInvalidArgumentForANulInAStringField() async throws {
        var routes = RPCRoutes()
        routes.unary("/spotfinder.v1.TopographStore/GetView") { (m: GetViewRequest, _) in
            var summary = RadiatorSummaryMessage()
            summary.name = m.radiatorName
            var response = GetViewResponse()
            response.radiator = summary
            return response
        }
        let server = try RPCServer(routes: routes, config: RPCServerConfig())
        defer { Task { await server.shutdown() } }
        let client = RPCClient(host: "127.0.0.1", port: server.port)
        for name in [Array("SF-G03".utf8) + [0], Array("SF-G03".utf8) + [0, 0x2F, 0x65]] {
            do {
                _ = try await client.callRaw("/spotfinder.v1.TopographStore/GetView", payload: Data(Self.getView(name)),
                                             deadline: .after(seconds: 60), idempotent: false)
                Issue.record("a name with a NUL was served")
            } catch {
                #expect(error.code == .invalidArgument && error.message.contains("NUL"), "\(error)")
            }
        }
        let ok = try await client.callRaw("/spotfinder.v1.TopographStore/GetView", payload: Data(Self.getView(Array("SF-G03".utf8))),
                                          deadline: .after(seconds: 60), idempotent: false)
        #expect(try GetViewResponse(serializedBytes: ok.payload).radiator?.name == "SF-G03")
    }
}
