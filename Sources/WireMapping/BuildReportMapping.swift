import RadiatorBuild
import RadiatorStore
import Topography
import Wire
import Zlib

extension StoredBuildReportMessage {
    /// A build as the topograph-store keeps it: `answerJSON` (the edge's answer to the build, the
    /// builder's whole report inside) and every diagnostic map on the radiator's grid, each under
    /// `mapName(diagnostic)`, zlib-compressed float32. Maps on another grid than the first are left out.
    public init?(_ result: RadiatorBuildResult, answerJSON: String, mapName: (String) -> String) {
        guard let first = result.diagnostics.first else { return nil }
        self.init()
        formatVersion = BuildReportStore.formatVersion
        radiatorName = result.radiator.name
        reportJson = answerJSON
        columns = UInt32(first.grid.columns); rows = UInt32(first.grid.rows)
        originXMm = first.grid.originXMillimeters; originYMm = first.grid.originYMillimeters; pixelMm = first.grid.pixelMillimeters
        maps = result.diagnostics.filter { $0.grid == first.grid }.map {
            BuildMapMessage(name: mapName($0.name), unit: $0.unit, valuesZlib: Zlib.compress(RadiatorFile.littleEndianBytes($0.values)))
        }
    }
}
