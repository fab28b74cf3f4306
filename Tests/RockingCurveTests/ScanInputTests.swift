import Foundation
import RockingScan
import Testing
import TIFFImage

/// Every bad scan folder is refused before anything is written, with a message that names the
/// file (or scan.json's field) and the problem.
@Suite struct ScanInputTests {
    /// Runs `rci reduce` on the folder; returns the refusal and checks no output appeared.
    func refusal(_ folder: String) throws -> String {
        let out = folder + "/../out"
        do {
            _ = try RCICommand.run(["reduce", folder, "--out", out, "--motor", "off"], dataDirectory: folder)
            Issue.record("\(folder) was reduced but should have been refused")
            return ""
        } catch {
            #expect(!FileManager.default.fileExists(atPath: out), "output written for a refused scan")
            return error.message
        }
    }

    @Test func missingImage() throws {
        let folder = try ScanFolder.write("missing")
        defer { ScanFolder.remove(folder) }
        try FileManager.default.removeItem(atPath: "\(folder)/img_0007.tif")
        let message = try refusal(folder)
        #expect(message.contains("img_0007.tif") && message.contains("missing image"), "\(message)")
    }

    @Test func mixedSizes() throws {
        let folder = try ScanFolder.write("sizes")
        defer { ScanFolder.remove(folder) }
        try TIFFWriter.write([TIFFPage(width: 23, height: 24, uint16: [UInt16](repeating: 100, count: 23 * 24))], to: "\(folder)/img_0003.tif")
        let message = try refusal(folder)
        #expect(message.contains("img_0003.tif") && message.contains("mixed sizes"), "\(message)")
    }

    @Test func mixedBitDepths() throws {
        let folder = try ScanFolder.write("depths")
        defer { ScanFolder.remove(folder) }
        try TIFFWriter.write([TIFFPage(width: 24, height: 24, float32: [Float](repeating: 100, count: 24 * 24))], to: "\(folder)/img_0012.tif")
        let message = try refusal(folder)
        #expect(message.contains("img_0012.tif") && message.contains("mixed bit depths"), "\(message)")
    }

