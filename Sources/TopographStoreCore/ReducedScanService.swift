import Foundation
import RadiatorStore
import RockingCurve
import RPC
import Synchronization
import Wire
import WireMapping

/// The store's reduced rocking-curve scans: put (with the deployment token, in bands, committed all
/// at once), list, and get one band of one map. Bands keep every message within the RPC frame: a
/// 2048 × 2048 float map alone is 16 MiB.
public final class ReducedScanService: Sendable {
    public static let putReducedScan = "/spotfinder.v1.TopographStore/PutReducedScan"
    public static let listReducedScans = "/spotfinder.v1.TopographStore/ListReducedScans"
    public static let getReducedScan = "/spotfinder.v1.TopographStore/GetReducedScan"
    /// Most values (floats) in one put or one get: 14 MB, well inside the 16 MiB frame.
    public static let maxValuesPerMessage = 3_500_000
    /// Uploads held at once (each is up to 13 maps of 2048 × 2048 in memory), and how long one may idle.
    public static let maxUploads = 2
    public static let uploadIdleSeconds = 600.0

    let store: ReducedScanStore
    let token: String?
    /// Checked facts by name and revision: a list does not re-read files.
    private let factsCache = Mutex<[String: (revision: UInt64, facts: ReducedScanFacts)]>([:])
    /// The last maps read (name, revision, map): band requests of one map read its file once.
    private let mapCache = Mutex<[(key: String, values: [Float])]>([])
    private let uploads = Mutex<[String: Upload]>([:])

    public init(store: ReducedScanStore, token: String?) {
        self.store = store
        self.token = token
    }

    public func add(to routes: inout RPCRoutes) {
        // Reading and inflating files takes a while for large scans: off the cooperative pool.
        routes.unary(Self.putReducedScan) { [self] (m: PutReducedScanRequest, _) in
            try await offPool { () throws(RPCError) in try self.put(m) }
        }
        routes.unary(Self.listReducedScans) { [self] (_: ListReducedScansRequest, _) in
            try await offPool { () throws(RPCError) in self.list() }
        }
        routes.unary(Self.getReducedScan) { [self] (m: GetReducedScanRequest, _) in
            try await offPool { () throws(RPCError) in try self.get(m) }
        }
    }

