// swift-tools-version:6.0
import PackageDescription

/// Strict settings for every Swift target (see README "Dependencies and settings").
let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Spotfinder",
    products: [
        .executable(name: "spotfinder", targets: ["spotfinder"]),
        .executable(name: "cobrems-node", targets: ["cobrems-node"]),
        .executable(name: "topograph-store", targets: ["topograph-store"]),
        .executable(name: "tilt-service", targets: ["tilt-service"]),
        .executable(name: "plot-renderer", targets: ["plot-renderer"]),
        .executable(name: "edge", targets: ["edge"]),
    ],
    targets: [
        // Pure physics: coherent bremsstrahlung model, no I/O.
        .target(name: "Physics", swiftSettings: strictSwift),
        // Radiators, topographs, synthetic catalogue, the tilt distribution under the beam spot. Pure.
        .target(name: "Topography", dependencies: ["Physics"], swiftSettings: strictSwift),
        // Radiators and reduced rocking-curve scans on disk (atomic, checksummed), and radiator imports from JSON/CSV.
        .target(name: "RadiatorStore", dependencies: ["RockingCurve", "Topography", "Wire", "Zlib"], swiftSettings: strictSwift),
        // The public vocabulary: query strings -> validated requests; answers as JSON.
        .target(name: "API", dependencies: ["Physics", "Topography"], swiftSettings: strictSwift),
        // Rocking-curve imaging, part 2: reduced scans (peak-position and intensity maps) -> a radiator:
        // alignment, instrument corrections, crystal mask, masked surface integration. Pure, no I/O.
        .target(name: "RadiatorBuild", dependencies: ["Physics", "Topography"], swiftSettings: strictSwift),
        // `spotfinder rci build`: reduction folders (RockingScan's output, read by RCIPublish) → RadiatorBuild → the store.
        .target(name: "RCIBuildCommand", dependencies: ["RadiatorBuild", "RadiatorStore", "RCIPublish", "Render", "RockingCurve", "TIFFImage", "Topography"],
                swiftSettings: strictSwift),
        // The spot map: figures of merit for every beam placement on a radiator, best spots. Pure.
        .target(name: "SpotMap", dependencies: ["API", "Physics", "Topography"], swiftSettings: strictSwift),

        // Rocking-curve imaging, pure: per-pixel rocking curves -> peak maps, motor correction. No I/O.
        .target(name: "RockingCurve", swiftSettings: strictSwift),
        // Simulated rocking-curve scans of a radiator (images + truth), pure and deterministic.
        .target(name: "RockingScanSimulation", dependencies: ["Topography"], swiftSettings: strictSwift),
        // Rocking-curve scans on disk: scan.json, band reads of the TIFF images, the in-process reduction
        // driver, maps and reduction.json out, simulated scan folders, and the `spotfinder rci` commands.
        .target(name: "RockingScan", dependencies: ["RadiatorStore", "RCIRemote", "Render", "RockingCurve", "RockingScanSimulation", "TIFFImage", "Topography"],
                swiftSettings: strictSwift),

        // libtiff: the beamline's images (16-bit and float; LZW, Deflate; strips, tiles; multi-page) and the
        // reduced maps. A C shim captures libtiff's error messages per file and wraps its variadic calls;
        // TIFFImage is the one Swift wrapper.
        .systemLibrary(name: "CLibTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .target(name: "TIFFShim", dependencies: ["CLibTIFF"]),
        .target(name: "TIFFImage", dependencies: ["CLibTIFF", "TIFFShim"], swiftSettings: strictSwift),

        // protobuf-c: the system library, the committed protoc-c output, and the one Swift bridge.
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c",
                       providers: [.apt(["libprotobuf-c-dev"])]),
        .target(name: "SpotfinderProtoC", dependencies: ["CProtobufC"]),
        .target(name: "Wire", dependencies: ["CProtobufC", "CSystemShims", "SpotfinderProtoC"], swiftSettings: strictSwift),
        // zlib: compressed arrays and checksums in stored radiators.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "Zlib", dependencies: ["CZlib"], swiftSettings: strictSwift),
        // libpng (simplified API) for PNG output; Render draws plots in pure Swift.
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .target(name: "Render", dependencies: ["CLibPNG"], swiftSettings: strictSwift),
        // libc declarations Swift's Glibc module lacks.
        .systemLibrary(name: "CSystemShims"),

        // Classes of work (interactive, batch): admission budgets, priority threads, cancellation flags.
        .target(name: "Scheduling", dependencies: ["CSystemShims"], swiftSettings: strictSwift),
        // Length-prefixed protobuf RPC over POSIX TCP sockets: server, client, deadlines, limits.
        .target(name: "RPC", dependencies: ["Scheduling", "Wire"], swiftSettings: strictSwift),
        // The browser-facing HTTP/1.1 server: blocking sockets, a thread per connection, limits enforced as bytes arrive.
        .target(name: "HTTPServer", dependencies: ["RPC", "Scheduling"], swiftSettings: strictSwift),

        // Shared compute step: model cache, spectra for requests.
        .target(name: "Compute", dependencies: ["Physics", "API", "Topography"], swiftSettings: strictSwift),

        // Wire messages <-> validated domain values.
        .target(name: "WireMapping", dependencies: ["API", "Physics", "RadiatorBuild", "RadiatorStore", "RockingCurve", "RPC", "SpotMap", "Topography", "Wire", "Zlib"], swiftSettings: strictSwift),
        // TileReducer: rocking-curve tiles reduced in process, on a node or through the edge (RPC client).
        .target(name: "RCIRemote", dependencies: ["RockingCurve", "RPC", "Wire", "WireMapping"], swiftSettings: strictSwift),
        // `spotfinder rci publish`: a reduction folder (RockingScan's output) stored in the topograph-store.
        .target(name: "RCIPublish", dependencies: ["RadiatorStore", "RockingCurve", "RockingScan", "RPC", "ServiceClients", "TIFFImage"],
                swiftSettings: strictSwift),
        // Flags, one-line logs, signals: what every service main needs.
        .target(name: "ServiceSupport", swiftSettings: strictSwift),
        // Service logic, testable in-process.
        .target(name: "CobremsNodeCore", dependencies: ["API", "Compute", "Physics", "RCIRemote", "RockingCurve", "RPC", "Scheduling", "ServiceSupport", "SpotMap", "Topography", "Wire", "WireMapping"],
                swiftSettings: strictSwift),

        .target(name: "Plots", dependencies: ["API", "Physics", "Render", "SpotMap", "Topography", "Wire"], swiftSettings: strictSwift),
        .target(name: "PlotRendererCore", dependencies: ["Render", "RPC", "Wire"], swiftSettings: strictSwift),

        .target(name: "TopographStoreCore", dependencies: ["RadiatorStore", "RockingCurve", "RPC", "Topography", "Wire", "WireMapping"], swiftSettings: strictSwift),
        .target(name: "ServiceClients", dependencies: ["RadiatorStore", "RockingCurve", "RPC", "Topography", "TopographStoreCore", "Wire", "WireMapping"], swiftSettings: strictSwift),
        .target(name: "TiltServiceCore", dependencies: ["API", "RPC", "ServiceClients", "Topography", "Wire", "WireMapping"], swiftSettings: strictSwift),

        // The optional autoscaler: the edge's load from /metrics, node jobs on Slurm; the rule itself is pure (ScalingPolicy).
        .target(name: "Autoscaling", dependencies: ["RPC", "ServiceSupport"], swiftSettings: strictSwift),

        .target(name: "EdgeCore", dependencies: [
            "API", "CobremsNodeCore", "Compute", "Physics", "PlotRendererCore", "Plots", "RadiatorBuild", "RadiatorStore", "RCIBuildCommand", "RCIRemote", "Render", "RockingCurve", "RockingScan", "RPC", "Scheduling", "ServiceClients", "ServiceSupport",
            "SpotMap", "TiltServiceCore", "Topography", "Wire", "WireMapping", "HTTPServer",
        ],
        // The page: plain HTML, CSS and JavaScript modules, served as they are (WebAssets).
        resources: [.copy("Web")], swiftSettings: strictSwift),

        .executableTarget(name: "topograph-store", dependencies: ["RadiatorStore", "RPC", "ServiceSupport", "TopographStoreCore"],
                          path: "Services/topograph-store", swiftSettings: strictSwift),
        .executableTarget(name: "tilt-service", dependencies: ["RPC", "ServiceClients", "ServiceSupport", "TiltServiceCore"],
                          path: "Services/tilt-service", swiftSettings: strictSwift),
        .executableTarget(name: "plot-renderer", dependencies: ["PlotRendererCore", "RPC", "ServiceSupport"],
                          path: "Services/plot-renderer", swiftSettings: strictSwift),
        .executableTarget(name: "edge", dependencies: ["Compute", "EdgeCore", "RPC", "ServiceClients", "ServiceSupport"],
                          path: "Services/edge", swiftSettings: strictSwift),
        .executableTarget(name: "cobrems-node", dependencies: ["CobremsNodeCore", "RPC", "ServiceSupport"],
                          path: "Services/cobrems-node", swiftSettings: strictSwift),
        .executableTarget(name: "spotfinder", dependencies: ["Autoscaling", "ServiceSupport", "Physics", "API", "Compute", "PlotRendererCore", "Plots", "RadiatorStore", "RCIBuildCommand", "RCIPublish",
                                                         "RockingScan", "RPC", "SpotMap", "Topography"],
                          path: "Services/spotfinder", swiftSettings: strictSwift),
        .executableTarget(name: "spotfinder-bench", dependencies: ["Physics", "API", "Compute", "PlotRendererCore", "Plots", "RadiatorBuild", "RadiatorStore", "RCIRemote", "RockingCurve",
                                                          "RockingScan", "RockingScanSimulation", "RPC", "SpotMap", "Topography", "Wire", "WireMapping"],
                          path: "Benchmarks/spotfinder-bench", swiftSettings: strictSwift),

        // A raw HTTP client for tests (HTTPServerTests, ServiceTests' HTTP fuzz).
        .target(name: "HTTPTestSupport", dependencies: ["RPC"], path: "Tests/HTTPTestSupport", swiftSettings: strictSwift),
        .testTarget(name: "WireTests", dependencies: ["CProtobufC", "SpotfinderProtoC", "Wire"], swiftSettings: strictSwift),
        .testTarget(name: "RPCTests", dependencies: ["Wire", "RPC", "Scheduling"], swiftSettings: strictSwift),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling"], swiftSettings: strictSwift),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPTestSupport", "RPC"], swiftSettings: strictSwift),
        .testTarget(name: "ServiceTests", dependencies: ["API", "CobremsNodeCore", "Compute", "EdgeCore", "HTTPServer", "HTTPTestSupport", "Physics", "RadiatorStore", "RCIRemote", "RockingCurve", "RockingScan", "RPC", "Scheduling", "ServiceClients", "TIFFImage", "ServiceSupport", "TopographStoreCore",
                                                       "Topography", "Wire", "WireMapping"],
                    swiftSettings: strictSwift),
        .testTarget(name: "AutoscalingTests", dependencies: ["Autoscaling"], swiftSettings: strictSwift),
        .testTarget(name: "TopographyTests", dependencies: ["Physics", "RadiatorStore", "Topography"], swiftSettings: strictSwift),
        .testTarget(name: "RenderTests", dependencies: ["API", "Compute", "PlotRendererCore", "Plots", "RadiatorStore", "Render", "RPC", "Topography",
                                                      "TopographStoreCore", "Wire", "WireMapping", "Zlib"],
                    exclude: ["golden-spectrum-400.rgba.z"], swiftSettings: strictSwift),
        .testTarget(name: "RadiatorBuildTests", dependencies: ["RadiatorBuild", "Topography"], swiftSettings: strictSwift),
        .testTarget(name: "RCIBuildCommandTests", dependencies: ["RadiatorBuild", "RadiatorStore", "RCIBuildCommand", "RockingScan", "RockingScanSimulation", "Topography"],
                    swiftSettings: strictSwift),
        .testTarget(name: "RockingCurveTests", dependencies: ["RockingCurve", "RockingScan", "RockingScanSimulation", "TIFFImage", "Topography"],
                    swiftSettings: strictSwift),
        .testTarget(name: "SpotMapTests", dependencies: ["API", "Compute", "Physics", "SpotMap", "Topography"], swiftSettings: strictSwift),
        .testTarget(name: "PhysicsTests", dependencies: ["Physics", "API", "Compute", "Topography"], exclude: ["ReferenceData"],
                    swiftSettings: strictSwift),
    ]
)
