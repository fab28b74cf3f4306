import Foundation
import Testing

/// `spotfinder` as a user runs it: real process, real files, JSON on stdout, one clear line on error.
@Suite(.timeLimit(.minutes(2))) struct CommandLineTests {
    let data = FileManager.default.temporaryDirectory.appendingPathComponent("sf-cli-\(UUID().uuidString)").path

    func spotfinder(_ args: String...) async throws -> ProcessResult {
        try await run(executable("spotfinder"), args + ["--data", data])
    }

    func json(_ r: ProcessResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "stdout: \(r.stdout) stderr: \(r.stderr)")
    }

    @Test func spectrumForTheIdealCrystalPrintsTheArrays() async throws {
        let r = try await spotfinder("spectrum", "radiator_name=ideal&ebeam_energy=11.6&rad_thetah=1.2296&rad_thetav=50&pbeam_energy_min=4.5&pbeam_energy_max=7&pbeam_energy_resol=0.02")
        #expect(r.status == 0)
        let j = try json(r)
        for key in ["energy_GeV", "coherent", "coherent_polarized", "incoherent", "enhancement", "polarization"] {
            let a = try #require(j[key] as? [Double], "\(key)")
            #expect(a.count == 125, "bins with centres in [4.5, 7] at 0.02 GeV")
        }
        let e = j["energy_GeV"] as! [Double]
        #expect(abs(e.first! - 4.51) < 1e-9 && abs(e.last! - 6.99) < 1e-9)
        let summary = try #require(j["summary"] as? [String: Any])
        let peak = summary["coherent_peak_GeV"] as! Double
        #expect(peak > 5.6 && peak < 6.0, "the smeared primary peak sits just below the 6 GeV edge")
    }

    @Test func orientationsFileAveragesTheSpectrum() async throws {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("orientations-\(UUID().uuidString).csv")
        try "thetah_offset_mr,thetav_offset_mr,weight\n0,0,1\n0.05,0,1\n-0.05,0.02,2\n".write(to: csv, atomically: true, encoding: .utf8)
        let r = try await spotfinder("spectrum", "radiator_name=ideal", "--orientations", csv.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try json(r)["orientations_averaged"] as? Int == 3)
        try "0,0,-1\n".write(to: csv, atomically: true, encoding: .utf8)
        let bad = try await spotfinder("spectrum", "radiator_name=ideal", "--orientations", csv.path)
        #expect(bad.status != 0 && bad.stderr.contains("weight"))
    }

    @Test(arguments: [
        ("ebeam_energy=nan", "ebeam_energy"), ("ebeam_energy=inf", "ebeam_energy"), ("ebeam_energy=-3", "[0.1, 100] GeV"),
        ("pbeam_energy_min=7&pbeam_energy_max=5", "pbeam_energy_min"), ("pbeam_energy_max=12", "past the beam energy"),
        ("pbeam_energy_resol=0.0005&pbeam_energy_min=0.1&pbeam_energy_max=11", "pbeam_energy_resol"),
        ("ebeam_xycorr=1", "ebeam_xycorr"), ("ebeam_xyresol=0.001&ebeam_xsigma=5&ebeam_ysigma=5", "ebeam_xyresol"),
        ("rad_thickness=abc", "rad_thickness"), ("plot_type=pie", "plot_type"), ("bogus=1", "unknown parameter 'bogus'"),
        ("ebeam_energy=11.6&ebeam_energy=12", "more than once"),
    ])
    func badParametersExitNonZeroWithOneClearLine(query: String, mentions: String) async throws {
        let r = try await spotfinder("spectrum", "radiator_name=ideal&" + query)
        #expect(r.status != 0)
        #expect(r.stderr.contains(mentions), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stdout.isEmpty)
    }

    @Test func snapPrintsTheOrientationOfTheReference() async throws {
        let r = try await spotfinder("snap", "radiator_name=ideal&snap_action=snap_para&snap_edge=6")
        let j = try json(r)
        #expect(abs((j["rad_thetah"] as! Double) - 1.2296467307569028) < 1e-9)
        #expect(j["rad_thetav"] as? Double == 50)
        let perp = try json(try await spotfinder("snap", "radiator_name=ideal&snap_action=snap_perp&snap_edge=9"))
        #expect(abs((perp["rad_thetav"] as! Double) - 3.973656586291571) < 1e-9)
        let past = try await spotfinder("snap", "radiator_name=ideal&snap_action=snap_para&snap_edge=12")
        #expect(past.status != 0 && past.stderr.contains("snap_edge"))
    }

    @Test func radiatorsTiltAndSpotSpectrumOnTheBuiltInData() async throws {
        let list = try await spotfinder("radiators")
        #expect(list.status == 0)
        let radiators = try #require(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(radiators.count >= 6)
        let name = radiators[0]["name"] as! String
        let tilt = try json(try await spotfinder("tilt", "radiator_name=\(name)"))
        #expect(abs((tilt["fraction_on_crystal"] as! Double) + (tilt["fraction_on_mount"] as! Double) + (tilt["fraction_outside"] as! Double) - 1) < 1e-9)
        #expect((tilt["weights"] as! [[Double]]).count == 100)
        let snap = try json(try await spotfinder("snap", "radiator_name=\(name)&snap_action=snap_para&snap_edge=6"))
        #expect(abs((snap["rad_thetah"] as! Double) - (1.2296467307569028 - (tilt["mean_thetah_mr"] as! Double))) < 1e-9)
        let spectrum = try json(try await spotfinder("spectrum", "radiator_name=\(name)&rad_thetah=\(snap["rad_thetah"]!)&rad_thetav=50"))
        #expect((spectrum["orientations_averaged"] as! Int) > 10)
        let unknown = try await spotfinder("spectrum", "radiator_name=nope")
        #expect(unknown.status != 0 && unknown.stderr.contains("radiator_name = 'nope'"))
    }

    @Test func importAddsARadiator() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-\(UUID().uuidString).json")
        try StoreJSON.tiny.write(to: file, atomically: true, encoding: .utf8)
        let r = try await spotfinder("import", file.path)
        #expect(r.status == 0, "\(r.stderr)")
        let names = try await spotfinder("radiators")
        #expect(names.stdout.contains("\"tiny-import\""))
    }
}

enum StoreJSON {
    static let tiny = """
    {"name": "tiny-import", "thickness_um": 50,
     "views": [{"view": "front", "grid": {"origin_x_mm": 0, "origin_y_mm": 0, "pixel_mm": 0.05, "columns": 2, "rows": 2},
                "thetah_urad": [1, 2, 3, 4], "thetav_urad": [0, 0, 0, 0], "mask": [1, 1, 1, 1]}]}
    """
}