    @Test func unreadableAndTruncatedFiles() throws {
        let folder = try ScanFolder.write("broken")
        defer { ScanFolder.remove(folder) }
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: "\(folder)/img_0005.tif"))
        var message = try refusal(folder)
        #expect(message.contains("img_0005.tif") && message.contains("not a readable TIFF"), "\(message)")

        let other = try ScanFolder.write("truncated")
        defer { ScanFolder.remove(other) }
        let file = URL(fileURLWithPath: "\(other)/img_0009.tif")
        let bytes = try Data(contentsOf: file)
        try bytes.prefix(bytes.count / 2).write(to: file)
        message = try refusal(other)
        #expect(message.contains("img_0009.tif"), "\(message)")
    }

    @Test func anglesThatDoNotFitTheImages() throws {
        let folder = try ScanFolder.write("angles")
        defer { ScanFolder.remove(folder) }
        try ScanFolder.editManifest(folder) { $0["angles_urad"] = ($0["angles_urad"] as! [Double]).dropLast().map { $0 } }
        var message = try refusal(folder)
        #expect(message.contains("scan.json") && message.contains("39 angles for 40 images"), "\(message)")

        try ScanFolder.editManifest(folder) { json in
            var a = (0..<40).map { Double($0) * 5 }
            a.swapAt(10, 11)
            json["angles_urad"] = a
        }
        message = try refusal(folder)
        #expect(message.contains("scan.json") && message.contains("not monotonic") && message.contains("image 11"), "\(message)")
    }

    @Test func badValuesInTheManifest() throws {
        let folder = try ScanFolder.write("values")
        defer { ScanFolder.remove(folder) }
        let cases: [(String, Any, String)] = [
            ("pixel_mm", 0, "pixel_mm"), ("pixel_mm", [0.01, -1], "pixel_mm"), ("rocking", "sideways", "allowed: thetah, thetav"),
            ("monitor", [Double](repeating: 1, count: 39), "40 images"), ("mirror", "yes", "true or false"), ("exposure", 1, "unknown field"),
        ]
        for (field, value, expected) in cases {
            let original = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/scan.json"))
            try ScanFolder.editManifest(folder) { $0[field] = value }
            let message = try refusal(folder)
            #expect(message.contains("scan.json") && message.contains(field) && message.contains(expected), "\(field): \(message)")
            try original.write(to: URL(fileURLWithPath: "\(folder)/scan.json"))
        }
        try FileManager.default.removeItem(atPath: "\(folder)/scan.json")
        #expect(try refusal(folder).contains("scan.json: missing"))
    }

    @Test func anglesFromATextFileOrStartAndStep() throws {
        let folder = try ScanFolder.write("textangles")
        defer { ScanFolder.remove(folder) }
        let base = try ScanInput.open(directory: folder)
        let names = (0..<40).map { String(format: "img_%04d.tif", $0) }
        // FILE ANGLE lines name the images themselves.
        try zip(names, base.frames.anglesMicroradians).map { "\($0) \($1)" }.joined(separator: "\n").write(toFile: "\(folder)/angles.txt", atomically: true, encoding: .utf8)
        try ScanFolder.editManifest(folder) { $0["angles_urad"] = nil; $0["images"] = nil; $0["angles"] = "angles.txt" }
        let fromFile = try ScanInput.open(directory: folder)
        #expect(fromFile.frames.anglesMicroradians == base.frames.anglesMicroradians)
        #expect(fromFile.imageSources.map(\.path) == base.imageSources.map(\.path))
        try ScanFolder.editManifest(folder) { $0["angles"] = nil; $0["images"] = names; $0["start_urad"] = -97.5; $0["step_urad"] = 5 }
        #expect(try ScanInput.open(directory: folder).frames.anglesMicroradians == base.frames.anglesMicroradians)
        // One angle per line, with a comment.
        try ("# motor log\n" + base.frames.anglesMicroradians.map { "\($0)" }.joined(separator: "\n")).write(toFile: "\(folder)/plain.txt", atomically: true, encoding: .utf8)
        try ScanFolder.editManifest(folder) { $0["start_urad"] = nil; $0["step_urad"] = nil; $0["angles"] = "plain.txt" }
        #expect(try ScanInput.open(directory: folder).frames.anglesMicroradians == base.frames.anglesMicroradians)
        // A NaN in the file is refused with its line.
        try (["1", "2", "nan"] + (3..<40).map { "\($0)" }).joined(separator: "\n").write(toFile: "\(folder)/plain.txt", atomically: true, encoding: .utf8)
        let message = try refusal(folder)
        #expect(message.contains("plain.txt") && message.contains("line 3") && message.contains("not a finite angle"), "\(message)")
    }

    @Test func floatImagesReduceLikeTheirIntegerCounts() throws {
        let folder = try ScanFolder.write("float")
        defer { ScanFolder.remove(folder) }
        let input = try ScanInput.open(directory: folder)
        let floatFolder = folder + "-float"
        defer { try? FileManager.default.removeItem(atPath: floatFolder) }
        try FileManager.default.createDirectory(atPath: floatFolder, withIntermediateDirectories: true)
        for (path, _) in input.imageSources + input.darkSources {
            let values = try TIFFReader(path: path).readFloat(page: 0)
            let name = (path as NSString).lastPathComponent
            try TIFFWriter.write([TIFFPage(width: 24, height: 24, float32: values)], to: "\(floatFolder)/\(name)", compression: .deflate,
                                 layout: .tiles(width: 16, height: 16))
        }
        try FileManager.default.copyItem(atPath: "\(folder)/scan.json", toPath: "\(floatFolder)/scan.json")
        var settings = ReduceSettings()
        settings.motor = .off
        let counts = try ScanReducer.reduce(input, settings: settings)
        let floats = try ScanReducer.reduce(try ScanInput.open(directory: floatFolder), settings: settings)
        #expect(try ScanInput.open(directory: floatFolder).sampleType == .float32)
        #expect(counts.maps["hmu"]!.map(\.bitPattern) == floats.maps["hmu"]!.map(\.bitPattern))
        #expect(counts.mask == floats.mask)
    }

    @Test func aMultiPageStackReducesLikeItsSinglePages() throws {
        let folder = try ScanFolder.write("stack")
        defer { ScanFolder.remove(folder) }
        let input = try ScanInput.open(directory: folder)
        let pages = try input.imageSources.map { try TIFFPage(width: 24, height: 24, uint16: TIFFReader(path: $0.path).readUInt16(page: 0)) }
        let stackFolder = folder + "-stack"
        defer { try? FileManager.default.removeItem(atPath: stackFolder) }
        try FileManager.default.createDirectory(atPath: stackFolder, withIntermediateDirectories: true)
        try TIFFWriter.write(pages, to: "\(stackFolder)/scan.tif", compression: .lzw)
        for dark in input.manifest.dark { try FileManager.default.copyItem(atPath: "\(folder)/\(dark)", toPath: "\(stackFolder)/\(dark)") }
        try FileManager.default.copyItem(atPath: "\(folder)/scan.json", toPath: "\(stackFolder)/scan.json")
        try ScanFolder.editManifest(stackFolder) { $0["images"] = nil; $0["stack"] = "scan.tif" }
        var settings = ReduceSettings()
        settings.motor = .off
        let single = try ScanReducer.reduce(input, settings: settings)
        let stacked = try ScanReducer.reduce(try ScanInput.open(directory: stackFolder), settings: settings)
        #expect(single.maps["hmu"]!.map(\.bitPattern) == stacked.maps["hmu"]!.map(\.bitPattern))
        #expect(single.mask == stacked.mask)
    }
}
