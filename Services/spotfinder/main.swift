// spotfinder: the command-line face of the Spotfinder libraries.
import API
import Compute
import Foundation
import Physics

let usage = """
usage: spotfinder spectrum 'QUERY' [--orientations FILE.csv]
       spotfinder snap 'QUERY&snap_action=snap_para&snap_edge=6'
QUERY uses the web tool's parameter names (see README); omitted ones take their defaults.
radiator_name=ideal is a perfect crystal at one orientation.
"""

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("spotfinder: error: \(message)\n".utf8))
    exit(status)
}

func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    guard let data = try? encoder.encode(value) else { fail("could not encode the answer as JSON", status: 1) }
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail(usage) }
arguments.removeFirst()
if command == "help" || command == "--help" || command == "-h" { print(usage); exit(0) }

var orientationsFile: String?
var positional: [String] = []
while !arguments.isEmpty {
    let a = arguments.removeFirst()
    if a == "--orientations" {
        guard !arguments.isEmpty else { fail("--orientations needs a file name") }
        orientationsFile = arguments.removeFirst()
    } else if a.hasPrefix("--") {
        fail("unknown option \(a)\n\(usage)")
    } else {
        positional.append(a)
    }
}
guard positional.count <= 1 else { fail("give the query as one argument (quote it)\n\(usage)") }

do {
    let request = try SpotfinderRequest(query: positional.first ?? "")
    let radiatorName = request.radiatorName ?? "ideal"
    guard radiatorName == "ideal" else {
        throw ParameterError(parameter: "radiator_name", message: "radiator_name = '\(radiatorName)' is not known: this build has only 'ideal'")
    }
    switch command {
    case "spectrum":
        var samples: [TiltSample]?
        if let file = orientationsFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                fail("cannot read orientations file \(file)")
            }
            samples = try OrientationTable.parse(text, source: file)
        }
        printJSON(SpectrumComputation().response(for: request, samples: samples, radiatorName: radiatorName))
    case "snap":
        guard let plane = request.snapPlane else {
            throw ParameterError(parameter: "snap_action", message: "snap needs snap_action=snap_para or snap_action=snap_perp")
        }
        printJSON(try SnapResponse(request: request, plane: plane, meanTiltH: 0, meanTiltV: 0, radiatorName: radiatorName))
    default:
        fail("unknown command '\(command)'\n\(usage)")
    }
} catch let error as ParameterError {
    fail(error.message)
}
