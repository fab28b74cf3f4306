import Foundation
import RCIBuildCommand
import Testing

/// `rci build`'s own refusals: one sentence, and nothing in the data folder.
struct CommandRefusalTests {
    func refusal(_ arguments: [String]) -> (message: String?, stored: [String]) {
        let data = NSTemporaryDirectory() + "rci-build-refusal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let result = RCIBuildCommand.run(arguments + ["--data", data], environment: [:])
        let stored = (try? FileManager.default.contentsOfDirectory(atPath: data)) ?? []
        switch result {
        case .success: return (nil, stored)
        case .failure(let e): return (e.message, stored)
        }
    }

    @Test func missingRequiredOptionsAreNamed() {
        #expect(refusal(["--thickness-um", "50", "--front-h", "a", "--front-v", "b"]).message?.hasPrefix("--name is required") == true)
        #expect(refusal(["--name", "x", "--front-h", "a", "--front-v", "b"]).message?.hasPrefix("--thickness-um is required") == true)
        #expect(refusal(["--name", "x", "--thickness-um", "50", "--front-h", "a"]).message?.hasPrefix("--front-h and --front-v are required") == true)
        #expect(refusal(["--name", "x", "--thickness-um", "50", "--front-h", "a", "--front-v", "b", "--back-h", "c"]).message
                == "give both --back-h and --back-v, or neither")
    }

    @Test func badValuesAndFoldersAreRefusedAndNothingIsStored() {
        let thickness = refusal(["--name", "x", "--thickness-um", "0", "--front-h", "a", "--front-v", "b"])
        #expect(thickness.message == "--thickness-um 0: allowed 1 to 5000 µm" && thickness.stored.isEmpty)
        let polygon = refusal(["--name", "x", "--thickness-um", "50", "--front-h", "a", "--front-v", "b", "--mount-polygon", "1,2,3"])
        #expect(polygon.message?.hasPrefix("--mount-polygon 1,2,3: give at least three column,row pairs") == true)
        let folder = refusal(["--name", "x", "--thickness-um", "50", "--front-h", "/nonexistent/fh", "--front-v", "/nonexistent/fv"])
        #expect(folder.message?.hasPrefix("--front-h /nonexistent/fh: ") == true && folder.message?.contains("reduction.json: missing") == true,
                "\(folder.message ?? "built")")
        #expect(folder.stored.filter { $0.hasSuffix(".radiator") }.isEmpty)
        #expect(refusal(["--name", "x", "--bogus"]).message?.hasPrefix("unknown option --bogus") == true)
    }
}
