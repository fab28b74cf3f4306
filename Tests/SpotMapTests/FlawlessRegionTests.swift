import API
import Compute
import Foundation
import Physics
import SpotMap
import Testing
import Topography

/// A synthetic plate, strained everywhere except a flawless disc: the map must send the beam there.
@Suite struct FlawlessRegionTests {
    static let disc = (x: 1.5, y: -1.0, radius: 1.4)

    static func plate() -> RadiatorView {
        let pixel = 0.05, columns = 181, rows = 181
        let grid = TopographGrid(originXMillimeters: -4.5, originYMillimeters: -4.5, pixelMillimeters: pixel, columns: columns, rows: rows)
        var h = [Float](repeating: 0, count: grid.count), v = h
        var mask = [SurfaceKind](repeating: .nothing, count: grid.count)
        for row in 0..<rows {
            for column in 0..<columns {
                let x = grid.x(column: column), y = grid.y(row: row), i = grid.index(column: column, row: row)
                guard abs(x) <= 4, abs(y) <= 4 else { continue }
                mask[i] = .crystal
                let r = ((x - disc.x) * (x - disc.x) + (y - disc.y) * (y - disc.y)).squareRoot()
                // Strain fades to nothing inside the disc (smoothly, so the flawless core is wide).
                let strain = min(1, max(0, (r - disc.radius * 0.6) / (disc.radius * 0.4)))
                h[i] = Float(20 + strain * 80 * sin(3.1 * x + 1.3 * y) * cos(2.3 * y))
                v[i] = Float(-10 + strain * 70 * cos(2.7 * x - 0.9 * y))
            }
        }
        return RadiatorView(side: .front, grid: grid, thetaHMicroradians: h, thetaVMicroradians: v, mask: mask)
    }

    /// The radiator point under the beam at an offset (φ = 0): r = c − offset.
    static func underBeam(_ x: Double, _ y: Double, _ view: RadiatorView) -> (x: Double, y: Double) {
        (view.grid.centre.x - x, view.grid.centre.y - y)
    }

    @Test(arguments: ["fom=rms_tilt&map_step=0.25", "fom=peak_polarization&map_resnap=on&map_step=0.5",
                      "fom=window_polarization&map_resnap=on&map_step=0.5"])
    func bestSpotLiesInTheFlawlessDisc(_ query: String) throws {
        let view = Self.plate()
        let request = try SpotfinderRequest(query: "ebeam_xsigma=0.4&ebeam_ysigma=0.3&ebeam_xycorr=0&" + query)
        let map = try LocalMap.compute(request: request, view: view, radiatorName: "flawless-disc",
                                       model: SpectrumComputation().model(for: request))
        let best = try #require(map.best.first)
        let r = Self.underBeam(best.rad_xoffset, best.rad_yoffset, view)
        let distance = ((r.x - Self.disc.x) * (r.x - Self.disc.x) + (r.y - Self.disc.y) * (r.y - Self.disc.y)).squareRoot()
        #expect(distance < Self.disc.radius, "best spot at radiator (\(r.x), \(r.y)) is \(distance) mm from the disc's centre")
        // Best spots: distinct (≥ 1 σ apart in the spot's metric), allowed, best first by the worst value within the
        // beam's jitter (issue #21), which is never better than the placement's own value.
        for (i, a) in map.best.enumerated() {
            #expect(a.fraction_on_crystal >= 0.99)
            let robust = try #require(a.robust_value)
            #expect(map.higher_is_better ? robust <= a.value : robust >= a.value)
            for b in map.best[(i + 1)...] {
                let u = (a.rad_xoffset - b.rad_xoffset) / 0.4, w = (a.rad_yoffset - b.rad_yoffset) / 0.3
                #expect(u * u + w * w >= 1 - 1e-9)
                let ra = try #require(a.robust_value), rb = try #require(b.robust_value)
                #expect(map.higher_is_better ? ra >= rb : ra <= rb)
            }
        }
    }
}
