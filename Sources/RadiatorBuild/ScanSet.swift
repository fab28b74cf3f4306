import Topography

/// Which scan is which: one θH and one θV scan per face (the front required, the back optional but whole),
/// each optionally with one complementary scan (sample turned by 180°). Anything else is refused with the
/// scans named.
struct ScanSet: Sendable {
    let views: [ViewScans]
    /// The front θH scan: its grid is the common grid.
    let reference: Int

    init(_ manifests: [ScanManifest]) throws(BuildError) {
        guard (2...8).contains(manifests.count) else {
            throw BuildError("a build needs 2 or 4 scans (front θH and θV, optionally back θH and θV, each optionally with a complementary scan): got \(manifests.count)")
        }
        func named(_ indices: [Int]) -> String { indices.map { "'\(manifests[$0].name)'" }.joined(separator: ", ") }
        var mains: [String: [Int]] = [:], complements: [String: [Int]] = [:]
        for (i, m) in manifests.enumerated() {
            let key = "\(m.face.rawValue) \(m.rocking.rawValue)"
            if m.complementary { complements[key, default: []].append(i) } else { mains[key, default: []].append(i) }
        }
        for (key, list) in mains where list.count > 1 {
            throw BuildError("\(list.count) \(key) scans (\(named(list))): each face needs exactly one θH and one θV scan; mark a repeat turned by 180° with complementary: true")
        }
        for (key, list) in complements where list.count > 1 {
            throw BuildError("\(list.count) complementary \(key) scans (\(named(list))): at most one per face and rocking direction")
        }
        for (key, list) in complements where mains[key] == nil {
            throw BuildError("complementary scan \(named(list)) has no \(key) scan to pair with")
        }
        var views: [ViewScans] = []
        for side in ViewSide.allCases {
            let h = mains["\(side.rawValue) thetah"]?.first, v = mains["\(side.rawValue) thetav"]?.first
            switch (h, v) {
            case let (h?, v?):
                views.append(ViewScans(side: side, h: h, v: v, hComplement: complements["\(side.rawValue) thetah"]?.first,
                                       vComplement: complements["\(side.rawValue) thetav"]?.first))
            case (nil, nil) where side == .back:
                continue
            default:
                let have = [h, v].compactMap { $0 }
                let missing = h == nil ? "thetah" : "thetav"
                throw BuildError("the \(side.rawValue) view needs one thetah and one thetav scan: \(have.isEmpty ? "got none" : "got \(named(have)) only"), no \(side.rawValue) \(missing) scan")
            }
        }
        self.views = views
        reference = views[0].h
    }
}
