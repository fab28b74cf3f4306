import Foundation
import Testing

/// The committed protoc-c, Python and Swift code must be what scripts/generate-protos makes from Protos/ now.
@Suite struct GeneratedCodeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func committedGeneratedCodeIsFresh() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spotfinder-gen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = Self.root.appendingPathComponent("scripts/generate-protos")
        p.arguments = [out.path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "scripts/generate-protos failed")
        for file in ["Sources/SpotfinderProtoC/spotfinder.pb-c.c", "Sources/SpotfinderProtoC/include/spotfinder.pb-c.h",
                     "Sources/SpotfinderProtoC/spotfinder_descriptors.c", "Sources/SpotfinderProtoC/include/spotfinder_descriptors.h",
                     "python/spotfinder/spotfinder_pb2.py", "Sources/Wire/Generated/Messages.swift"] {
            let fresh = try Data(contentsOf: out.appendingPathComponent(file))
            let committed = try Data(contentsOf: Self.root.appendingPathComponent(file))
            #expect(fresh == committed, "\(file) is stale: run scripts/generate-protos and commit")
        }
    }
}