    private func offPool<T: Sendable>(_ body: @escaping @Sendable () throws(RPCError) -> T) async throws(RPCError) -> T {
        let result: Result<T, RPCError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Result { () throws(RPCError) in try body() }) }
        }
        return try result.get()
    }

    // MARK: list and get

    func facts(_ name: String) throws(RPCError) -> (ReducedScanFacts, UInt64) {
        let revision = store.revision(of: name)
        if let hit = factsCache.withLock({ $0[name] }), hit.revision == revision { return (hit.facts, revision) }
        do {
            let facts = try store.load(name).facts
            factsCache.withLock { $0[name] = (revision, facts) }
            return (facts, revision)
        } catch {
            throw RPCError(store.names().contains(name) ? .dataLoss : .notFound, error.description)
        }
    }

    public func list() -> ListReducedScansResponse {
        ListReducedScansResponse(scans: store.names().compactMap { name in
            // Unreadable files are skipped here (a get names the problem).
            (try? facts(name)).map { ReducedScanSummaryMessage(facts: ReducedScanFactsMessage($0.0), revision: $0.1) }
        })
    }

    public func get(_ m: GetReducedScanRequest) throws(RPCError) -> GetReducedScanResponse {
        let (facts, revision) = try facts(m.scanName)
        var out = GetReducedScanResponse(scan: ReducedScanSummaryMessage(facts: ReducedScanFactsMessage(facts), revision: revision))
        guard !m.map.isEmpty else { return out }
        guard m.map == ReducedScanFacts.validityMapName || facts.maps.contains(where: { $0.rawValue == m.map }) else {
            throw RPCError(.invalidArgument, "map = '\(m.map)': \(facts.name) holds \((facts.maps.map(\.rawValue) + [ReducedScanFacts.validityMapName]).joined(separator: ", "))")
        }
        let first = Int(m.firstRow)
        guard first < facts.height else {
            throw RPCError(.invalidArgument, "first_row = \(first): \(facts.name) has rows 0 to \(facts.height - 1)")
        }
        let fit = max(1, Self.maxValuesPerMessage / facts.width)
        let rows = min(m.rows == 0 ? fit : Int(m.rows), fit, facts.height - first)
        let values = try mapValues(facts.name, revision: revision, map: m.map)
        out.band = ReducedScanBandMessage(map: m.map, firstRow: UInt32(first), rows: UInt32(rows),
                                          values: Array(values[(first * facts.width)..<((first + rows) * facts.width)]))
        return out
    }

    private func mapValues(_ name: String, revision: UInt64, map: String) throws(RPCError) -> [Float] {
        let key = "\(name)@\(revision)/\(map)"
        if let hit = mapCache.withLock({ $0.first { $0.key == key }?.values }) { return hit }
        let values: [Float]
        do { values = try store.load(name).values(of: map) } catch {
            throw RPCError(store.names().contains(name) ? .dataLoss : .notFound, error.description)
        }
        mapCache.withLock { cache in
            cache.removeAll { $0.key == key }
            cache.append((key, values))
            if cache.count > 4 { cache.removeFirst() }
        }
        return values
    }

    // MARK: put

    struct Upload {
        var facts: ReducedScanFacts
        var maps: [String: [Float]]
        var rowsSeen: [String: [Bool]]
        var touched: Double
    }

    public func put(_ m: PutReducedScanRequest) throws(RPCError) -> PutReducedScanResponse {
        guard let token, !token.isEmpty else {
            throw RPCError(.permissionDenied, "storing scans is disabled: start topograph-store with SPOTFINDER_TOKEN (or --token-file)")
        }
        guard tokenMatches(m.token, token) else { throw RPCError(.unauthenticated, "put refused: wrong or missing token") }
        let values = m.bands.reduce(0) { $0 + $1.values.count }
        guard values <= Self.maxValuesPerMessage else {
            throw RPCError(.invalidArgument, "bands: \(values) values in one call; at most \(Self.maxValuesPerMessage) (send the rest in further calls with the upload_id)")
        }
        let now = Date().timeIntervalSince1970
        var id = m.uploadId
        var upload: Upload
        if id.isEmpty {
            guard let message = m.facts else { throw RPCError(.invalidArgument, "facts: the first call of an upload carries the scan's facts") }
            let facts: ReducedScanFacts
            do { facts = try ReducedScanFacts(message); try facts.validate() } catch {
                throw RPCError(.invalidArgument, error.description)
            }
            let names = facts.maps.map(\.rawValue) + [ReducedScanFacts.validityMapName]
            upload = Upload(facts: facts, maps: Dictionary(uniqueKeysWithValues: names.map { ($0, [Float](repeating: .nan, count: facts.pixelCount)) }),
                            rowsSeen: Dictionary(uniqueKeysWithValues: names.map { ($0, [Bool](repeating: false, count: facts.height)) }), touched: now)
            id = UUID().uuidString.lowercased()
            let waiting = uploads.withLock { open in
                open = open.filter { now - $0.value.touched < Self.uploadIdleSeconds }
                return open.count
            }
            // A commit in the first call needs no room: the upload is never held.
            guard m.commit || waiting < Self.maxUploads else {
                throw RPCError(.resourceExhausted, "\(waiting) uploads are in progress, at most \(Self.maxUploads); finish them or wait \(Int(Self.uploadIdleSeconds)) s")
            }
        } else {
            guard m.facts == nil else { throw RPCError(.invalidArgument, "facts: only the first call of an upload carries facts") }
            guard let held = uploads.withLock({ $0.removeValue(forKey: id) }), now - held.touched < Self.uploadIdleSeconds else {
                throw RPCError(.notFound, "upload_id = '\(id)': no such upload in progress (finished, or idle over \(Int(Self.uploadIdleSeconds)) s); start again")
            }
            upload = held
        }
        // A bad band ends the upload: nothing is stored, and no memory is held for a broken client.
        for band in m.bands { try Self.add(band, to: &upload) }
        upload.touched = now
        guard m.commit else {
            uploads.withLock { $0[id] = upload }
            return PutReducedScanResponse(uploadId: id)
        }
        let scan = try Self.scan(of: upload)
        let revision: UInt64
        do { revision = try store.save(scan) } catch { throw RPCError(.invalidArgument, error.description) }
        factsCache.withLock { $0[scan.facts.name] = nil }
        return PutReducedScanResponse(uploadId: id, scan: ReducedScanSummaryMessage(facts: ReducedScanFactsMessage(scan.facts), revision: revision))
    }

    static func add(_ band: ReducedScanBandMessage, to upload: inout Upload) throws(RPCError) {
        let f = upload.facts
        guard upload.maps[band.map] != nil else {
            throw RPCError(.invalidArgument, "bands.map = '\(band.map)': the facts name \((f.maps.map(\.rawValue) + [ReducedScanFacts.validityMapName]).joined(separator: ", "))")
        }
        let first = Int(band.firstRow), rows = Int(band.rows)
        guard rows >= 1, first + rows <= f.height else {
            throw RPCError(.invalidArgument, "bands.rows: rows \(first) ..< \(first + rows) of \(band.map); the scan has rows 0 ..< \(f.height)")
        }
        guard band.values.count == rows * f.width else {
            throw RPCError(.invalidArgument, "bands.values: \(band.values.count) values for \(rows) rows of \(f.width) pixels of \(band.map)")
        }
        if band.map == ReducedScanFacts.validityMapName {
            if let i = band.values.firstIndex(where: { PixelValidity(rawValue: UInt8(exactly: $0) ?? 255) == nil }) {
                throw RPCError(.invalidArgument, "bands.values: validity value \(band.values[i]) at row \(first + i / f.width) is not a code 0 to 6")
            }
        } else if let i = band.values.firstIndex(where: \.isInfinite) {
            throw RPCError(.invalidArgument, "bands.values: \(band.map) has \(band.values[i]) at row \(first + i / f.width); values are finite, NaN where there is no data")
        }
        upload.maps[band.map]!.replaceSubrange((first * f.width)..<((first + rows) * f.width), with: band.values)
        for r in first..<(first + rows) { upload.rowsSeen[band.map]![r] = true }
    }

    static func scan(of upload: Upload) throws(RPCError) -> ReducedScanRecord {
        for (name, seen) in upload.rowsSeen.sorted(by: { $0.key < $1.key }) {
            if let r = seen.firstIndex(of: false) {
                throw RPCError(.invalidArgument, "commit: map \(name) has no values for row \(r) (and perhaps more); send every row of every map before committing")
            }
        }
        var maps: [MapName: [Float]] = [:]
        for name in upload.facts.maps { maps[name] = upload.maps[name.rawValue] }
        let validity = upload.maps[ReducedScanFacts.validityMapName]!.map { PixelValidity(rawValue: UInt8($0))! }
        return ReducedScanRecord(facts: upload.facts, maps: maps, validity: validity)
    }
}
