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
    ],
    targets: [
        // Pure physics: coherent bremsstrahlung model, no I/O.
        .target(name: "Physics", swiftSettings: strictSwift),
        // The parameter vocabulary: query strings -> validated, typed requests.
        .target(name: "Parameters", dependencies: ["Physics"], swiftSettings: strictSwift),

        .executableTarget(name: "spotfinder", dependencies: ["Physics", "Parameters"],
                          path: "Services/spotfinder", swiftSettings: strictSwift),
        .executableTarget(name: "spotfinder-bench", dependencies: ["Physics", "Parameters"],
                          path: "Benchmarks/spotfinder-bench", swiftSettings: strictSwift),

        .testTarget(name: "PhysicsTests", dependencies: ["Physics", "Parameters"], swiftSettings: strictSwift),
    ]
)
