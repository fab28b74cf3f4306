import Foundation
import Testing
import Topography

/// The masked least-squares integration recovers a known surface on an outline with a hole and a notch.
struct SurfaceIntegrationTests {
    /// A disc with a hole and a separate island: z = bow + twist + bump; its exact gradients integrate back.
    @Test func recoversAKnownSurfaceOnAnOutlineWithHoles() {
        let n = 120, p = 0.01
        var mask = [Bool](repeating: false, count: n * n)
        var gx = [Double](repeating: 0, count: n * n), gy = gx, truth = gx
        for row in 0..<n {
            for column in 0..<n {
                let x = (Double(column) - 60) * p, y = (Double(row) - 60) * p
                let r = (x * x + y * y).squareRoot()
                let inDisc = r < 0.5 && !((x - 0.15) * (x - 0.15) + y * y < 0.01)  // a hole of radius 0.1 mm
                let inIsland = column >= 112 && row >= 112
                guard inDisc || inIsland else { continue }
                let i = row * n + column
                mask[i] = true
                let bump = 40 * exp(-((x + 0.2) * (x + 0.2) + (y - 0.1) * (y - 0.1)) / 0.005)
                truth[i] = 300 * (x * x + y * y) + 200 * x * y + bump
                gx[i] = 600 * x + 200 * y + bump * (-2 * (x + 0.2) / 0.005)
                gy[i] = 600 * y + 200 * x + bump * (-2 * (y - 0.1) / 0.005)
            }
        }
        let result = SurfaceIntegration.integrate(gradientX: gx, gradientY: gy, mask: mask, columns: n, rows: n, pixel: p)
        #expect(result.relativeResidual < 1e-6)
        #expect(result.iterations < 60, "multigrid-preconditioned CG took \(result.iterations) iterations")
        // Compare on the disc, each piece up to its own constant.
        let disc = (0..<(n * n)).filter { mask[$0] && !($0 % n >= 112 && $0 / n >= 112) }
        let offset = disc.reduce(0.0) { $0 + result.height[$1] - truth[$1] } / Double(disc.count)
        let range = disc.map { truth[$0] }.max()! - disc.map { truth[$0] }.min()!
        let worst = disc.map { abs(result.height[$0] - truth[$0] - offset) }.max()!
        #expect(worst < 0.01 * range, "worst error \(worst) of a range \(range)")
        #expect(mask.indices.allSatisfy { mask[$0] == result.height[$0].isFinite })
    }
}
