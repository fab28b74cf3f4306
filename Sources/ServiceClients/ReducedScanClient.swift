import Foundation
import RadiatorStore
import RockingCurve
import RPC
import TopographStoreCore
import Wire

/// Reduced scans in the topograph-store (directly, or through the edge, which forwards the same
/// methods): a whole scan stored in as many calls as the frame limit needs, and one map read back
/// band by band.
public struct ReducedScanClient: Sendable {
    public let rpc: RPCClient
    /// Values per call: a put or get message stays well inside the 16 MiB frame.
    public let valuesPerCall: Int

    public init(rpc: RPCClient, valuesPerCall: Int = ReducedScanService.maxValuesPerMessage) {
        self.rpc = rpc
        self.valuesPerCall = max(1, min(valuesPerCall, ReducedScanService.maxValuesPerMessage))
    }

    /// Stores `scan` (replacing one of its name): the facts first, then bands of rows, the last call
    /// committing. Nothing is stored unless every call succeeded. Returns the stored summary.
    public func put(_ scan: ReducedScanRecord, token: String, deadline: Deadline) async throws(RPCError) -> ReducedScanSummaryMessage {
        let f = scan.facts
        let rowsPerBand = max(1, valuesPerCall / max(1, f.width))
        var bands: [ReducedScanBandMessage] = []
        let columns: [(String, [Float])] = f.maps.map { ($0.rawValue, scan.maps[$0] ?? []) }
            + [(ReducedScanFacts.validityMapName, scan.validity.map { Float($0.rawValue) })]
        for (name, values) in columns {
            for first in stride(from: 0, to: f.height, by: rowsPerBand) {
                let rows = min(rowsPerBand, f.height - first)
                bands.append(ReducedScanBandMessage(map: name, firstRow: UInt32(first), rows: UInt32(rows),
                                                    values: Array(values[(first * f.width)..<min(values.count, (first + rows) * f.width)])))
            }
        }
        // Bands packed into calls of at most valuesPerCall values.
        var calls: [[ReducedScanBandMessage]] = [[]]
        var inCall = 0
        for band in bands {
            if inCall + band.values.count > valuesPerCall, !calls[calls.count - 1].isEmpty {
                calls.append([])
                inCall = 0
            }
            calls[calls.count - 1].append(band)
            inCall += band.values.count
        }
        var uploadId = ""
        for (i, call) in calls.enumerated() {
            var m = PutReducedScanRequest(token: token, uploadId: uploadId, bands: call, commit: i == calls.count - 1)
            if i == 0 { m.facts = ReducedScanFactsMessage(f) }
            let r: PutReducedScanResponse = try await rpc.call(ReducedScanService.putReducedScan, m, deadline: deadline, idempotent: false)
            uploadId = r.uploadId
            if m.commit {
                guard let summary = r.scan else { throw RPCError(.internalError, "the store committed \(f.name) without a summary") }
                return summary
            }
        }
        throw RPCError(.internalError, "the upload of \(f.name) ended without a commit")
    }

    public func list(deadline: Deadline) async throws(RPCError) -> [ReducedScanSummaryMessage] {
        let r: ListReducedScansResponse = try await rpc.call(ReducedScanService.listReducedScans, ListReducedScansRequest(),
                                                             deadline: deadline, idempotent: true)
        return r.scans
    }

    /// The scan's facts and revision.
    public func summary(_ name: String, deadline: Deadline) async throws(RPCError) -> ReducedScanSummaryMessage {
        let r: GetReducedScanResponse = try await rpc.call(ReducedScanService.getReducedScan, GetReducedScanRequest(scanName: name),
                                                           deadline: deadline, idempotent: true)
        guard let scan = r.scan else { throw RPCError(.internalError, "the store answered \(name) without its facts") }
        return scan
    }

    /// One whole map (width × height, row-major), read in bands; the facts come with it. A scan
    /// stored again while the bands are read is noticed (its revision changes) and read again.
    public func map(_ name: String, map: String, deadline: Deadline) async throws(RPCError) -> (facts: ReducedScanFactsMessage, revision: UInt64, values: [Float]) {
        for _ in 0..<3 {
            var values: [Float] = []
            var first = 0, height = 1, revision: UInt64?
            var facts = ReducedScanFactsMessage()
            while first < height {
                let r: GetReducedScanResponse = try await rpc.call(ReducedScanService.getReducedScan,
                                                                   GetReducedScanRequest(scanName: name, map: map, firstRow: UInt32(first)),
                                                                   deadline: deadline, idempotent: true)
                guard let scan = r.scan, let f = scan.facts, let band = r.band, band.rows > 0, Int(band.firstRow) == first,
                      band.values.count == Int(band.rows) * Int(f.width) else {
                    throw RPCError(.internalError, "the store answered a malformed band of \(name)/\(map) at row \(first)")
                }
                if revision == nil { revision = scan.revision; facts = f; height = Int(f.height); values.reserveCapacity(Int(f.width) * height) }
                guard revision == scan.revision else { break }
                values += band.values
                first += Int(band.rows)
            }
            if first >= height, let revision { return (facts, revision, values) }
        }
        throw RPCError(.unavailable, "\(name) was stored again three times while its map \(map) was being read; try again")
    }
}
