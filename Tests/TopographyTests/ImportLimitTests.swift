import Foundation
import RadiatorStore
import Testing
@testable import Topography

/// Issue 10 items 11 and 12 and the Low item on duplicate CSV pixels: imports that crashed the CLI
/// (exit 132) or made radiators that could never be served are refused with errors naming the field or line.
@Suite struct ImportLimitTests {
    static let header = "# name: limits\n# thickness_um: 50\nx_mm,y_mm,thetah_urad,thetav_urad,surface\n"

    static func refusal(_ body: () throws(RadiatorError) -> Radiator) -> String? {
        do { _ = try body(); return nil } catch { return error.message }
    }

    static func json(columns: String, rows: String) -> String {
        StoreAndImportTests.minimalJSON.replacingOccurrences(of: "\"columns\": 3", with: "\"columns\": \(columns)")
            .replacingOccurrences(of: "\"rows\": 2", with: "\"rows\": \(rows)")
    }

    @Test(arguments: [
        ("4611686018427387904", "2", "grid columns × rows = 4611686018427387904 × 2 is too large"),
        ("4000000000", "4000000000", "grid columns × rows = 4000000000 × 4000000000 is too large"),
        ("9223372036854775807", "9223372036854775807", "is too large"),
        ("2000", "2000", "at most \(Radiator.maxPixels) pixels"),
        ("-3", "2", "must be at least 2 × 2"),
    ])
    func hugeOrNegativeJSONGridsAreRefusedNotOverflowed(columns: String, rows: String, message: String) {
        let error = Self.refusal { () throws(RadiatorError) in try RadiatorImport.fromJSON(Data(Self.json(columns: columns, rows: rows).utf8)) }
        #expect(error?.contains(message) == true, "\(error ?? "accepted")")
    }

    @Test(arguments: [
        ("1e19,0,1,1,crystal\n0,0,1,1,crystal\n0,1,1,1,crystal\n", "line 4: x_mm = '1e19' is not allowed"),
        ("0,-1e19,1,1,crystal\n0,0,1,1,crystal\n", "line 4: y_mm = '-1e19' is not allowed"),
        ("0,nan,1,1,crystal\n", "line 4: y_mm = 'nan'"),
        ("inf,0,1,1,crystal\n", "line 4: x_mm = 'inf'"),
        ("0,0,1,1,crystal\n1000,1000,1,1,crystal\n0.001,0.001,1,1,crystal\n", "make a grid of 1000001 × 1000001 pixels: at most"),
        ("0,0,1,1,crystal\n1e-9,0,1,1,crystal\n0,1,1,1,crystal\n", "pixel (smallest x spacing) must be in [0.001, 1.0] mm"),
        ("0,0,1,1,crystal\n0.05,0,1,1,crystal\n0,0.05,1,1,crystal\n0.05,0.05,1,1,crystal\n0.05,0,2,2,crystal\n",
         "line 8: pixel x_mm = 0.05, y_mm = 0.0 was already given on line 5"),
    ])
    func csvCoordinatesAndGridsAreCheckedBeforeAnyArithmetic(rows: String, message: String) {
        let error = Self.refusal { () throws(RadiatorError) in try RadiatorImport.fromCSV(Self.header + rows) }
        #expect(error?.contains(message) == true, "\(error ?? "accepted")")
    }

    @Test func theCommandLineFilePathReportsTheSameErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("big.csv"), json = directory.appendingPathComponent("big.json")
        try (Self.header + "1e19,0,1,1,crystal\n").write(to: csv, atomically: true, encoding: .utf8)
        try Self.json(columns: "4611686018427387904", rows: "2").write(to: json, atomically: true, encoding: .utf8)
        #expect(Self.refusal { () throws(RadiatorError) in try RadiatorImport.file(csv.path) }?.contains("x_mm = '1e19'") == true)
        #expect(Self.refusal { () throws(RadiatorError) in try RadiatorImport.file(json.path) }?.contains("too large") == true)
    }

    /// A radiator of exactly the largest servable size is accepted; one pixel row more is refused, naming the limit.
    @Test func theImportLimitIsWhatOneFrameCanServe() throws {
        #expect(Radiator.maxPixels == 1_856_853, "(16 MiB − 64 KiB) / 9 bytes per pixel")
        func radiator(columns: Int, rows: Int) -> Radiator {
            let n = columns * rows
            let view = RadiatorView(side: .front, grid: TopographGrid(originXMillimeters: -30, originYMillimeters: -30, pixelMillimeters: 0.05,
                                                                      columns: columns, rows: rows),
                                    thetaHMicroradians: [Float](repeating: 1, count: n), thetaVMicroradians: [Float](repeating: 2, count: n),
                                    mask: [SurfaceKind](repeating: .crystal, count: n))
            return Radiator(name: "at-the-limit", thicknessMicrons: 50, views: [view])
        }
        try radiator(columns: 1363, rows: 1362).validate()  // 1,856,406 pixels
        do {
            try radiator(columns: 1363, rows: 1363).validate()  // 1,857,769 pixels
            Issue.record("a radiator above the limit was accepted")
        } catch {
            #expect(error.message.contains("1363 × 1363 is too large: at most 1856853 pixels (what one 16 MiB RPC message can serve)"), "\(error.message)")
        }
    }

    @Test func notesAreBounded() {
        var r = SyntheticRadiators.all[0]
        r.notes = String(repeating: "n", count: Radiator.maxNotesCharacters + 1)
        #expect(throws: RadiatorError("notes has 2001 characters: at most 2000")) { try r.validate() }
    }
}
