import Foundation
import RockingCurve
import RockingScan
import Testing
import TIFFImage

/// Rocking-curve imaging on the server as the page uses it, with real processes: the demo scans
/// (scripts/demo-scans, small) under `edge --scans`, listed, reduced through two nodes into the store,
/// a pixel's raw curve against its fit, and a radiator built from the four stored scans that every
/// existing view then uses. Refusals: no token (nothing stored), folders outside the root.
@Suite(.serialized, .timeLimit(.minutes(4))) struct RCIServerSystemTests {
    @Test func rawScansToARadiatorOnTheServer() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sf-rci-root-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bin = URL(fileURLWithPath: executable("spotfinder")).deletingLastPathComponent().path
        let demo = try await run(repositoryRoot.appendingPathComponent("scripts/demo-scans").path, [root, bin],
                                 environment: ["SPOTFINDER_DEMO_SIZE": "100x100", "SPOTFINDER_DEMO_FRAMES": "40", "SPOTFINDER_DEMO_STEP_URAD": "4.8",
                                               "SPOTFINDER_DEMO_PIXEL_MM": "0.08", "PATH": "/usr/bin:/bin"], timeout: 120)
        #expect(demo.status == 0, "\(demo.stderr)")
        try FileManager.default.createDirectory(atPath: "\(root)/broken", withIntermediateDirectories: true)
        try Data("{".utf8).write(to: URL(fileURLWithPath: "\(root)/broken/scan.json"))
        // A link out of the root to a real scan folder: never listed, refused when named.
        let outsideRoot = "\(root)-outside"
        defer { try? FileManager.default.removeItem(atPath: outsideRoot) }
        try FileManager.default.copyItem(atPath: "\(root)/demo/front_thetah", toPath: "\(outsideRoot)/scan")
        try FileManager.default.createSymbolicLink(atPath: "\(root)/escape", withDestinationPath: outsideRoot)
        let system = try await LocalSystem.start(scans: root)
        defer { system.stop() }
        try await system.addNode(capacity: 1)
        try await system.addNode(capacity: 1)

        // Listed from the manifests; the broken one says why, without the server's path.
        let listing = try await system.json("/api/rci/folders")
        let folders = try #require(listing["folders"] as? [[String: Any]])
        #expect(listing["root_configured"] as? Bool == true)
        #expect(folders.compactMap { $0["folder"] as? String } == ["broken", "demo/back_thetah", "demo/back_thetav", "demo/front_thetah", "demo/front_thetav"])
        let broken = try #require(folders.first)
        #expect((broken["error"] as? String)?.contains("broken/scan.json") == true && (broken["error"] as? String)?.contains(root) == false, "\(broken)")
        let front = try #require(folders.first { $0["folder"] as? String == "demo/front_thetah" })
        #expect(front["width"] as? Int == 100 && front["images"] as? Int == 40 && front["rocking"] as? String == "thetah" && front["reduced"] as? Bool == false)

        // Refusals: no token or a wrong one (401, nothing stored), folders outside the root (400 naming folder).
        #expect(try await system.post("/api/rci/reduce?folder=demo/front_thetah", token: "").status == 401)
        #expect(try await system.post("/api/rci/reduce?folder=demo/front_thetah", token: "wrong").status == 401)
        #expect(try await system.post("/api/rci/build?radiator_name=x&thickness_um=45&front_h=a&front_v=b", token: "").status == 401)
        let stored = try JSONSerialization.jsonObject(with: try await system.get("/api/scans").body) as? [Any]
        #expect(stored?.isEmpty == true, "nothing stored by refused requests")
        for bad in ["../x", "/etc", "demo/../../x", "missing", "escape/scan"] {
            let r = try await system.post("/api/rci/reduce?folder=\(bad.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(r.status == 400 && r.json["parameter"] as? String == "folder", "\(bad): \(r)")
        }
        let brokenReduce = try await system.post("/api/rci/reduce?folder=broken")
        #expect(brokenReduce.status == 400 && (brokenReduce.json["error"] as? String)?.contains("not a JSON object") == true, "\(brokenReduce.json)")

        // Reduced through the nodes, stored: equal bit for bit to the reduction in process.
        let reduced = try await system.post("/api/rci/reduce?folder=demo/front_thetah")
        #expect(reduced.status == 200 && reduced.json["scan_name"] as? String == "demo-front-thetah" && reduced.json["motor_corrected"] as? Bool == true,
                "\(reduced.json)")
        let local = try ScanReducer.reduce(try ScanInput.open(directory: "\(root)/demo/front_thetah"), settings: ReduceSettings())
        let served = try await system.get("/api/scan?scan_name=demo-front-thetah&map=hmu_moco&format=tiff")
        let servedPath = "\(root)/served.tif"
        try served.body.write(to: URL(fileURLWithPath: servedPath))
        #expect(try TIFFReader(path: servedPath).readFloat(page: 0).map(\.bitPattern) == local.maps["hmu_moco"]?.map(\.bitPattern), "stored = in process")

        // One pixel's raw curve and the model from the stored fit.
        let valid = try #require(local.mask.indices.filter { local.mask[$0] == 0 }.dropFirst(local.mask.count / 3).first)
        let curve = try await system.json("/api/rci/curve?scan_name=demo-front-thetah&column=\(valid % 100)&row=\(valid / 100)")
        let counts = try #require(curve["counts"] as? [Double]), model = try #require(curve["model"] as? [Double])
        #expect(curve["raw_available"] as? Bool == true && curve["validity"] as? String == "valid" && counts.count == 40 && model.count == 40)
        let peak = counts.max() ?? 0
        let rms = (zip(counts, model).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 40).squareRoot()
        #expect(peak > 500 && rms < 0.05 * peak, "model within 5 % of the peak: rms \(rms), peak \(peak)")
        let outside = try await system.get("/api/rci/curve?scan_name=demo-front-thetah&column=100&row=0")
        #expect(outside.status == 400 && String(decoding: outside.body, as: UTF8.self).contains("\"parameter\":\"column\""))

        // The other three, then the radiator from all four: stored, listed, usable by tilt and spectrum.
        for folder in ["demo/front_thetav", "demo/back_thetah", "demo/back_thetav"] {
            #expect(try await system.post("/api/rci/reduce?folder=\(folder)").status == 200, "\(folder)")
        }
        let swapped = try await system.post("/api/rci/build?radiator_name=demo-built&thickness_um=45&front_h=demo-front-thetav&front_v=demo-front-thetah")
        #expect(swapped.status == 400 && swapped.json["parameter"] as? String == "front_h" && (swapped.json["error"] as? String)?.contains("front thetav") == true)
        let halfBack = try await system.post("/api/rci/build?radiator_name=demo-built&thickness_um=45&front_h=demo-front-thetah&front_v=demo-front-thetav&back_h=demo-back-thetah")
        #expect(halfBack.status == 400 && halfBack.json["parameter"] as? String == "back_v")
        let build = try await system.post("/api/rci/build?radiator_name=demo-built&thickness_um=45&front_h=demo-front-thetah&front_v=demo-front-thetav&back_h=demo-back-thetah&back_v=demo-back-thetav")
        #expect(build.status == 200, "\(build.json)")
        #expect((build.json["verdicts"] as? [[String: Any]])?.count == 4 && Set(build.json["maps"] as? [String] ?? []).isSuperset(of: ["elevation", "curl:back", "front_back", "aligned:demo-back-thetav", "mask"]),
                "\(build.json["maps"] ?? "")")
        let radiators = try JSONSerialization.jsonObject(with: try await system.get("/api/radiators").body) as? [[String: Any]]
        #expect(radiators?.contains { $0["name"] as? String == "demo-built" && $0["thickness_um"] as? Double == 45 } == true)
        let tilt = try await system.json("/api/tilt?radiator_name=demo-built")
        #expect((tilt["fraction_on_crystal"] as? Double ?? 0) > 0.5, "\(tilt)")
        #expect(try await system.get("/api/spectrum?radiator_name=demo-built").status == 200)
        let report = try await system.json("/api/rci/build_report?radiator_name=demo-built")
        #expect(report["verdicts"] as? NSArray == build.json["verdicts"] as? NSArray && report["radiator_name"] as? String == "demo-built")
        let elevation = try await system.json("/api/rci/build_map?radiator_name=demo-built&map=elevation&format=json")
        #expect((elevation["values"] as? [[Any]])?.count == elevation["rows"] as? Int && elevation["unit"] as? String == "nm")
        // The elevation map's contours: a round interval (1, 2 or 5 × 10ⁿ nm) giving at most about 10 levels over its range.
        let heights = (elevation["values"] as? [[Any]] ?? []).joined().compactMap { $0 as? Double }
        if let interval = elevation["contour_interval"] as? Double, let lo = heights.min(), let hi = heights.max() {
            let mantissa = interval / pow(10, log10(interval).rounded(.down))
            #expect([1.0, 2, 5].contains { abs(mantissa - $0) < 1e-9 } && (hi - lo) / interval <= 10 && (hi - lo) / interval > 2, "\(interval) over \(lo)…\(hi)")
        } else {
            Issue.record("no contour_interval for the elevation map: \(elevation["contour_interval"] ?? "nil")")
        }
        let elevationPNG = try await system.get("/api/rci/build_map?radiator_name=demo-built&map=elevation&format=png")
        #expect(elevationPNG.status == 200 && elevationPNG.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // Raw images gone from the root: the curve says so honestly, the fit still drawn.
        try FileManager.default.moveItem(atPath: "\(root)/demo/front_thetah", toPath: "\(root)/moved")
        let gone = try await system.json("/api/rci/curve?scan_name=demo-front-thetah&column=\(valid % 100)&row=\(valid / 100)")
        #expect(gone["raw_available"] as? Bool == false && gone["counts"] is NSNull && (gone["model"] as? [Double])?.count == 40)
        #expect((gone["raw_note"] as? String)?.contains("demo/front_thetah") == true && (gone["raw_note"] as? String)?.contains(root) == false, "\(gone)")
        let missing = try await system.get("/api/rci/build_report?radiator_name=nope")
        #expect(missing.status == 404 && String(decoding: missing.body, as: UTF8.self).contains("demo-built"))
    }
}
