import API
import SpotMap
import Topography
import Wire

// Spot-map placements and answers ↔ their wire messages.

extension MapChunkResponseMessage {
    public init(_ results: [PlacementResult]) {
        self.init()
        fractionOnCrystal = results.map(\.fractionOnCrystal)
        fractionOnMount = results.map(\.fractionOnMount)
        meanThetahMr = results.map(\.meanThetaH)
        meanThetavMr = results.map(\.meanThetaV)
        rmsTiltUrad = results.map(\.rmsTiltMicroradians)
        value = results.map(\.value)
        radThetah = results.map(\.thetaH)
        radThetav = results.map(\.thetaV)
        allowed = results.map(\.allowed)
    }

    /// The placements, or nil when the arrays do not all have `count` entries (a broken or foreign node).
    public func placementResults(count: Int) -> [PlacementResult]? {
        let arrays = [fractionOnCrystal, fractionOnMount, meanThetahMr, meanThetavMr, rmsTiltUrad, value, radThetah, radThetav]
        guard arrays.allSatisfy({ $0.count == count }), allowed.count == count else { return nil }
        return (0..<count).map { i in
            var p = PlacementResult()
            p.fractionOnCrystal = fractionOnCrystal[i]
            p.fractionOnMount = fractionOnMount[i]
            p.meanThetaH = meanThetahMr[i]
            p.meanThetaV = meanThetavMr[i]
            p.rmsTiltMicroradians = rmsTiltUrad[i]
            p.value = value[i]
            p.thetaH = radThetah[i]
            p.thetaV = radThetav[i]
            p.allowed = allowed[i]
            return p
        }
    }
}

extension SpotMapResponseMessage {
    public init(_ m: MapResponse) {
        self.init()
        fom = m.fom
        xOffsetsMm = m.x_offsets_mm
        yOffsetsMm = m.y_offsets_mm
        values = m.values.map { $0 ?? .nan }
        fractionOnCrystal = m.fraction_on_crystal
        rmsTiltUrad = m.rms_tilt_urad.map { $0 ?? .nan }
        best = m.best.map {
            SpotMapBestMessage(radXoffset: $0.rad_xoffset, radYoffset: $0.rad_yoffset, value: $0.value, fractionOnCrystal: $0.fraction_on_crystal,
                               rmsTiltUrad: $0.rms_tilt_urad, radThetah: $0.rad_thetah, radThetav: $0.rad_thetav,
                               robustValue: $0.robust_value ?? .nan, marginMm: $0.margin_mm, rank: UInt32(clamping: $0.rank ?? 0),
                               tiedWithBest: $0.tied_with_best ?? false)
        }
        placements = UInt32(m.placements)
        seconds = m.seconds
        fractionOnMount = m.fraction_on_mount
        radiatorName = m.radiator_name
        valueBest = m.value_best
        valueWorst = m.value_worst
        spreadFraction = m.spread_fraction
        uniform = m.uniform
        ebeamJitter = m.ebeam_jitter ?? 0
        robustValues = (m.robust_values ?? []).map { $0 ?? .nan }
        radThetahMrad = m.rad_thetah_mrad ?? []
        radThetavMrad = m.rad_thetav_mrad ?? []
        radThetaz = m.rad_thetaz ?? 0
        gluexPlane = m.gluex_plane
    }
}

extension SpotfinderRequest {
    /// The request as a query string with every parameter as understood (defaults filled in, optional ones
    /// only when given): what a node parses to rebuild exactly the same request.
    public var canonicalQuery: String {
        understood.filter { !($0.key == "radiator_name" && $0.value.isEmpty) }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }
}
