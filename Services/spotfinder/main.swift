// spotfinder: the command-line face of the Spotfinder libraries.
import API
import Compute
import Foundation
import Physics
import PlotRendererCore
import RPC
import Plots
import RadiatorStore
import RCIBuildCommand
import RCIPublish
import RockingScan
import SpotMap
import Topography

let usage = """
usage: spotfinder spectrum 'QUERY' [--orientations FILE.csv] [--data DIR]
       spotfinder snap 'QUERY&snap_action=snap_para&snap_edge=6' [--data DIR]
       spotfinder tilt 'QUERY' [--data DIR]
       spotfinder map 'QUERY&fom=peak_polarization' [--data DIR]   (the spot map: every placement, best spots)
       spotfinder radiators [--data DIR]
       spotfinder import FILE.json|FILE.csv [--data DIR]
       spotfinder import FILE.root --thetah NAME --thetav NAME --thickness-um UM [--mask NAME] [--mount X0,Y0,X1,Y1]
                         [--name NAME] [--view front|back] [--crystal diamond|silicon] [--notes TEXT] [--data DIR]
       spotfinder plot 'QUERY&plot_type=polar&format=png' --out FILE [--data DIR]
       spotfinder rci reduce SCAN_DIR [--out DIR] [--method moments|gauss|pvoigt] [--motor free|periodic|off]
       spotfinder rci simulate OUT_DIR [--radiator NAME] [--size WxH] [--frames N] …   (spotfinder rci help: all options)
       spotfinder rci build --name NAME --thickness-um T --front-h DIR --front-v DIR [--back-h DIR --back-v DIR] [--report DIR] …
                         (spotfinder rci build --help: all options)
       spotfinder scale --slurm JOB_SCRIPT --edge HOST:PORT --edge-http HOST:PORT [--min N] [--max N] …   (see spotfinder scale --help)
QUERY uses the web tool's parameter names (see README); omitted ones take their defaults.
radiator_name=ideal is a perfect crystal at one orientation; a radiator's name averages over the beam spot.
The data folder is --data, else $SPOTFINDER_DATA, else ./data/radiators (created with the built-in radiators).
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
if ["help", "--help", "-h"].contains(command) { print(usage); exit(0) }
// A long-running command with flags of its own (Scale.swift).
if command == "scale" { await runScale(arguments) }
if command == "rci", arguments.first == "build" {  // RCIBuildCommand: reduction folders into a radiator
    if arguments.dropFirst().first == "--help" { print(RCIBuildCommand.usage); exit(0) }
    switch RCIBuildCommand.run(Array(arguments.dropFirst())) { case .success(let text): print(text); exit(0); case .failure(let e): fail(e.message) }
}
if command == "rci", arguments.first == "publish" {  // RCIPublish: a reduction folder into the topograph-store
    switch await RCIPublishCommand.run(Array(arguments.dropFirst())) { case .success(let line): print(line); exit(0); case .failure(let e): fail(e.description) }
}
if command == "rci" {
    // Rocking-curve imaging has its own options (RockingScan.RCICommand).
    if arguments.first == "help" || arguments.first == "--help" { print(RCICommand.usage); exit(0) }
    do {
        print(try RCICommand.run(arguments, dataDirectory: ProcessInfo.processInfo.environment["SPOTFINDER_DATA"] ?? "data/radiators"))
        exit(0)
    } catch { fail(error.message) }
}

var options: [String: String] = [:]
var positional: [String] = []
/// ROOT import options, passed on to the Python converter (thickness-um → thickness_um).
var rootOptions: [String: String] = [:]
while !arguments.isEmpty {
    let a = arguments.removeFirst()
    let rootKey = a.dropFirst(2).replacingOccurrences(of: "-", with: "_")
    if a == "--orientations" || a == "--data" || a == "--out" {
        guard !arguments.isEmpty else { fail("\(a) needs a value") }
        options[a] = arguments.removeFirst()
    } else if a.hasPrefix("--"), RootConverter.options.contains(rootKey) {
        guard !arguments.isEmpty else { fail("\(a) needs a value") }
        rootOptions[rootKey] = arguments.removeFirst()
    } else if a.hasPrefix("--") {
        fail("unknown option \(a)\n\(usage)")
    } else {
        positional.append(a)
    }
}
guard positional.count <= 1 else { fail("give the query as one argument (quote it)\n\(usage)") }

let dataDirectory = options["--data"] ?? ProcessInfo.processInfo.environment["SPOTFINDER_DATA"] ?? "data/radiators"

func store() throws(RadiatorError) -> RadiatorStore {
    let s = try RadiatorStore(directory: dataDirectory)
    try s.installDefaultsIfEmpty()
    return s
}

/// The radiator the request names (default: the first in the store), or nil for the ideal crystal.
func radiator(for request: SpotfinderRequest) throws -> Radiator? {
    if request.isIdealRadiator { return nil }
    let s = try store()
    let name = request.radiatorName ?? s.names().first ?? "ideal"
    if name == "ideal" { return nil }
    do { return try s.load(name) } catch {
        throw ParameterError(parameter: "radiator_name", message: error.message)
    }
}

do {
    switch command {
    case "radiators":
        let (radiators, problems) = try store().loadAll()
        for p in problems { FileHandle.standardError.write(Data("spotfinder: warning: skipped \(p)\n".utf8)) }
        printJSON(radiators.map(RadiatorSummary.init))
    case "import":
        guard let file = positional.first else { fail("import needs a file: spotfinder import FILE.json|FILE.csv|FILE.root") }
        let isROOT = file.lowercased().hasSuffix(".root")
        if !isROOT, let key = rootOptions.keys.sorted().first { fail("--\(key.replacingOccurrences(of: "_", with: "-")) applies to .root files only") }
        let r = isROOT ? try RootConverter.convert(file, options: rootOptions) : try RadiatorImport.file(file)
        try store().save(r)
        printJSON(RadiatorSummary(r))
    case "plot":
        guard let out = options["--out"] else { fail("plot needs --out FILE") }
        let request = try SpotfinderRequest(query: positional.first ?? "")
        guard let r = try radiator(for: request) else {
            throw ParameterError(parameter: "radiator_name", message: "plot needs a radiator with a topograph")
        }
        let analysis = try SpotAnalysis(radiator: r, request: request)
        let data: Data
        switch request.word("plot_type") {
        case "map":
            let view = r.view(analysis.side)!, own = request.withDefaults(of: r)
            let map = try LocalMap.compute(request: own, view: view, radiatorName: r.name, model: SpectrumComputation().model(for: own))
            let m = PlotRequests.spotMap(map, view: view, request: request)
            switch request.word("format") {
            case "csv": data = Data(PlotData.csv(m).utf8)
            case "json": data = PlotData.json(m)
            default: data = try PlotRendererService.png(m)
            }
        case "spot", "tilt":
            let m = request.word("plot_type") == "tilt"
                ? PlotRequests.tilt(analysis.tilt, request: request, radiatorName: r.name, view: analysis.side)
                : PlotRequests.spot(view: r.view(analysis.side)!, tilt: analysis.tilt, request: request, radiatorName: r.name)
            switch request.word("format") {
            case "csv": data = Data(PlotData.csv(m).utf8)
            case "json": data = PlotData.json(m)
            default: data = try PlotRendererService.png(m)
            }
        default:
            let kind = PlotRequests.SpectrumKind(rawValue: request.word("plot_type")) ?? .intense
            let computation = SpectrumComputation(), own = analysis.request(request)
            let spectrum = try analysis.spectrum(for: own, computation: computation)
            let p = PlotRequests.spectrum(kind, spectrum, request: own, radiatorName: r.name,
                                          plane: computation.polarizationPlane(for: own))
            switch request.word("format") {
            case "csv": data = Data(PlotData.csv(p).utf8)
            case "json": data = PlotData.json(p)
            default: data = try PlotRendererService.png(p)
            }
        }
        guard FileManager.default.createFile(atPath: out, contents: data) else { fail("cannot write \(out)") }
    case "map":
        let request = try SpotfinderRequest(query: positional.first ?? "")
        guard let r = try radiator(for: request) else {
            throw ParameterError(parameter: "radiator_name", message: "radiator_name = ideal: a perfect crystal is the same everywhere and has no map; name a radiator")
        }
        guard let view = r.view(request.viewSide) else {
            throw ParameterError(parameter: "radiator_view", message: "radiator_view = \(request.viewSide.rawValue): radiator \(r.name) has only \(r.views.map(\.side.rawValue).joined(separator: ", "))")
        }
        let own = request.withDefaults(of: r)  // the radiator's thickness, crystal and mount, as `spectrum` uses
        printJSON(try LocalMap.compute(request: own, view: view, radiatorName: r.name, model: SpectrumComputation().model(for: own)))
    case "spectrum", "snap", "tilt":
        let request = try SpotfinderRequest(query: positional.first ?? "")
        let found = try radiator(for: request)
        let analysis = try found.map { r throws(ParameterError) in try SpotAnalysis(radiator: r, request: request) }
        switch command {
        case "spectrum":
            if let file = options["--orientations"] {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { fail("cannot read orientations file \(file)") }
                let samples = try OrientationTable.parse(text, source: file)
                let snapped = try request.snapped(meanTiltH: 0, meanTiltV: 0, radiatorName: found?.name ?? "ideal")
                printJSON(SpectrumComputation().response(for: snapped, samples: samples, radiatorName: found?.name ?? "ideal"))
            } else if let analysis {
                // snap_action acts (as GET /api/spectrum): the snap for the spot's mean tilt.
                let computation = SpectrumComputation()
                let own = try analysis.request(request).snapped(meanTiltH: analysis.tilt.meanThetaHMilliradians,
                                                                 meanTiltV: analysis.tilt.meanThetaVMilliradians, radiatorName: analysis.radiator.name)
                let spectrum = try analysis.spectrum(for: own, computation: computation)
                printJSON(SpectrumResponse(spectrum: spectrum, request: own, radiatorName: analysis.radiator.name,
                                           orientationsAveraged: analysis.tilt.samples.count,
                                           fractionOnCrystal: analysis.tilt.fractionOnCrystal,
                                           fractionOnMount: analysis.tilt.fractionOnMount, plane: computation.polarizationPlane(for: own)))
            } else {
                printJSON(SpectrumComputation().response(for: try request.snapped(meanTiltH: 0, meanTiltV: 0, radiatorName: "ideal"),
                                                         samples: nil, radiatorName: "ideal"))
            }
        case "snap":
            guard let plane = request.snapPlane else {
                throw ParameterError(parameter: "snap_action", message: "snap needs snap_action=PARA or PERP (GlueX's planes), or the original tool's snap_para / snap_perp")
            }
            if let analysis { printJSON(try analysis.snap(request, plane: plane)) } else {
                printJSON(try SnapResponse(request: request, plane: plane, meanTiltH: 0, meanTiltV: 0, radiatorName: "ideal"))
            }
        default:
            guard let analysis else {
                throw ParameterError(parameter: "radiator_name", message: "tilt needs a radiator with a topograph, not the ideal crystal")
            }
            printJSON(TiltResponse(analysis.tilt, radiatorName: analysis.radiator.name, view: analysis.side))
        }
    default:
        fail("unknown command '\(command)'\n\(usage)")
    }
} catch let error as RPCError {
    fail(error.message)
} catch let error as ParameterError {
    fail(error.message)
} catch let error as RadiatorError {
    fail(error.message)
} catch {
    fail("\(error)", status: 1)
}
