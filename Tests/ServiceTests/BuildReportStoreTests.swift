import Foundation
import RadiatorStore
import RPC
import Testing
import Topography
import TopographStoreCore
import Wire
import Zlib

/// Build reports kept by the topograph-store: stored and read back whole (one map or all), replaced
/// atomically, a corrupted file detected; refused puts (token, unknown radiator, bad maps) store nothing.
@Suite struct BuildReportStoreTests {
    static func report(_ name: String, cells: Int = 12) -> StoredBuildReportMessage {
        var m = StoredBuildReportMessage()
        m.radiatorName = name
        m.reportJson = #"{"radiator_name":"\#(name)","verdicts":[]}"#
        m.columns = 4; m.rows = UInt32(cells / 4); m.originXMm = -2; m.originYMm = -1.5; m.pixelMm = 1
        m.maps = [BuildMapMessage(name: "elevation", unit: "nm", valuesZlib: Zlib.compress(RadiatorFile.littleEndianBytes((0..<cells).map { Float($0) * 0.5 }))),
                  BuildMapMessage(name: "mask", unit: "code", valuesZlib: Zlib.compress(RadiatorFile.littleEndianBytes([Float](repeating: 1, count: cells))))]
        return m
    }

    @Test func reportsRoundTripAndRefusalsStoreNothing() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sf-builds-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let radiators = try RadiatorStore(directory: data)
        try radiators.installDefaultsIfEmpty()
        let name = try #require(radiators.names().first)
        let reports = try BuildReportStore(directory: "\(data)/builds")
        let service = BuildReportService(reports: reports, radiators: radiators, token: "t0k")

        // Refusals first: nothing is written.
        #expect(throws: RPCError.self) { try service.put(PutBuildReportRequest(token: "wrong", report: Self.report(name))) }
        let unknown = #expect(throws: RPCError.self) { try service.put(PutBuildReportRequest(token: "t0k", report: Self.report("not-stored"))) }
        #expect(unknown?.code == .failedPrecondition && unknown?.message.contains("not-stored") == true)
        var short = Self.report(name)
        short.maps[0].valuesZlib = Zlib.compress(RadiatorFile.littleEndianBytes([1, 2, 3]))
        let bad = #expect(throws: RPCError.self) { try service.put(PutBuildReportRequest(token: "t0k", report: short)) }
        #expect(bad?.code == .invalidArgument && bad?.message.contains("elevation") == true)
        #expect(reports.names().isEmpty)

        // Stored, read back: the report alone, one map, every map.
        let revision = try service.put(PutBuildReportRequest(token: "t0k", report: Self.report(name))).revision
        #expect(try service.get(GetBuildReportRequest(radiatorName: name, map: "")).report?.maps.isEmpty == true)
        let one = try #require(try service.get(GetBuildReportRequest(radiatorName: name, map: "elevation")).report)
        #expect(one.maps.map(\.name) == ["elevation"] && one.reportJson.contains(name) && one.pixelMm == 1)
        #expect(RadiatorFile.floats(try Zlib.decompress(one.maps[0].valuesZlib, expectedSize: 48)) == (0..<12).map { Float($0) * 0.5 })
        #expect(try service.get(GetBuildReportRequest(radiatorName: name, map: "*")).report?.maps.count == 2)
        let absent = #expect(throws: RPCError.self) { try service.get(GetBuildReportRequest(radiatorName: name, map: "curl")) }
        #expect(absent?.code == .notFound && absent?.message.contains("elevation, mask") == true)

        // Replaced whole (new revision); a flipped byte is detected, never served.
        #expect(try service.put(PutBuildReportRequest(token: "t0k", report: Self.report(name, cells: 16))).revision != revision)
        #expect(try service.get(GetBuildReportRequest(radiatorName: name, map: "")).report?.rows == 4)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: reports.path(of: name))))
        bytes[bytes.count - 3] ^= 0x55
        try Data(bytes).write(to: URL(fileURLWithPath: reports.path(of: name)))
        let corrupt = #expect(throws: RPCError.self) { try service.get(GetBuildReportRequest(radiatorName: name, map: "")) }
        #expect(corrupt?.code == .dataLoss && corrupt?.message.contains("checksum") == true)
        let missing = #expect(throws: RPCError.self) { try service.get(GetBuildReportRequest(radiatorName: "nope", map: "")) }
        #expect(missing?.code == .notFound && missing?.message.contains(name) == true)
    }
}
