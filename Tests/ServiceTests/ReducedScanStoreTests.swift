import Foundation
import RadiatorStore
import RockingCurve
import RPC
import ServiceClients
import Testing
import Wire

/// Reduced scans in a real topograph-store process (and through the edge): stored in bands over several
/// calls, listed, read back equal; still there after a restart; a corrupted file detected; an
/// unauthenticated or malformed put refused with nothing stored.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ReducedScanStoreTests {
    /// A 37 × 23 scan (odd sizes: bands do not divide the rows evenly) with three maps.
    static func scan(name: String = "JD70-103-thetah-front") throws -> ReducedScanRecord {
        let width = 37, height = 23, n = width * height
        let validity = (0..<n).map { PixelValidity(rawValue: UInt8($0 % 17 == 0 ? 4 : $0 % 29 == 0 ? 1 : 0))! }
        func map(_ f: (Int) -> Float) -> [Float] { (0..<n).map { validity[$0] == .valid ? f($0) : .nan } }
        let facts = ReducedScanFacts(name: name, rocking: "thetah", face: "front", sampleRotationDegrees: 180, mirror: true,
                                     pixelXMillimeters: 0.0065, pixelYMillimeters: 0.0065, width: width, height: height,
                                     anglesMicroradians: (0..<40).map { Double($0) * 2.4 - 48 },
                                     motorErrorsMicroradians: (0..<40).map { 0.3 * sin(Double($0)) }, method: .pvoigt, maps: [],
                                     reductionSeconds: 1.25, motorCorrectionSeconds: 0.5, notes: "synthetic")
        return ReducedScanRecord(facts: facts, maps: [.hmuMoco: map { Float($0 % width) * 0.37 - 5 }, .hsigmaMoco: map { 10 + Float($0 % 7) },
                                                .hamp: map { Float($0) * 1.5 }], validity: validity)
    }

    @Test func reducedScansRoundTripSurviveARestartAndRefuseBadInput() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sf-scans-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let token = "scan-token-\(UUID().uuidString.prefix(8))"
        func startStore() async throws -> (ServiceProcess, ReducedScanClient) {
            let p = try ServiceProcess("topograph-store", ["--listen", "127.0.0.1:0", "--data", data], environment: ["SPOTFINDER_TOKEN": token])
            let port = try await p.port(after: "listening on ")
            // 200 values a call: the 851-pixel maps go in bands of 5 rows over many calls.
            return (p, ReducedScanClient(rpc: RPCClient(host: "127.0.0.1", port: port), valuesPerCall: 200))
        }
        var (store, client) = try await startStore()
        let scan = try Self.scan()
        let summary = try await client.put(scan, token: token, deadline: .after(seconds: 30))
        #expect(summary.facts?.maps == ["hamp", "hmu_moco", "hsigma_moco"], "in MapName order")
        #expect(summary.facts?.validityCounts.first { $0.reason == "too_weak" }?.pixels == UInt64(scan.validity.filter { $0 == .tooWeak }.count))

        func readBack(_ client: ReducedScanClient) async throws {
            let list = try await client.list(deadline: .after(seconds: 10))
            #expect(list.map { $0.facts?.name } == [scan.facts.name])
            let f = try #require(list.first?.facts)
            #expect(try ReducedScanFacts(f) == scan.facts)
            for map in scan.facts.maps {
                let got = try await client.map(scan.facts.name, map: map.rawValue, deadline: .after(seconds: 10))
                #expect(got.values.map(\.bitPattern) == scan.maps[map]!.map(\.bitPattern), "\(map) read back bit for bit")
            }
            let validity = try await client.map(scan.facts.name, map: "validity", deadline: .after(seconds: 10)).values
            #expect(validity == scan.validity.map { Float($0.rawValue) })
        }
        try await readBack(client)

        // Refused puts store nothing: no token, a wrong map size, an infinite value, rows missing at commit, bad facts.
        var bad = try Self.scan(name: "bad")
        for (what, token, expected) in [("no token", "", StatusCode.unauthenticated), ("wrong token", "nope", .unauthenticated)] {
            do { _ = try await client.put(bad, token: token, deadline: .after(seconds: 10)); Issue.record("\(what): stored") } catch {
                #expect(error.code == expected, "\(what): \(error.message)")
            }
        }
        bad.maps[.hamp]![100] = .infinity
        do { _ = try await client.put(bad, token: token, deadline: .after(seconds: 10)); Issue.record("infinity stored") } catch {
            #expect(error.code == .invalidArgument && error.message.hasPrefix("bands.values"), "\(error.message)")
        }
        bad = try Self.scan(name: "bad")
        bad.facts.rocking = "thetaz"
        do { _ = try await client.put(bad, token: token, deadline: .after(seconds: 10)); Issue.record("thetaz stored") } catch {
            #expect(error.code == .invalidArgument && error.message.hasPrefix("rocking"), "\(error.message)")
        }
        let partial = PutReducedScanRequest(token: token, facts: ReducedScanFactsMessage(try Self.scan(name: "bad").facts),
                                            bands: [ReducedScanBandMessage(map: "hamp", firstRow: 0, rows: 1, values: [Float](repeating: 1, count: 37))],
                                            commit: true)
        do {
            let _: PutReducedScanResponse = try await client.rpc.call("/spotfinder.v1.TopographStore/PutReducedScan", partial, deadline: .after(seconds: 10))
            Issue.record("an incomplete scan was committed")
        } catch {
            #expect(error.code == .invalidArgument && error.message.hasPrefix("commit"), "\(error.message)")
        }
        #expect(try await client.list(deadline: .after(seconds: 10)).count == 1, "nothing stored by the refused puts")

        // Restart (a stale temporary file from a crashed write lies beside the scan): still there, the temporary gone.
        store.stop()
        store.process.waitUntilExit()
        let stale = "\(data)/scans/.bad.scan.999.123.tmp"
        FileManager.default.createFile(atPath: stale, contents: Data([1, 2, 3]))
        (store, client) = try await startStore()
        defer { store.stop() }
        try await readBack(client)
        #expect(!FileManager.default.fileExists(atPath: stale), "the stale temporary file was removed at start")

        // A flipped byte is detected: the get says the file is corrupt (DATA_LOSS), the list skips it.
        let path = "\(data)/scans/\(scan.facts.name).scan"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do { _ = try await client.map(scan.facts.name, map: "hamp", deadline: .after(seconds: 10)); Issue.record("corruption unnoticed") } catch {
            #expect(error.code == .dataLoss && error.message.contains("checksum"), "\(error.message)")
        }
        #expect(try await client.list(deadline: .after(seconds: 10)).isEmpty)
    }

    @Test func theEdgeForwardsScansAndServesTheirMapsOverHTTP() async throws {
        let system = try await LocalSystem.start(computeInProcess: true)
        defer { system.stop() }
        let edge = ReducedScanClient(rpc: RPCClient(host: "127.0.0.1", port: system.edgeRPC))
        let scan = try Self.scan()
        _ = try await edge.put(scan, token: system.token, deadline: .after(seconds: 30))
        #expect(try await edge.list(deadline: .after(seconds: 10)).count == 1)

        let list = try #require(try JSONSerialization.jsonObject(with: try await system.get("/api/scans").body) as? [[String: Any]])
        #expect(list.first?["name"] as? String == scan.facts.name && list.first?["motor_corrected"] as? Bool == true)
        let facts = try await system.json("/api/scan?scan_name=\(scan.facts.name)")
        #expect((facts["angles_urad"] as? [Double])?.count == 40 && facts["width"] as? Int == 37)

        let q = "/api/scan?scan_name=\(scan.facts.name)&map=hmu_moco"
        let json = try await system.json(q + "&format=json")
        let rows = try #require(json["values"] as? [[Any]])
        #expect(rows.count == 23 && rows[0].count == 37)
        #expect(rows[0][0] is NSNull && (rows[0][1] as? Double).map { Float($0) } == scan.maps[.hmuMoco]![1])
        let csv = String(decoding: try await system.get(q + "&format=csv").body, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(csv.count == 1 + 23 + 1 && csv[1].hasPrefix(",") && csv[1].split(separator: ",", omittingEmptySubsequences: false).count == 37)

        // TIFF: little-endian header, 37 × 23 float32 pixels at the offset its strip tag names, equal bit for bit.
        let tiff = try await system.get(q + "&format=tiff")
        #expect(tiff.status == 200 && tiff.headers["content-type"] == "image/tiff")
        let t = [UInt8](tiff.body)
        func u32(_ at: Int) -> UInt32 { UInt32(t[at]) | UInt32(t[at + 1]) << 8 | UInt32(t[at + 2]) << 16 | UInt32(t[at + 3]) << 24 }
        #expect(Array(t[0..<4]) == [0x49, 0x49, 42, 0])
        let entries = Int(t[8]) | Int(t[9]) << 8
        var offset = 0
        for e in 0..<entries {
            let at = 10 + 12 * e
            let tag = Int(t[at]) | Int(t[at + 1]) << 8
            if tag == 273 { offset = Int(u32(at + 8)) }
        }
        #expect(offset > 0, "a strip offset tag")
        #expect(t.count == offset + 4 * 37 * 23)
        #expect((0..<(37 * 23)).map { u32(offset + 4 * $0) } == scan.maps[.hmuMoco]!.map(\.bitPattern))

        let png = try await system.get(q + "&format=png")
        #expect(png.status == 200 && png.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        for (query, parameter, status) in [("/api/scan?map=hmu", "scan_name", 400), (q + "&format=bmp", "format", 400),
                                           ("/api/scan?scan_name=nope&map=hmu", nil, 404),
                                           ("/api/scan?scan_name=\(scan.facts.name)&map=hwhat", nil, 400)] as [(String, String?, Int)] {
            let r = try await system.get(query)
            #expect(r.status == status, "\(query): \(String(decoding: r.body, as: UTF8.self))")
            if let parameter { #expect((try JSONSerialization.jsonObject(with: r.body) as? [String: Any])?["parameter"] as? String == parameter) }
        }
    }
}
