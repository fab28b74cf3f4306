import Topography

/// The radiator's grid cut from the common grid: centred on the crystal's bounding box (that centre is
/// rad_xoffset = rad_yoffset = 0 for the beam tool), wide enough for the crystal and its mount plus a
/// two-pixel margin on every side, row 0 at the bottom.
struct RadiatorFrame: Sendable {
    let topographGrid: TopographGrid
    let mask: [SurfaceKind]
    /// Working-grid column and row of the radiator grid's pixel (0, 0).
    let firstColumn: Int
    let firstRow: Int
    let source: WorkingGrid
    let centreInWorkingGrid: (x: Double, y: Double)

    static let margin = 2

    init(crystal: [Bool], mount: [Bool], grid: WorkingGrid) {
        source = grid
        var c0 = Int.max, c1 = Int.min, r0 = Int.max, r1 = Int.min
        var m0 = Int.max, m1 = Int.min, n0 = Int.max, n1 = Int.min
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let i = row * grid.columns + column
                if crystal[i] { c0 = min(c0, column); c1 = max(c1, column); r0 = min(r0, row); r1 = max(r1, row) }
                if mount[i] { m0 = min(m0, column); m1 = max(m1, column); n0 = min(n0, row); n1 = max(n1, row) }
            }
        }
        let padX = max(c0 - min(c0, m0), max(c1, m1 == Int.min ? c1 : m1) - c1) + Self.margin
        let padY = max(r0 - min(r0, n0), max(r1, n1 == Int.min ? r1 : n1) - r1) + Self.margin
        firstColumn = c0 - padX
        firstRow = r0 - padY
        let columns = c1 - c0 + 1 + 2 * padX, rows = r1 - r0 + 1 + 2 * padY
        topographGrid = TopographGrid(originXMillimeters: -Double(columns - 1) / 2 * grid.pixel, originYMillimeters: -Double(rows - 1) / 2 * grid.pixel,
                                      pixelMillimeters: grid.pixel, columns: columns, rows: rows)
        centreInWorkingGrid = (grid.x(0) + Double(c0 + c1) / 2 * grid.pixel, grid.y(0) + Double(r0 + r1) / 2 * grid.pixel)
        var mask = [SurfaceKind](repeating: .nothing, count: columns * rows)
        for row in 0..<rows {
            for column in 0..<columns {
                let sc = column + firstColumn, sr = row + firstRow
                guard sc >= 0, sr >= 0, sc < grid.columns, sr < grid.rows else { continue }
                let i = sr * grid.columns + sc
                mask[row * columns + column] = crystal[i] ? .crystal : (mount[i] ? .mount : .nothing)
            }
        }
        self.mask = mask
    }

    /// A working-grid map cut to the radiator's grid (`fill` beyond the working grid).
    func crop(_ values: [Float], fill: Float) -> [Float] {
        let g = topographGrid
        var out = [Float](repeating: fill, count: g.count)
        for row in 0..<g.rows {
            for column in 0..<g.columns {
                let sc = column + firstColumn, sr = row + firstRow
                guard sc >= 0, sr >= 0, sc < source.columns, sr < source.rows else { continue }
                out[row * g.columns + column] = values[sr * source.columns + sc]
            }
        }
        return out
    }
}
