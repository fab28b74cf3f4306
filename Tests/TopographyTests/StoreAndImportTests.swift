import Foundation
import RadiatorStore
import Testing
@testable import Topography

@Suite struct StoreAndImportTests {
    func temporaryStore() throws -> RadiatorStore {
        try RadiatorStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("sf-store-\(UUID().uuidString)").path)
    }

    /// Issue #22: a store killed mid-write left a hidden temporary file for ever; the next start removes
    /// it, but keeps one whose writer is still running.
    @Test func staleTemporaryFilesAreRemovedAtStart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sf-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let dead = ".SF-X.radiator.2147483646.12345.tmp", live = ".SF-Y.radiator.\(getpid()).777.tmp"
        for name in [dead, live] { try Data(count: 1000).write(to: URL(fileURLWithPath: "\(directory)/\(name)")) }
        _ = try RadiatorStore(directory: directory)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(!left.contains(dead), "a dead writer's temporary file is removed")
        #expect(left.contains(live), "a running writer's temporary file is kept")
    }

    @Test func storeThenLoadIsBitExact() throws {
        let store = try temporaryStore()
        let r = SyntheticRadiators.all[3]
        try store.save(r)
        #expect(try store.load(r.name) == r)
        #expect(try RadiatorFile.encode(r) == RadiatorFile.encode(SyntheticRadiators.make(SyntheticRadiators.recipes[3])), "same bytes every time")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.directory).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "no temporary files left behind")
    }

    @Test func corruptAndTruncatedFilesAreReportedByNameAndSkipped() throws {
        let store = try temporaryStore()
        try store.save(SyntheticRadiators.all[0])
        try store.save(SyntheticRadiators.all[1])
        let good = try Data(contentsOf: URL(fileURLWithPath: store.path(of: SyntheticRadiators.all[1].name)))
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: store.path(of: "truncated")))
        var flipped = good
        flipped[flipped.count / 2] ^= 0xFF
        try flipped.write(to: URL(fileURLWithPath: store.path(of: "flipped")))
        try Data("not a radiator".utf8).write(to: URL(fileURLWithPath: store.path(of: "garbage")))
        let (radiators, problems) = store.loadAll()
        #expect(radiators.count == 2)
        #expect(problems.count == 3)
        #expect(problems.contains { $0.contains("truncated.radiator") && $0.contains("checksum") })
        #expect(problems.contains { $0.contains("flipped.radiator") })
        #expect(problems.contains { $0.contains("garbage.radiator") && $0.contains("header") })
    }

    @Test func installsTheBuiltInCatalogueOnFirstStart() throws {
        let store = try temporaryStore()
        try store.installDefaultsIfEmpty()
        #expect(store.names().count == SyntheticRadiators.recipes.count)
    }

    static let minimalJSON = """
    {"name": "tiny", "crystal": "diamond", "thickness_um": 50, "notes": "3 × 2 pixels",
     "views": [{"view": "front",
                "grid": {"origin_x_mm": 0, "origin_y_mm": 0, "pixel_mm": 0.05, "columns": 3, "rows": 2},
                "thetah_urad": [1, 2, 3, 4, 5, null],
                "thetav_urad": [0, 0, 0, 0, 0, null],
                "mask": [1, 1, 1, 1, 1, 2]}]}
    """

    @Test func jsonImportRoundTripsThroughTheStore() throws {
        let r = try RadiatorImport.fromJSON(Data(Self.minimalJSON.utf8))
        #expect(r.views.count == 2, "back view derived by mirroring")
        #expect(r.view(.front)!.thetaHMicroradians[4] == 5)
        let store = try temporaryStore()
        try store.save(r)
        let back = try store.load("tiny")
        #expect(back.views[0].thetaHMicroradians.prefix(5) == r.views[0].thetaHMicroradians.prefix(5))
        #expect(back.views[0].thetaHMicroradians[5].isNaN && back.views[0].mask == r.views[0].mask)
    }

    @Test(arguments: [
        ("\"columns\": 3", "\"columns\": 4", "has 6 values but the grid has 4 × 2 = 8"),
        ("[1, 2, 3, 4, 5, null]", "[1, 2, 3, 4, null, null]", "not a number, but the mask says crystal"),
        ("[1, 2, 3, 4, 5, null]", "[1, 2, 3, 4, 5e6, null]", "is absurd"),
        ("[1, 1, 1, 1, 1, 2]", "[0, 0, 0, 0, 0, 2]", "no crystal pixels"),
        ("\"thickness_um\": 50", "\"thickness_um\": -5", "thickness_um = -5.0 is out of range"),
        ("[1, 1, 1, 1, 1, 2]", "[1, 1, 7, 1, 1, 2]", "mask[2] = 7"),
        ("\"name\": \"tiny\"", "\"name\": \"../evil\"", "name '../evil' is not allowed"),
    ])
    func badImportsSayWhatIsWrong(from: String, to: String, message: String) {
        let json = Self.minimalJSON.replacingOccurrences(of: from, with: to)
        do {
            _ = try RadiatorImport.fromJSON(Data(json.utf8))
            Issue.record("expected a RadiatorError containing '\(message)'")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func csvImportReadsARegularGrid() throws {
        var csv = "# name: csv-plate\n# thickness_um: 40\n# view: front\nx_mm,y_mm,thetah_urad,thetav_urad,surface\n"
        for j in 0..<3 { for i in 0..<4 { csv += "\(Double(i) * 0.1),\(Double(j) * 0.1),\(i * 10),\(j),\(i == 3 && j == 0 ? "mount" : "crystal")\n" } }
        let r = try RadiatorImport.fromCSV(csv)
        let v = r.view(.front)!
        #expect(v.grid.columns == 4 && v.grid.rows == 3)
        #expect(abs(v.grid.pixelMillimeters - 0.1) < 1e-12)
        #expect(v.thetaHMicroradians[v.grid.index(column: 2, row: 1)] == 20)
        #expect(v.mask[v.grid.index(column: 3, row: 0)] == .mount)
        #expect(throws: RadiatorError.self) { try RadiatorImport.fromCSV(csv.replacingOccurrences(of: "# name: csv-plate\n", with: "")) }
    }
}
