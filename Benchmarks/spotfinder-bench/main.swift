// spotfinder-bench: the measured figures quoted in the README. Run with scripts/bench [area ...].
import Foundation

let selected = Set(CommandLine.arguments.dropFirst())
func wants(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }

var table = BenchTable("area", "measurement", "median", "p90", "notes")
if wants("physics") { PhysicsBench.run(into: &table) }
if wants("topography") { try TopographyBench.run(into: &table) }
if wants("render") { try RenderBench.run(into: &table) }
if selected.contains("http") { table.rows += try await HTTPBench.run() }
if selected.contains("map") { try MapBench.run(into: &table); table.rows += try await MapBench.runHTTP() }
if selected.contains("rci-build") { try RCIBuildBench.run(into: &table) }
if wants("wire") { table.rows += try await WireBench.run() }
if selected.contains("rci") { try RCIBench.run(into: &table) }
if selected.contains("rci-cluster") { table.rows += try await RCIClusterBench.run() }
print(table.render())
