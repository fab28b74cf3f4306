import Foundation
import Topography

/// ROOT topographs go through the project's Python package (uproot reads ROOT without a ROOT
/// installation): `spotfinder-root2json` from the project's .venv turns two TH2 maps into the import
/// JSON, which then takes the same path as every other import. The CLI and the edge both use this.
public enum RootConverter {
    /// The converter's options, by their query / command-line names (README, "Bring your own diamond").
    public static let options = ["thetah", "thetav", "mask", "mount", "name", "view", "thickness_um", "crystal", "notes",
                                 "axis_unit", "tilt_unit"]

    /// $SPOTFINDER_ROOT2JSON, else `.venv/bin/spotfinder-root2json` in the nearest folder above the
    /// running program (a build inside the checkout) or the working directory.
    public static func locate() throws(RadiatorError) -> String {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["SPOTFINDER_ROOT2JSON"], !explicit.isEmpty {
            guard fm.isExecutableFile(atPath: explicit) else { throw RadiatorError("SPOTFINDER_ROOT2JSON = \(explicit) is not an executable file") }
            return explicit
        }
        let program = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath().deletingLastPathComponent()
        for start in [program, URL(fileURLWithPath: fm.currentDirectoryPath)] {
            var dir = start.standardizedFileURL
            while true {
                let candidate = dir.appendingPathComponent(".venv/bin/spotfinder-root2json").path
                if fm.isExecutableFile(atPath: candidate) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        throw RadiatorError("ROOT import needs the project's Python package: run scripts/install-deps (it creates .venv with uproot), "
                            + "or set SPOTFINDER_ROOT2JSON to a spotfinder-root2json program")
    }

    /// Convert `path` with `options` (names from `options`, values as given); the radiator, validated.
    /// Blocks while the converter runs (call it off the cooperative pool); gives up after `timeoutSeconds`.
    public static func convert(_ path: String, options given: [String: String], timeoutSeconds: Double = 120) throws(RadiatorError) -> Radiator {
        var arguments: [String] = []
        for (key, value) in given.sorted(by: { $0.key < $1.key }) {
            guard options.contains(key) else {
                throw RadiatorError("\(key) is not an option of ROOT import: use \(options.joined(separator: ", "))")
            }
            arguments.append("--\(key.replacingOccurrences(of: "_", with: "-"))=\(value)")  // "=": values may start with '-'
        }
        // thetah, thetav and thickness_um are required; the converter says so, listing the file's histograms.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("spotfinder-root-\(UUID().uuidString)")
        do { try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true) } catch {
            throw RadiatorError("cannot create a temporary folder for the ROOT conversion")
        }
        defer { try? FileManager.default.removeItem(at: work) }
        let output = work.appendingPathComponent("radiator.json"), errors = work.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)  // a failure shows when it is opened below
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locate())
        process.arguments = arguments + ["--output=\(output.path)", "--", path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
        } catch {
            throw RadiatorError("cannot run the ROOT converter: \(error.localizedDescription)")
        }
        if finished.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            process.terminate()
            process.waitUntilExit()
            throw RadiatorError("the ROOT conversion took longer than \(Int(timeoutSeconds)) s and was stopped")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self)
            let lines = text.split(separator: "\n").map(String.init)
            let marker = "spotfinder-root2json: error: "
            if let line = lines.last(where: { $0.hasPrefix(marker) }) { throw RadiatorError(String(line.dropFirst(marker.count))) }
            throw RadiatorError("the ROOT converter failed (status \(process.terminationStatus)): \(lines.suffix(3).joined(separator: " | "))")
        }
        guard let json = FileManager.default.contents(atPath: output.path) else { throw RadiatorError("the ROOT converter wrote no radiator") }
        return try RadiatorImport.fromJSON(json)
    }
}
