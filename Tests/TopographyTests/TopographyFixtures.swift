import Physics
@testable import Topography

/// Hand-made views whose tilt distribution is known in closed form.
enum Fixture {
    /// A square crystal of `size` mm (pixel 0.02 mm) whose tilts come from `tilt(x, y)` in µrad; optional mount and hole rules.
    static func view(size: Double = 8, pixel: Double = 0.02, crystal: (Double, Double) -> Bool = { _, _ in true },
                     mount: (Double, Double) -> Bool = { _, _ in false },
                     tilt: (Double, Double) -> (Double, Double)) -> RadiatorView {
        let n = Int((size / pixel).rounded()) + 1
        let grid = TopographGrid(originXMillimeters: -size / 2, originYMillimeters: -size / 2, pixelMillimeters: pixel, columns: n, rows: n)
        var h = [Float](repeating: 0, count: grid.count), v = h
        var mask = [SurfaceKind](repeating: .nothing, count: grid.count)
        for row in 0..<n {
            for column in 0..<n {
                let x = grid.x(column: column), y = grid.y(row: row), i = grid.index(column: column, row: row)
                if mount(x, y) { mask[i] = .mount; continue }
                guard crystal(x, y) else { continue }
                mask[i] = .crystal
                let t = tilt(x, y)
                h[i] = Float(t.0); v[i] = Float(t.1)
            }
        }
        return RadiatorView(side: .front, grid: grid, thetaHMicroradians: h, thetaVMicroradians: v, mask: mask)
    }

    static func radiator(_ view: RadiatorView, name: String = "fixture") -> Radiator {
        Radiator(name: name, thicknessMicrons: 50, notes: "test", views: [view, view.mirrored()])
    }
}
